import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { CustomerRef } from '../../shared/customer-directory';
import { CurrentScope } from '../../shared/http/decorators';
import { Money } from '../../shared/money';
import type { Scope } from '../../shared/scope';
import {
  AdminPages,
  customerCrumbs,
  formatInstant,
  formatMoney,
  formValues,
  csvExportUrl,
  pageFromQuery,
  pageLinks,
  readForm,
  submitForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../admin/admin.api';
import { BalancesService, postRefusal } from './balances.service';
import { MANUAL_TYPES, TRANSACTION_TYPE_LABELS } from './domain/ledger';
import { PostBalanceDto } from './dto/balance.dto';

const PAGE_SIZE = 25;

const BALANCE_FORM: FormSchema = { amount: 'decimal', type: 'enum', description: 'text', reference: 'text' };
/** The hidden field that carries the form's idempotency key: a form sent twice (a double click, a reload) posts once. */
const KEY_FIELD = 'idempotencyKey';

const TYPE_OPTIONS = MANUAL_TYPES.map((value) => ({ value, label: TRANSACTION_TYPE_LABELS[value] }));

/**
 * A customer's balance: its transactions, newest first, and (for administrators of an ancestor) the form
 * that posts a credit, top-up or payment.
 */
@ApiExcludeController()
@Controller()
export class BillingAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly balances: BalancesService,
  ) {}

  @Get('customers/:id/transactions')
  async transactions(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.balances.customer(scope, id);
    await this.render(req, res, scope, c, pageFromQuery(query.page), { type: 'credit' }, {});
  }

  @Post('customers/:id/balance')
  async post(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.balances.customer(scope, id);
    const key = typeof body[KEY_FIELD] === 'string' && body[KEY_FIELD] !== '' ? body[KEY_FIELD] : randomUUID();
    const rerender: Rerender = (errors, status) => this.render(req, res, scope, c, 1, body, errors, status, key);
    await submitForm(PostBalanceDto, readForm(body, BALANCE_FORM), rerender, async (dto) => {
      const answer = await this.balances.post(scope, id, dto, key);
      const { transaction, balance } = answer.body;
      const label = TRANSACTION_TYPE_LABELS[transaction.type];
      const amount = formatMoney(transaction.amount, transaction.currency);
      this.pages.redirect(
        res,
        `/customers/${id}/transactions`,
        answer.replayed
          ? `This form was already sent: the ${label.toLowerCase()} of ${amount} was recorded once.`
          : `${label} of ${amount} recorded. The balance is now ${formatMoney(balance, transaction.currency)}.`,
      );
    });
  }

  private async render(
    req: Request,
    res: Response,
    scope: Scope,
    c: CustomerRef,
    page: number,
    values: FormBody,
    errors: FormErrors,
    status = 200,
    key: string = randomUUID(),
  ): Promise<void> {
    const [balance, list] = await Promise.all([
      this.balances.balance(scope, c.id),
      this.balances.transactions(scope, c.id, { page, pageSize: PAGE_SIZE }),
    ]);
    const refusal = postRefusal(scope, c);
    await this.pages.render(
      req,
      res,
      'billing/transactions',
      {
        title: `Balance of ${c.name}`,
        crumbs: customerCrumbs(c),
        customer: { id: c.id, name: c.name, currency: c.currency, deleted: c.deleted },
        balance: formatMoney(balance.balance, c.currency),
        balanceNegative: Money.of(balance.balance).isNegative(),
        transactions: list.items.map((t) => ({
          id: t.id,
          createdAt: formatInstant(t.createdAt),
          type: TRANSACTION_TYPE_LABELS[t.type],
          description: t.description,
          reference: t.reference ?? '',
          amount: formatMoney(t.amount, t.currency),
          negative: t.amount.startsWith('-'),
          original:
            t.originalAmount === null ? '' : `${formatMoney(t.originalAmount, t.originalCurrency)} at ${t.exchangeRate ?? ''}`.trim(),
        })),
        // The page's own path: a form shown again after a POST answers at /customers/:id/balance.
        pager: pageLinks(page, PAGE_SIZE, list.total, { path: `/customers/${c.id}/transactions`, query: {} }),
        csvUrl: csvExportUrl(`/api/v1/customers/${c.id}/transactions`, {}),
        canPost: refusal === null,
        // Why there is no form: a customer does not credit itself; a deleted one is undeleted first.
        postNote:
          refusal === null || scope.role !== 'administrator'
            ? ''
            : `${refusal.message.charAt(0).toUpperCase()}${refusal.message.slice(1)}.`,
        form: {
          action: `/customers/${c.id}/balance`,
          keyField: KEY_FIELD,
          key,
          values: formValues(BALANCE_FORM, values),
          errors: withUnplacedErrors(errors, Object.keys(BALANCE_FORM)),
          types: TYPE_OPTIONS,
        },
      },
      status,
    );
  }
}
