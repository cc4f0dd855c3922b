import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory } from '../../shared/customer-directory';
import { type FieldError, ForbiddenError } from '../../shared/errors';
import { currencyCodes } from '../../shared/validation';
import {
  AdminPages,
  fieldPaths,
  formValues,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  searchFrom,
  withUnplacedErrors,
  YES_NO,
  type FormBody,
  type FormErrors,
  type FormSchema,
  formatInstant,
  refusal,
  submitForm,
  type Rerender,
} from '../admin/admin.api';
import { CONTRACT_MONTHS, INVOICE_DETAILS, INVOICE_FORMATS } from './domain/plan-level-settings';
import { CreateRatePlanDto, UpdateRatePlanDto, type RatePlanDto } from './dto/rate-plan.dto';
import { DIRECTIONS, type RateDto } from './dto/rate.dto';
import { BILLING_PERIODS, SHARING_MODES } from './entities/rate-plan.entity';
import { assertAdministrator, editablePlan, opts } from './rate-plans.admin-shared';
import { RatePlansRepository } from './rate-plans.repository';
import { RatePlansService } from './rate-plans.service';
import { RatesService } from './rates.service';

const PAGE_SIZE = 25;
const RATES_PAGE_SIZE = 50;

const PLAN_FORM: FormSchema = {
  name: 'text',
  description: 'text?',
  currency: 'enum',
  sharing: 'enum',
  inheritsFromId: 'int?',
  precision: 'int?',
  fees: { signup: 'decimal?', account: 'decimal?', perLine: 'decimal?', perNumber: 'decimal?' },
  includedSeconds: 'int?',
  billingPeriod: 'enum?',
  dueDays: 'int?',
  overdueDays: 'int?',
  deferBilling: 'bool?',
  minimumContractMonths: 'int?',
  markups: {
    outboundConnect: 'decimal?',
    outboundPerMinute: 'decimal?',
    outboundMessage: 'decimal?',
    inboundConnect: 'decimal?',
    inboundPerMinute: 'decimal?',
  },
  dailySpendLimit: 'text?',
  maxConcurrentCalls: 'text?',
  externalCallerId: 'bool?',
  dialPlanId: 'int?',
  invoiceDueDays: 'int?',
  sendInvoices: 'bool?',
  invoiceFormat: 'enum?',
  invoiceDetail: 'enum?',
};
const PLAN_FIELDS = fieldPaths(PLAN_FORM);

const SHARING_LABELS: Record<string, string> = {
  private: 'Private',
  children: 'Shared with child resellers',
  recursive: 'Shared with all resellers below',
};
const PERIOD_LABELS: Record<string, string> = {
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  annually: 'Annually',
  indefinite: 'Indefinite (fees never charged)',
};
const contractLabel = (v: string) => (v === '0' ? 'None' : `${v} months`);

function readPlanForm(body: FormBody): Record<string, unknown> {
  const values = readForm(body, PLAN_FORM);
  const mcc = values.maxConcurrentCalls;
  if (typeof mcc === 'string' && /^\d{1,9}$/.test(mcc)) values.maxConcurrentCalls = Number(mcc);
  return values;
}

function planFormValues(p: RatePlanDto): Record<string, unknown> {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  return {
    name: p.name,
    description: text(p.description),
    currency: p.currency,
    sharing: p.sharing,
    inheritsFromId: text(p.inheritsFromId),
    precision: text(p.precision),
    fees: { signup: text(p.fees.signup), account: text(p.fees.account), perLine: text(p.fees.perLine), perNumber: text(p.fees.perNumber) },
    includedSeconds: text(p.includedSeconds),
    billingPeriod: text(p.billingPeriod),
    dueDays: text(p.dueDays),
    overdueDays: text(p.overdueDays),
    deferBilling: text(p.deferBilling),
    minimumContractMonths: text(p.minimumContractMonths),
    markups: Object.fromEntries(Object.entries(p.markups).map(([k, v]) => [k, text(v)])),
    dailySpendLimit: text(p.dailySpendLimit),
    maxConcurrentCalls: text(p.maxConcurrentCalls),
    externalCallerId: text(p.externalCallerId),
    dialPlanId: text(p.dialPlanId),
    invoiceDueDays: text(p.invoiceDueDays),
    sendInvoices: text(p.sendInvoices),
    invoiceFormat: text(p.invoiceFormat),
    invoiceDetail: text(p.invoiceDetail),
  };
}

/** A setting for the detail page: the plan's own value, or the value in force marked as inherited. */
function setting(own: unknown, effective: unknown, format: (v: unknown) => string = (v) => String(v)) {
  if (own !== null && own !== undefined) return { value: format(own), inherited: false };
  return { value: `${format(effective)} (inherited)`, inherited: true };
}
const yesNo = (v: unknown) => (v === true ? 'Yes' : v === false ? 'No' : String(v));
const percent = (v: unknown) => `${String(v)} %`;

/** Rate plans » list, new, detail (with its rates and decks), edit, delete. */
@ApiExcludeController()
@Controller()
export class RatePlansAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly plans: RatePlansService,
    private readonly rates: RatesService,
    private readonly repo: RatePlansRepository,
    private readonly customers: CustomerDirectory,
  ) {}

  @Get('rate-plans')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const sharing = SHARING_MODES.find((m) => m === query.sharing);
    const sort = pageSort(req, { name: 'Name', currency: 'Currency', sharing: 'Sharing', createdAt: 'Created' }, 'name');
    // No sort asked for: the API's default (own plans first, then by name).
    const sortParam = typeof query.sort === 'string' && query.sort !== '' ? sort.param : '';
    const result = await this.plans.list(scope, { page, pageSize: PAGE_SIZE, ...(search ? { search } : {}), sharing, ...(sortParam ? { sort: sortParam } : {}) });
    if (!sortParam) sort.headers.name.sort = 'none';
    // Only resellers and the system owner own rate plans: nobody else is offered "New" (it would be refused).
    const acting = await this.customers.find(this.repo.manager, scope.customerId);
    await this.pages.render(req, res, 'rate-plans/list', {
      title: 'Rate plans',
      search,
      sharing: sharing ?? '',
      sharingOptions: SHARING_MODES.map((m) => ({ value: m, label: SHARING_LABELS[m] })),
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl('/api/v1/rate-plans', { search, sharing, sort: sortParam }),
      isAdmin: scope.role === 'administrator',
      canAdd: scope.role === 'administrator' && !!acting && (acting.reseller || acting.parentId === null),
      plans: result.items.map((p) => ({
        id: p.id,
        name: p.name,
        currency: p.currency,
        sharing: SHARING_LABELS[p.sharing],
        editable: p.editable,
        costPlan: p.costPlan,
        rateCount: p.rateCount,
        inheritsFromId: p.inheritsFromId,
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('rate-plans/new')
  async newForm(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertAdministrator(scope);
    const owner = await this.customers.findInScope(this.repo.manager, scope, scope.customerId);
    if (!owner.reseller && owner.parentId !== null) throw new ForbiddenError('only resellers (and the system owner) can own rate plans');
    await this.renderPlanForm(req, res, scope, null, { currency: owner.currency, sharing: 'private' }, {});
  }

  @Post('rate-plans')
  async create(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) =>
      this.renderPlanForm(req, res, scope, null, body, withUnplacedErrors(errors, PLAN_FIELDS), status);
    const save = async (dto: CreateRatePlanDto, problems: FieldError[]) => {
      const plan = await this.plans.create(scope, dto, problems);
      this.pages.redirect(res, `/rate-plans/${plan.id}`, `Rate plan “${plan.name}” created.`);
    };
    await submitForm(CreateRatePlanDto, readPlanForm(body), rerender, save, { checkAll: true });
  }

  @Get('rate-plans/:id')
  async show(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.plans.get(scope, id);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const direction = DIRECTIONS.find((d) => d === query.direction);
    const sort = pageSort(
      req,
      { prefix: 'Prefix', destination: 'Destination', direction: 'Direction', connectFee: 'Connect', perMinute: 'Per minute', priority: 'Priority' },
      'prefix',
    );
    const sortParam = sort.param === 'prefix' ? '' : sort.param;
    for (const h of Object.values(sort.headers)) h.url += '#rates';
    const rates = await this.rates.list(scope, id, { page, pageSize: RATES_PAGE_SIZE, ...(search ? { search } : {}), direction, sort: sort.param });
    const decks = await this.rates.decks(scope, id);
    const e = p.effective;
    const parent = p.inheritsFromId ? await this.plans.get(scope, p.inheritsFromId).catch(() => null) : null;
    await this.pages.render(req, res, 'rate-plans/detail', {
      title: p.name,
      plan: p,
      canEdit: p.editable && scope.role === 'administrator',
      parent,
      sharing: SHARING_LABELS[p.sharing],
      show: {
        precision: setting(p.precision, e.precision),
        signup: setting(p.fees.signup, e.fees.signup),
        account: setting(p.fees.account, e.fees.account),
        perLine: setting(p.fees.perLine, e.fees.perLine),
        perNumber: setting(p.fees.perNumber, e.fees.perNumber),
        includedSeconds: setting(p.includedSeconds, e.includedSeconds),
        billingPeriod: setting(p.billingPeriod, e.billingPeriod, (v) => PERIOD_LABELS[String(v)] ?? String(v)),
        dueDays: setting(p.dueDays, e.dueDays),
        overdueDays: setting(p.overdueDays, e.overdueDays),
        deferBilling: setting(p.deferBilling, e.deferBilling, yesNo),
        minimumContractMonths: setting(p.minimumContractMonths, e.minimumContractMonths, (v) => contractLabel(String(v))),
        markups: Object.keys(p.markups).map((k) => ({
          label: MARKUP_LABELS[k],
          ...setting(p.markups[k as keyof typeof p.markups], e.markups[k as keyof typeof e.markups], percent),
        })),
        dailySpendLimit: setting(p.dailySpendLimit, e.dailySpendLimit),
        maxConcurrentCalls: setting(p.maxConcurrentCalls, e.maxConcurrentCalls),
        externalCallerId: setting(p.externalCallerId, e.externalCallerId, yesNo),
        dialPlanId: setting(p.dialPlanId, e.dialPlanId ?? '—'),
        invoiceDueDays: setting(p.invoiceDueDays, e.invoiceDueDays),
        sendInvoices: setting(p.sendInvoices, e.sendInvoices, yesNo),
        invoiceFormat: setting(p.invoiceFormat, e.invoiceFormat, (v) => String(v).toUpperCase()),
        invoiceDetail: setting(p.invoiceDetail, e.invoiceDetail),
      },
      search,
      direction: direction ?? '',
      sort: sort.headers,
      sortParam,
      ratesCsvUrl: csvExportUrl(`/api/v1/rate-plans/${p.id}/rates`, { search, direction, sort: sortParam }),
      rates: rates.items.map((r) => rateRow(r)),
      rateTotal: rates.total,
      deck: rates.deck ? { ...rates.deck, inForce: deckInForce(rates.deck) } : null,
      decks: decks.map((d) => ({ ...d, inForce: deckInForce(d), createdAt: formatInstant(d.createdAt) })),
      pager: pageLinks(page, RATES_PAGE_SIZE, rates.total, req),
    });
  }

  @Get('rate-plans/:id/edit')
  async editForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await editablePlan(this.plans, scope, id);
    await this.renderPlanForm(req, res, scope, p, planFormValues(p), {});
  }

  @Post('rate-plans/:id/edit')
  async update(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const p = await editablePlan(this.plans, scope, id);
    const values = readPlanForm(body);
    const rerender: Rerender = (errors, status) =>
      this.renderPlanForm(req, res, scope, p, body, withUnplacedErrors(errors, PLAN_FIELDS), status);
    const save = async (dto: UpdateRatePlanDto, problems: FieldError[]) => {
      await this.plans.update(scope, id, dto, problems);
      this.pages.redirect(res, `/rate-plans/${id}`, `Changes to “${values.name as string}” saved.`);
    };
    await submitForm(UpdateRatePlanDto, values, rerender, save, { required: ['name'], checkAll: true });
  }

  @Get('rate-plans/:id/delete')
  async confirmDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await editablePlan(this.plans, scope, id);
    await this.pages.render(req, res, 'rate-plans/confirm', {
      title: `Delete ${p.name}`,
      crumbs: [
        { label: 'Rate plans', href: '/rate-plans' },
        { label: p.name, href: `/rate-plans/${p.id}` },
      ],
      heading: `Delete the rate plan “${p.name}”?`,
      text: `The plan and its ${p.rateCount} rate(s) will be deleted. A plan that customers or other plans use cannot be deleted.`,
      action: `/rate-plans/${p.id}/delete`,
      button: 'Delete rate plan',
      cancelUrl: `/rate-plans/${p.id}`,
    });
  }

  @Post('rate-plans/:id/delete')
  async remove(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    const p = await this.plans.get(scope, id);
    try {
      await this.plans.remove(scope, id);
    } catch (err) {
      return this.pages.redirect(res, `/rate-plans/${id}`, refusal(err, `“${p.name}” was not deleted`));
    }
    this.pages.redirect(res, '/rate-plans', `Rate plan “${p.name}” deleted.`);
  }

  private async renderPlanForm(
    req: Request,
    res: Response,
    scope: Scope,
    plan: RatePlanDto | null,
    values: Record<string, unknown>,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const ownerId = plan?.ownerId ?? scope.customerId;
    const owner = await this.repo.findCustomer(this.repo.manager, ownerId);
    const inheritable = (await this.plans.listAssignable(scope, ownerId)).filter((p) => p.id !== plan?.id);
    const dialPlans = owner ? await this.repo.dialPlansUsableBy(this.repo.manager, owner.path) : [];
    await this.pages.render(
      req,
      res,
      'rate-plans/form',
      {
        title: plan ? `Edit ${plan.name}` : 'New rate plan',
        plan,
        action: plan ? `/rate-plans/${plan.id}/edit` : '/rate-plans',
        // Every field, the fees and markups groups too: the new form starts with two, a raw body may lack some.
        values: formValues(PLAN_FORM, values),
        errors,
        lists: {
          currencies: opts(currencyCodes()),
          sharing: opts(SHARING_MODES, (v) => SHARING_LABELS[v]),
          periods: opts(BILLING_PERIODS, (v) => PERIOD_LABELS[v]),
          contracts: opts(CONTRACT_MONTHS, contractLabel),
          invoiceFormats: opts(INVOICE_FORMATS, (v) => v.toUpperCase()),
          invoiceDetails: opts(INVOICE_DETAILS),
          precisions: opts([0, 1, 2, 3, 4, 5, 6]),
          bools: YES_NO,
          inheritable: inheritable.map((p) => ({ value: String(p.id), label: `${p.name} (${p.currency})` })),
          dialPlans: dialPlans.map((d) => ({ value: String(d.id), label: d.name })),
        },
      },
      status,
    );
  }
}

const MARKUP_LABELS: Record<string, string> = {
  outboundConnect: 'Outbound connect fee',
  outboundPerMinute: 'Outbound per minute',
  outboundMessage: 'Messages',
  inboundConnect: 'Inbound connect fee',
  inboundPerMinute: 'Inbound per minute',
};

function rateRow(r: RateDto) {
  const band = r.startTime || r.endTime ? `${r.startTime ?? '00:00'}–${r.endTime ?? '24:00'}` : '';
  const validity =
    r.validFrom || r.validUntil
      ? `${r.validFrom ? formatInstant(r.validFrom) : '…'} – ${r.validUntil ? formatInstant(r.validUntil) : '…'}`
      : '';
  return { ...r, band, validity, billing: `${r.firstBlock}/${r.increment}` };
}

/**
 * When a deck is in force, in words. A plan's first deck has no start of its own: it is stored from the
 * beginning of time (1970-01-01) so that it covers every call, and is shown as in force since its import.
 */
export function deckInForce(d: { effectiveFrom: string; createdAt: string }): string {
  return new Date(d.effectiveFrom).getTime() <= 0
    ? `since it was imported on ${formatInstant(d.createdAt)}`
    : `from ${formatInstant(d.effectiveFrom)}`;
}
