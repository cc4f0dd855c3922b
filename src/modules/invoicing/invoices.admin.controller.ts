import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CurrentScope } from '../../shared/http/decorators';
import { Money } from '../../shared/money';
import type { Scope } from '../../shared/scope';
import {
  AdminPages,
  formatMoney,
  formValues,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  submitForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../admin/admin.api';
import type { InvoiceParty } from '../customers/customers.api';
import { isInvoiceStatus, isOpen, nextStatuses } from './domain/invoice-status';
import { ChangeInvoiceStatusDto, CreateCreditNoteDto, RecordPaymentDto, type InvoiceDto } from './dto/invoicing.dto';
import { InvoiceChangesService } from './invoice-changes.service';
import { addressLines, documentLinks, INVOICE_STATUS_LABELS, INVOICE_STATUS_OPTIONS, periodText } from './invoice-page-format';
import { InvoiceViews, type InvoiceView } from './invoice-views.service';
import { InvoicesService } from './invoices.service';

export const INVOICES_PATH = '/invoices';
const PAGE_SIZE = 25;

/** The three forms of an invoice's page; the payment and credit-note fields are named `payment[amount]`... so ids stay unique. */
const STATUS_FORM: FormSchema = { status: 'enum' };
const PAYMENT_FORM: FormSchema = { amount: 'decimal', reference: 'text' };
const CREDIT_FORM: FormSchema = { amount: 'decimal', reason: 'text' };
type FormName = 'status' | 'payment' | 'credit';
const SCHEMAS: Record<FormName, FormSchema> = { status: STATUS_FORM, payment: PAYMENT_FORM, credit: CREDIT_FORM };

/** The hidden field with the payment and credit-note forms' idempotency key: a form sent twice (a double click) acts once. */
const KEY_FIELD = 'idempotencyKey';
const keyOf = (body: FormBody): string => {
  const v = body[KEY_FIELD];
  return typeof v === 'string' && /^[\x21-\x7e]{1,255}$/.test(v) ? v : randomUUID();
};

const text = (v: unknown): string => (typeof v === 'string' ? v.trim().slice(0, 60) : '');
const nested = (body: FormBody, name: string): FormBody => {
  const v = body[name];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as FormBody) : {};
};

/** A form shown again after a refused POST: which one, what was typed, and the errors. */
interface Submitted {
  form: FormName;
  values: FormBody;
  errors: FormErrors;
  key?: string;
}

function partyView(p: InvoiceParty | null, fallbackName: string): Record<string, unknown> {
  return {
    name: p?.name ?? fallbackName,
    email: p?.email ?? '',
    taxReference: p?.taxReference ?? '',
    address: addressLines(p),
  };
}

/**
 * Commerce » Invoices: the invoices and credit notes of the customers in the acting customer's tree (its
 * own included), filtered by status, customer and period; an invoice's page with its lines, payments and
 * credit notes, and for administrators of its issuer the status change, payment and credit-note forms.
 * The invoiced customer itself sees its invoices read-only.
 */
@ApiExcludeController()
@Controller()
export class InvoicesAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly invoices: InvoicesService,
    private readonly changes: InvoiceChangesService,
    private readonly views: InvoiceViews,
  ) {}

  @Get('invoices')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const values = { customerId: text(query.customerId), status: text(query.status), periodStart: text(query.periodStart) };
    const errors: FormErrors = {};
    let customerId: number | undefined;
    if (values.customerId !== '') {
      if (/^\d{1,12}$/.test(values.customerId)) customerId = Number(values.customerId);
      else errors.customerId = 'Choose a customer from the list.';
    }
    if (values.status !== '' && !isInvoiceStatus(values.status)) errors.status = 'Choose a status from the list.';
    if (values.periodStart !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(values.periodStart)) errors.periodStart = 'Must be a date as YYYY-MM-DD.';

    const sort = pageSort(
      req,
      { number: 'Number', customerId: 'Customer', issueDate: 'Issued', dueDate: 'Due', total: 'Total', status: 'Status' },
      'number',
    );
    // No sort asked for: the API's default, newest first.
    const sortParam = typeof query.sort === 'string' && query.sort !== '' ? sort.param : '';
    if (!sortParam) sort.headers.number.sort = 'none';

    let items: InvoiceDto[] = [];
    let total = 0;
    const valid = Object.keys(errors).length === 0;
    if (valid) {
      // A customer outside the caller's tree is the 404 page, as in the API.
      ({ items, total } = await this.invoices.list(scope, {
        page,
        pageSize: PAGE_SIZE,
        customerId,
        status: isInvoiceStatus(values.status) ? values.status : undefined,
        periodStart: values.periodStart || undefined,
        ...(sortParam ? { sort: sortParam } : {}),
      }));
    }
    const [names, customers] = await Promise.all([this.views.names(items.map((i) => i.customerId)), this.views.pickable(scope)]);
    if (customerId !== undefined && valid && !customers.some((c) => c.id === customerId)) {
      // A big tree lists its first customers only (or the customer was deleted): the one filtered on is always offered.
      const name = (await this.views.names([customerId])).get(customerId);
      if (name) customers.push({ id: customerId, name, depth: 0 });
    }
    const filtered = values.customerId !== '' || values.status !== '' || values.periodStart !== '';
    await this.pages.render(
      req,
      res,
      'invoicing/list',
      {
        title: 'Invoices',
        form: {
          values,
          errors,
          customers: customers.map((c) => ({ value: String(c.id), label: `${'— '.repeat(c.depth)}${c.name}` })),
          statuses: INVOICE_STATUS_OPTIONS,
        },
        filtered,
        sort: sort.headers,
        sortParam,
        csvUrl: csvExportUrl('/api/v1/invoices', {
          customerId,
          status: isInvoiceStatus(values.status) ? values.status : undefined,
          periodStart: values.periodStart || undefined,
          sort: sortParam,
        }),
        invoices: items.map((i) => ({
          id: i.id,
          number: i.number,
          isCreditNote: i.type === 'credit_note',
          customerId: i.customerId,
          customerName: names.get(i.customerId) ?? `#${i.customerId}`,
          period: periodText(i.periodStart, i.periodEnd),
          issueDate: i.issueDate,
          dueDate: i.dueDate ?? '',
          total: formatMoney(i.total, i.currency),
          paid: formatMoney(i.paidAmount, i.currency),
          status: i.status,
          statusText: INVOICE_STATUS_LABELS[i.status],
          docs: documentLinks(i.id),
        })),
        pager: pageLinks(page, PAGE_SIZE, total, req),
      },
      valid ? 200 : 400,
    );
  }

  @Get('invoices/:id')
  async show(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.render(req, res, scope, await this.views.view(scope, id), null);
  }

  @Post('invoices/:id/status')
  async changeStatus(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const view = await this.views.view(scope, id);
    await submitForm(
      ChangeInvoiceStatusDto,
      readForm(body, STATUS_FORM),
      this.rerender(req, res, scope, id, 'status', body),
      async (dto) => {
        const invoice = await this.changes.changeStatus(scope, id, dto);
        this.pages.redirect(
          res,
          `${INVOICES_PATH}/${id}`,
          `${view.invoice.number} is now ${INVOICE_STATUS_LABELS[invoice.status].toLowerCase()}.`,
        );
      },
    );
  }

  @Post('invoices/:id/payments')
  async recordPayment(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const values = nested(body, 'payment');
    const key = keyOf(body);
    await this.views.view(scope, id);
    await submitForm(
      RecordPaymentDto,
      readForm(values, PAYMENT_FORM),
      this.rerender(req, res, scope, id, 'payment', values, key),
      async (dto) => {
        const { invoice, replayed } = await this.changes.recordPaymentOnce(scope, id, dto, key);
        const amount = formatMoney(dto.amount, invoice.currency);
        this.pages.redirect(
          res,
          `${INVOICES_PATH}/${id}`,
          replayed
            ? `This form was already sent: the payment of ${amount} was recorded once.`
            : `Payment of ${amount} recorded against ${invoice.number}: ` +
                `${formatMoney(invoice.paidAmount, invoice.currency)} of ${formatMoney(invoice.total, invoice.currency)} paid` +
                (invoice.status === 'paid' ? ', so it is paid.' : '.'),
        );
      },
    );
  }

  @Post('invoices/:id/credit-notes')
  async createCreditNote(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const values = nested(body, 'credit');
    const key = keyOf(body);
    const view = await this.views.view(scope, id);
    await submitForm(
      CreateCreditNoteDto,
      readForm(values, CREDIT_FORM),
      this.rerender(req, res, scope, id, 'credit', values, key),
      async (dto) => {
        const { note, replayed } = await this.changes.createCreditNoteOnce(scope, id, dto, key);
        const amount = formatMoney(note.total, note.currency);
        this.pages.redirect(
          res,
          `${INVOICES_PATH}/${id}`,
          replayed
            ? `This form was already sent: credit note ${note.number} of ${amount} was issued once.`
            : `Credit note ${note.number} of ${amount} issued for ${view.invoice.number} and credited to the customer's balance.`,
        );
      },
    );
  }

  private rerender(req: Request, res: Response, scope: Scope, id: number, form: FormName, values: FormBody, key?: string): Rerender {
    return async (errors, status) => this.render(req, res, scope, await this.views.view(scope, id), { form, values, errors, key }, status);
  }

  private async render(
    req: Request,
    res: Response,
    scope: Scope,
    view: InvoiceView,
    submitted: Submitted | null,
    status = 200,
  ): Promise<void> {
    const i = view.invoice;
    const total = Money.of(i.total);
    const open = total.minus(Money.of(i.paidAmount));
    const left = total.minus(Money.of(i.creditedAmount));
    const isInvoice = i.type === 'invoice';
    const next = nextStatuses(i.status);
    const forms = Object.fromEntries(
      (Object.keys(SCHEMAS) as FormName[]).map((name) => {
        const mine = submitted?.form === name ? submitted : null;
        return [
          name,
          {
            values: formValues(SCHEMAS[name], mine?.values ?? {}),
            errors: withUnplacedErrors(mine?.errors ?? {}, Object.keys(SCHEMAS[name])),
            // Kept when the form comes back with errors (nothing was done under it).
            key: mine?.key ?? randomUUID(),
          },
        ];
      }),
    );
    const customerName = view.customer?.name ?? (await this.views.names([i.customerId])).get(i.customerId) ?? `#${i.customerId}`;
    const issuerName = view.issuer?.name ?? (await this.views.names([i.issuerId])).get(i.issuerId) ?? `#${i.issuerId}`;
    const label = isInvoice ? 'Invoice' : 'Credit note';
    await this.pages.render(
      req,
      res,
      'invoicing/detail',
      {
        title: `${label} ${i.number}`,
        crumbs: [{ label: 'Invoices', href: INVOICES_PATH }],
        invoice: {
          id: i.id,
          number: i.number,
          label,
          isCreditNote: !isInvoice,
          status: i.status,
          statusText: INVOICE_STATUS_LABELS[i.status],
          customerId: i.customerId,
          period: periodText(i.periodStart, i.periodEnd),
          issueDate: i.issueDate,
          dueDate: i.dueDate ?? '',
          currency: i.currency,
          lines: i.lines.map((l) => ({
            description: l.description,
            category: l.category,
            quantity: l.quantity,
            amount: formatMoney(l.amount, i.currency),
            negative: l.amount.startsWith('-'),
          })),
          taxes: i.taxes.map((t) => ({ name: t.name, percentage: t.percentage ?? '', amount: formatMoney(t.amount, i.currency) })),
          net: formatMoney(i.netTotal, i.currency),
          tax: formatMoney(i.taxTotal, i.currency),
          total: formatMoney(i.total, i.currency),
          paid: formatMoney(i.paidAmount, i.currency),
          credited: formatMoney(i.creditedAmount, i.currency),
          open: formatMoney(open.isNegative() ? Money.ZERO : open, i.currency),
        },
        issuer: partyView(view.issuer, issuerName),
        customer: partyView(view.customer, customerName),
        creditNotes: view.creditNotes.map((n) => ({ ...n, total: formatMoney(n.total, n.currency) })),
        corrects: view.corrects,
        docs: documentLinks(i.id),
        keyField: KEY_FIELD,
        mayChange: view.mayChange,
        canChangeStatus: view.mayChange && isInvoice && next.length > 0,
        canPay: view.mayChange && isInvoice && (isOpen(i.status) || i.status === 'pending' || i.status === 'approved') && open.isPositive(),
        canCredit: view.mayChange && isInvoice && left.isPositive(),
        statusOptions: next.map((value) => ({ value, label: INVOICE_STATUS_LABELS[value] })),
        openAmount: formatMoney(open.isNegative() ? Money.ZERO : open, i.currency),
        leftAmount: formatMoney(left.isNegative() ? Money.ZERO : left, i.currency),
        forms,
      },
      status,
    );
  }
}
