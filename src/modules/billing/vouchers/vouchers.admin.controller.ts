import { Clock } from '../../../shared/clock';
import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CustomerDirectory } from '../../../shared/customer-directory';
import type { FieldError } from '../../../shared/errors';
import { AllowUsers, CurrentScope } from '../../../shared/http/decorators';
import type { Scope } from '../../../shared/scope';
import { currencyCodes } from '../../../shared/validation';
import {
  AdminPages,
  formatInstant,
  formatMoney,
  formValues,
  instantFromForm,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  refusal,
  searchFrom,
  submitForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../../admin/admin.api';
import { CreateVoucherBatchDto, MAX_BATCH_COUNT, RedeemVoucherDto } from './dto/voucher.dto';
import { RedemptionService } from './redemption.service';
import { SERIAL_DEFAULT_LENGTH, SERIAL_MAX_LENGTH, SERIAL_MIN_LENGTH } from './serials';
import { VoucherBatchesService } from './voucher-batches.service';
import { VouchersRepository } from './vouchers.repository';

const PAGE_SIZE = 25;
const VOUCHERS_PAGE_SIZE = 50;

const BATCH_FORM: FormSchema = {
  name: 'text',
  value: 'decimal',
  currency: 'enum',
  count: 'int',
  serialLength: 'int?',
  expiresAt: 'text?',
  locked: 'bool',
};
const REDEEM_FORM: FormSchema = { accountNumber: 'text', serial: 'text' };
/** The hidden field that carries the redeem form's idempotency key: a form sent twice redeems once. */
const KEY_FIELD = 'idempotencyKey';

function readBatchForm(body: FormBody): Record<string, unknown> {
  const values = readForm(body, BATCH_FORM);
  if (values.expiresAt !== undefined && values.expiresAt !== null) values.expiresAt = instantFromForm(values.expiresAt);
  return values;
}

/** Commerce » Vouchers: the batches of the acting customer, a new batch, a batch with its vouchers, and redeeming one. */
@ApiExcludeController()
@Controller()
export class VouchersAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly batches: VoucherBatchesService,
    private readonly redemption: RedemptionService,
    private readonly customers: CustomerDirectory,
    private readonly repo: VouchersRepository,
    private readonly clock: Clock,
  ) {}

  /** Whether the acting customer may issue batches (a reseller or the system owner, as an administrator). */
  private async canIssue(scope: Scope): Promise<boolean> {
    if (scope.role !== 'administrator') return false;
    const c = await this.customers.find(this.repo.reader, scope.customerId);
    return !!c && (c.reseller || c.parentId === null);
  }

  @Get('vouchers')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const isAdmin = scope.role === 'administrator';
    const locked = query.locked === 'true' || query.locked === 'false' ? query.locked : undefined;
    const sort = pageSort(req, { name: 'Name', value: 'Value', count: 'Redeemed / vouchers', expiresAt: 'Expires', createdAt: 'Created' }, '-createdAt');
    const sortParam = sort.param === '-createdAt' ? '' : sort.param;
    const result = isAdmin
      ? await this.batches.list(scope, { page, pageSize: PAGE_SIZE, ...(search ? { search } : {}), locked, sort: sort.param })
      : { items: [], total: 0 };
    const now = this.clock.now().getTime();
    await this.pages.render(req, res, 'vouchers/list', {
      title: 'Vouchers',
      search,
      locked: locked ?? '',
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl('/api/v1/voucher-batches', { search, locked, sort: sortParam }),
      isAdmin,
      canIssue: await this.canIssue(scope),
      batches: result.items.map((b) => ({
        id: b.id,
        name: b.name,
        value: formatMoney(b.value, b.currency),
        count: b.count,
        redeemed: b.redeemed,
        expiresAt: b.expiresAt ? formatInstant(b.expiresAt) : '',
        expired: b.expiresAt !== null && Date.parse(b.expiresAt) <= now,
        locked: b.locked,
        createdAt: formatInstant(b.createdAt),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('vouchers/new')
  async newForm(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    const owner = await this.customers.findInScope(this.repo.reader, scope, scope.customerId);
    await this.renderForm(req, res, { currency: owner.currency, serialLength: String(SERIAL_DEFAULT_LENGTH) }, {});
  }

  @Post('vouchers')
  async create(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) =>
      this.renderForm(req, res, body, withUnplacedErrors(errors, Object.keys(BATCH_FORM)), status);
    const save = async (dto: CreateVoucherBatchDto, problems: FieldError[]) => {
      const b = await this.batches.create(scope, dto, problems);
      this.pages.redirect(
        res,
        `/vouchers/${b.id}`,
        `Voucher batch “${b.name}” created with ${b.count} voucher${b.count === 1 ? '' : 's'}.`,
      );
    };
    await submitForm(CreateVoucherBatchDto, readBatchForm(body), rerender, save, { checkAll: true });
  }

  @Get('vouchers/redeem')
  @AllowUsers()
  async redeemForm(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderRedeem(req, res, {}, {});
  }

  @Post('vouchers/redeem')
  @AllowUsers()
  async redeem(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const key = typeof body[KEY_FIELD] === 'string' && body[KEY_FIELD] !== '' ? body[KEY_FIELD] : randomUUID();
    // The serial is never shown again after a refusal: it is typed again.
    const rerender: Rerender = (errors, status) => this.renderRedeem(req, res, { accountNumber: body.accountNumber }, errors, status, key);
    await submitForm(RedeemVoucherDto, readForm(body, REDEEM_FORM), rerender, async (dto) => {
      const answer = await this.redemption.redeem(scope, dto, req.ip ?? 'unknown', key);
      const { amount, currency, balance } = answer.body;
      this.pages.redirect(
        res,
        '/vouchers/redeem',
        answer.replayed
          ? `This form was already sent: the voucher was redeemed once (${formatMoney(amount, currency)}).`
          : `Voucher redeemed: ${formatMoney(amount, currency)} credited. The balance is now ${formatMoney(balance, currency)}.`,
      );
    });
  }

  @Get('vouchers/:id')
  async show(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { batch, owner } = await this.batches.batch(scope, id);
    const issuer = VoucherBatchesService.isIssuer(scope, batch);
    const page = pageFromQuery(query.page);
    const list = issuer ? await this.batches.vouchers(scope, id, { page, pageSize: VOUCHERS_PAGE_SIZE }) : null;
    const b = list?.batch ?? (await this.batches.get(scope, id));
    const names = list
      ? await this.customers.names(
          this.repo.reader,
          list.items.map((v) => v.redeemedByCustomerId ?? 0),
        )
      : new Map();
    await this.pages.render(req, res, 'vouchers/detail', {
      title: b.name,
      crumbs: [{ label: 'Vouchers', href: '/vouchers' }],
      batch: {
        id: b.id,
        name: b.name,
        owner: owner.name,
        value: formatMoney(b.value, b.currency),
        count: b.count,
        redeemed: b.redeemed,
        serialLength: b.serialLength,
        expiresAt: b.expiresAt ? formatInstant(b.expiresAt) : '',
        expired: b.expiresAt !== null && Date.parse(b.expiresAt) <= this.clock.now().getTime(),
        locked: b.locked,
        createdAt: formatInstant(b.createdAt),
      },
      issuer,
      csvUrl: `/api/v1/voucher-batches/${b.id}/vouchers?format=csv`,
      vouchers: (list?.items ?? []).map((v) => ({
        serial: v.serial,
        redeemedAt: v.redeemedAt ? formatInstant(v.redeemedAt) : '',
        customerId: v.redeemedByCustomerId ?? '',
        customerName: v.redeemedByCustomerId === null ? '' : (names.get(v.redeemedByCustomerId) ?? `#${v.redeemedByCustomerId}`),
      })),
      pager: pageLinks(page, VOUCHERS_PAGE_SIZE, list?.total ?? 0, req),
    });
  }

  @Post('vouchers/:id/lock')
  async lock(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const locked = readForm(body, { locked: 'bool' }).locked === true;
    try {
      const b = await this.batches.update(scope, id, { locked });
      this.pages.redirect(
        res,
        `/vouchers/${id}`,
        b.locked ? `Batch “${b.name}” locked: its vouchers cannot be redeemed.` : `Batch “${b.name}” unlocked.`,
      );
    } catch (err) {
      this.pages.redirect(res, `/vouchers/${id}`, refusal(err, locked ? 'The batch was not locked' : 'The batch was not unlocked'));
    }
  }

  private async renderForm(req: Request, res: Response, values: FormBody, errors: FormErrors, status = 200): Promise<void> {
    await this.pages.render(
      req,
      res,
      'vouchers/form',
      {
        title: 'New voucher batch',
        crumbs: [{ label: 'Vouchers', href: '/vouchers' }],
        values: { ...formValues(BATCH_FORM, values), locked: readForm(values, { locked: 'bool' }).locked === true },
        errors,
        currencies: currencyCodes().map((c) => ({ value: c, label: c })),
        limits: { maxCount: MAX_BATCH_COUNT, minLength: SERIAL_MIN_LENGTH, maxLength: SERIAL_MAX_LENGTH },
      },
      status,
    );
  }

  private async renderRedeem(
    req: Request,
    res: Response,
    values: FormBody,
    errors: FormErrors,
    status = 200,
    key: string = randomUUID(),
  ): Promise<void> {
    await this.pages.render(
      req,
      res,
      'vouchers/redeem',
      {
        title: 'Redeem a voucher',
        crumbs: [{ label: 'Vouchers', href: '/vouchers' }],
        form: {
          keyField: KEY_FIELD,
          key,
          values: formValues(REDEEM_FORM, values),
          errors: withUnplacedErrors(errors, Object.keys(REDEEM_FORM)),
        },
      },
      status,
    );
  }
}
