import { Body, Controller, Get, Inject, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock } from '../../shared/clock';
import { DomainError, ForbiddenError, ValidationError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { CustomerDirectory } from '../../shared/customer-directory';
import { currencyCodes, isIsoInstant } from '../../shared/validation';
import {
  AdminPages,
  fieldPaths,
  formErrors,
  formValues,
  instantFromForm,
  pageFromQuery,
  pageLinks,
  readForm,
  searchFrom,
  statusOf,
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
import { DeckStaging } from './deck-staging';
import { spoolMultipartDeck, type SpooledUpload } from './deck-upload';
import { CreateRatePlanDto, UpdateRatePlanDto, type RatePlanDto } from './dto/rate-plan.dto';
import { CreateRateDto, UpdateRateDto, type RateDto } from './dto/rate.dto';
import { BILLING_PERIODS, SHARING_MODES } from './entities/rate-plan.entity';
import { RATE_DECK_MAX_BYTES } from './rate-plans.controller';
import { RatePlansRepository } from './rate-plans.repository';
import { RatePlansService } from './rate-plans.service';
import { RatesService } from './rates.service';
import { RatingService, toPriceLookupDto } from './rating.service';

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

const RATE_FORM: FormSchema = {
  prefix: 'text',
  destination: 'text',
  direction: 'enum',
  connectFee: 'decimal',
  includedSeconds: 'int',
  perMinute: 'decimal',
  firstBlock: 'int',
  increment: 'int',
  minimumCharge: 'decimal',
  perMessage: 'decimal',
  days: 'text?',
  startTime: 'text?',
  endTime: 'text?',
  priority: 'int',
  validFrom: 'text?',
  validUntil: 'text?',
};
const RATE_FIELDS = Object.keys(RATE_FORM);

const opts = (values: readonly (string | number)[], label: (v: string) => string = (v) => v) =>
  values.map((v) => ({ value: String(v), label: label(String(v)) }));
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

function assertAdministrator(scope: Scope): void {
  if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
}

/** Rate plans » list, new, edit, delete, rates (add, edit, delete, import with preview, export); customer price lookup. */
@ApiExcludeController()
@Controller()
export class RatePlansAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly plans: RatePlansService,
    private readonly rates: RatesService,
    private readonly rating: RatingService,
    private readonly repo: RatePlansRepository,
    private readonly staging: DeckStaging,
    private readonly clock: Clock,
    private readonly customers: CustomerDirectory,
    @Inject(RATE_DECK_MAX_BYTES) private readonly maxDeckBytes: number,
  ) {}

  // ---- plans --------------------------------------------------------------------------------------

  @Get('rate-plans')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const result = await this.plans.list(scope, { page, pageSize: PAGE_SIZE, ...(search ? { search } : {}) });
    await this.pages.render(req, res, 'rate-plans/list', {
      title: 'Rate plans',
      search,
      isAdmin: scope.role === 'administrator',
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
    await this.renderPlanForm(req, res, scope, null, { currency: owner.currency, sharing: 'private' }, {});
  }

  @Post('rate-plans')
  async create(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) =>
      this.renderPlanForm(req, res, scope, null, body, withUnplacedErrors(errors, PLAN_FIELDS), status);
    await submitForm(CreateRatePlanDto, readPlanForm(body), rerender, async (dto) => {
      const plan = await this.plans.create(scope, dto);
      this.pages.redirect(res, `/rate-plans/${plan.id}`, `Rate plan “${plan.name}” created.`);
    });
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
    const rates = await this.rates.list(scope, id, { page, pageSize: RATES_PAGE_SIZE, ...(search ? { search } : {}) });
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
      rates: rates.items.map((r) => rateRow(r)),
      rateTotal: rates.total,
      deck: rates.deck ? { ...rates.deck, effectiveFrom: formatInstant(rates.deck.effectiveFrom) } : null,
      decks: decks.map((d) => ({ ...d, effectiveFrom: formatInstant(d.effectiveFrom), createdAt: formatInstant(d.createdAt) })),
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
    const p = await this.editablePlan(scope, id);
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
    const p = await this.editablePlan(scope, id);
    const values = readPlanForm(body);
    const rerender: Rerender = (errors, status) =>
      this.renderPlanForm(req, res, scope, p, body, withUnplacedErrors(errors, PLAN_FIELDS), status);
    const save = async (dto: UpdateRatePlanDto) => {
      await this.plans.update(scope, id, dto);
      this.pages.redirect(res, `/rate-plans/${id}`, `Changes to “${values.name as string}” saved.`);
    };
    await submitForm(UpdateRatePlanDto, values, rerender, save, { required: ['name'] });
  }

  @Get('rate-plans/:id/delete')
  async confirmDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await this.editablePlan(scope, id);
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

  // ---- single rates -------------------------------------------------------------------------------

  @Get('rate-plans/:id/rates/new')
  async newRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await this.editablePlan(scope, id);
    const defaults = {
      direction: 'outbound',
      connectFee: '0.00',
      includedSeconds: '0',
      firstBlock: '1',
      increment: '1',
      minimumCharge: '0.00',
      perMessage: '0.00',
      priority: '0',
    };
    await this.renderRateForm(req, res, p, null, defaults, {});
  }

  @Post('rate-plans/:id/rates')
  async createRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.editablePlan(scope, id);
    const rerender: Rerender = (errors, status) =>
      this.renderRateForm(req, res, p, null, body, withUnplacedErrors(errors, RATE_FIELDS), status);
    await submitForm(CreateRateDto, readRateForm(body), rerender, async (dto) => {
      const rate = await this.rates.create(scope, id, dto);
      this.pages.redirect(
        res,
        `/rate-plans/${id}?search=${encodeURIComponent(rate.prefix)}`,
        `Rate for ${rate.prefix} (${rate.destination}) added.`,
      );
    });
  }

  @Get('rate-plans/:id/rates/:rateId/edit')
  async editRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('rateId', ParseIntPipe) rateId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await this.editablePlan(scope, id);
    const r = await this.rates.get(scope, id, rateId);
    const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
    const values = Object.fromEntries(RATE_FIELDS.map((f) => [f, text(r[f as keyof RateDto])]));
    await this.renderRateForm(req, res, p, r, values, {});
  }

  @Post('rate-plans/:id/rates/:rateId/edit')
  async updateRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('rateId', ParseIntPipe) rateId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.editablePlan(scope, id);
    const r = await this.rates.get(scope, id, rateId);
    const rerender: Rerender = (errors, status) =>
      this.renderRateForm(req, res, p, r, body, withUnplacedErrors(errors, RATE_FIELDS), status);
    await submitForm(UpdateRateDto, readRateForm(body), rerender, async (dto) => {
      const rate = await this.rates.update(scope, id, rateId, dto);
      this.pages.redirect(res, `/rate-plans/${id}?search=${encodeURIComponent(rate.prefix)}`, `Rate for ${rate.prefix} saved.`);
    });
  }

  @Post('rate-plans/:id/rates/:rateId/delete')
  async deleteRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('rateId', ParseIntPipe) rateId: number,
    @Res() res: Response,
  ): Promise<void> {
    const r = await this.rates.get(scope, id, rateId);
    try {
      await this.rates.remove(scope, id, rateId);
    } catch (err) {
      return this.pages.redirect(res, `/rate-plans/${id}`, refusal(err, 'Not deleted'));
    }
    this.pages.redirect(res, `/rate-plans/${id}`, `Rate for ${r.prefix} (${r.destination}) deleted.`);
  }

  // ---- import -------------------------------------------------------------------------------------

  @Get('rate-plans/:id/import')
  async importForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await this.editablePlan(scope, id);
    await this.renderImport(req, res, p, { effectiveFrom: '' }, {}, null);
  }

  /** Step 1: upload and preview. The file is kept (see DeckStaging) until it is applied or expires. */
  @Post('rate-plans/:id/import')
  async importPreview(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.editablePlan(scope, id);
    let upload: SpooledUpload | null = null;
    let fields: Record<string, string> = {};
    try {
      ({ upload, fields } = await spoolMultipartDeck(req, this.maxDeckBytes));
      const effectiveFrom = this.readEffectiveFrom(fields.effectiveFrom);
      const result = await this.rates.importDeck(scope, id, upload.path, {
        preview: true,
        effectiveFrom: effectiveFrom ? new Date(effectiveFrom) : undefined,
      });
      const token = await this.staging.stage(upload, { planId: id, personId: scope.personId, effectiveFrom });
      upload = null;
      await this.pages.render(req, res, 'rate-plans/import-preview', {
        title: `Import rates into ${p.name}`,
        plan: p,
        diff: result.diff,
        rows: result.rows,
        token,
        effectiveFrom,
        effectiveFromText: effectiveFrom ? formatInstant(effectiveFrom) : null,
      });
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404 || err.status === 403) throw err;
      const lines = err.details.filter((d) => d.field.startsWith('line ')).map((d) => ({ line: d.field.slice(5), message: d.message }));
      const errors: FormErrors = lines.length ? { _form: err.message } : formErrors(err);
      if (err.status === 413) res.setHeader('Connection', 'close');
      await this.renderImport(req, res, p, { effectiveFrom: fields.effectiveFrom ?? '' }, errors, lines.length ? lines : null, err.status);
    } finally {
      if (upload) await upload.cleanup();
    }
  }

  /** Step 2: apply the previewed deck. */
  @Post('rate-plans/:id/import/apply')
  async importApply(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.editablePlan(scope, id);
    let staged;
    try {
      staged = await this.staging.find(body.token, id, scope.personId);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return this.pages.redirect(res, `/rate-plans/${id}/import`, { kind: 'error', text: `${err.message}.` });
    }
    try {
      const result = await this.rates.importDeck(scope, id, staged.path, {
        preview: false,
        effectiveFrom: staged.effectiveFrom ? new Date(staged.effectiveFrom) : undefined,
      });
      const when = result.deck?.status === 'pending' ? ` They take effect on ${formatInstant(result.deck.effectiveFrom)}.` : '';
      this.pages.redirect(res, `/rate-plans/${id}`, `${result.rows} rate(s) imported into “${p.name}”.${when}`);
    } catch (err) {
      this.pages.redirect(res, `/rate-plans/${id}/import`, refusal(err, 'Nothing was imported'));
    } finally {
      await staged.discard();
    }
  }

  // ---- price lookup -------------------------------------------------------------------------------

  @Get('customers/:id/price')
  async price(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const customer = await this.customers.findInScope(this.repo.manager, scope, id);
    const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const values = {
      number: str(query.number),
      direction: str(query.direction) || 'outbound',
      at: str(query.at),
      duration: str(query.duration),
    };
    let result = null;
    let errors: FormErrors = {};
    let status = 200;
    if (values.number) {
      try {
        const errs: FormErrors = {};
        if (values.direction !== 'outbound' && values.direction !== 'inbound') errs.direction = 'Choose outbound or inbound.';
        const at = values.at ? instantFromForm(values.at) : undefined;
        if (at !== undefined && !isIsoInstant(at)) errs.at = 'Give a date and time in UTC (2026-11-25 19:00) or ISO 8601 with an offset.';
        if (values.duration && !/^\d{1,8}$/.test(values.duration)) errs.duration = 'Give whole seconds, e.g. 60.';
        if (Object.keys(errs).length) {
          errors = errs;
          status = 400;
        } else {
          const rated = await this.rating.priceLookup(
            scope,
            id,
            {
              number: values.number,
              direction: values.direction as 'outbound' | 'inbound',
              at: at ? new Date(at as string) : undefined,
              duration: values.duration ? Number(values.duration) : undefined,
            },
            this.clock.now(),
          );
          const dto = toPriceLookupDto(rated);
          const names = await this.customers.names(this.repo.manager, [...new Set(dto.levels.map((l) => l.customerId))]);
          result = {
            ...dto,
            at: formatInstant(dto.at),
            levels: dto.levels.map((l) => ({ ...l, customerName: names.get(l.customerId) ?? String(l.customerId) })),
          };
        }
      } catch (err) {
        // A refusal of the lookup itself (no rate, no exchange rate) is about the whole question.
        errors = err instanceof DomainError && err.status === 422 ? { _form: noRatePrefix(err.message) } : formErrors(err);
        status = statusOf(err);
      }
    }
    await this.pages.render(
      req,
      res,
      'rate-plans/price',
      {
        title: `Price lookup for ${customer.name}`,
        customer: { id: customer.id, name: customer.name },
        values,
        errors,
        result,
        directions: opts(['outbound', 'inbound'], (v) => (v === 'outbound' ? 'Outbound (a call made)' : 'Inbound (a call received)')),
      },
      status,
    );
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private async editablePlan(scope: Scope, id: number): Promise<RatePlanDto> {
    const p = await this.plans.get(scope, id);
    if (!p.editable)
      throw new ForbiddenError('this rate plan is shared with you by its owner: you can assign it to your customers but not change it');
    return p;
  }

  private readEffectiveFrom(v: string | undefined): string | null {
    if (v === undefined || v.trim() === '') return null;
    const iso = instantFromForm(v);
    if (!isIsoInstant(iso))
      throw new ValidationError('effectiveFrom: give a date and time in UTC (2026-12-01 00:00) or ISO 8601 with an offset', [
        { field: 'effectiveFrom', message: 'give a date and time in UTC (2026-12-01 00:00) or ISO 8601 with an offset' },
      ]);
    return new Date(iso).toISOString();
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

  private async renderRateForm(
    req: Request,
    res: Response,
    plan: RatePlanDto,
    rate: RateDto | null,
    values: Record<string, unknown>,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    await this.pages.render(
      req,
      res,
      'rate-plans/rate-form',
      {
        title: rate ? `Edit the rate for ${rate.prefix}` : `New rate in ${plan.name}`,
        plan,
        rate,
        action: rate ? `/rate-plans/${plan.id}/rates/${rate.id}/edit` : `/rate-plans/${plan.id}/rates`,
        values,
        errors,
        directions: opts(['outbound', 'inbound']),
      },
      status,
    );
  }

  private async renderImport(
    req: Request,
    res: Response,
    plan: RatePlanDto,
    values: Record<string, unknown>,
    errors: FormErrors,
    lines: { line: string; message: string }[] | null,
    status = 200,
  ): Promise<void> {
    await this.pages.render(
      req,
      res,
      'rate-plans/import',
      { title: `Import rates into ${plan.name}`, plan, values, errors, lines, maxMegabytes: Math.floor(this.maxDeckBytes / 1048576) || 1 },
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

/** "no_rate: no rate for …" → "No rate for …". */
function noRatePrefix(message: string): string {
  const text = message.replace(/^no_rate: /, '');
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

function readRateForm(body: FormBody): Record<string, unknown> {
  const values = readForm(body, RATE_FORM);
  for (const f of ['validFrom', 'validUntil']) if (typeof values[f] === 'string') values[f] = instantFromForm(values[f]);
  return values;
}

function rateRow(r: RateDto) {
  const band = r.startTime || r.endTime ? `${r.startTime ?? '00:00'}–${r.endTime ?? '24:00'}` : '';
  const validity =
    r.validFrom || r.validUntil
      ? `${r.validFrom ? formatInstant(r.validFrom) : '…'} – ${r.validUntil ? formatInstant(r.validUntil) : '…'}`
      : '';
  return { ...r, band, validity, billing: `${r.firstBlock}/${r.increment}` };
}
