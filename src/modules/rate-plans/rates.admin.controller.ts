import { Body, Controller, Get, Inject, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, type FieldError, ValidationError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { isIsoInstant } from '../../shared/validation';
import {
  AdminPages,
  CsrfService,
  OneTimePages,
  formErrors,
  instantFromForm,
  readForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  formatInstant,
  refusal,
  submitForm,
  type Rerender,
} from '../admin/admin.api';
import { DeckStaging } from './deck-staging';
import { spoolMultipartDeck, type SpooledUpload } from './deck-upload';
import type { RatePlanDto } from './dto/rate-plan.dto';
import { CreateRateDto, UpdateRateDto, type RateDto } from './dto/rate.dto';
import { assertAdministrator, editablePlan, opts } from './rate-plans.admin-shared';
import { RATE_DECK_MAX_BYTES } from './rate-plans.controller';
import { RatePlansService } from './rate-plans.service';
import { RatesService } from './rates.service';

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

/** Rate plans » a plan's rates: add, edit, delete, and a deck import (upload with preview, then apply). */
@ApiExcludeController()
@Controller()
export class RatesAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly plans: RatePlansService,
    private readonly rates: RatesService,
    private readonly staging: DeckStaging,
    @Inject(RATE_DECK_MAX_BYTES) private readonly maxDeckBytes: number,
    private readonly csrf: CsrfService,
    private readonly oneTime: OneTimePages,
  ) {}

  @Get('rate-plans/:id/rates/new')
  async newRate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await editablePlan(this.plans, scope, id);
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
    const p = await editablePlan(this.plans, scope, id);
    const rerender: Rerender = (errors, status) =>
      this.renderRateForm(req, res, p, null, body, withUnplacedErrors(errors, RATE_FIELDS), status);
    const save = async (dto: CreateRateDto, problems: FieldError[]) => {
      const rate = await this.rates.create(scope, id, dto, problems);
      this.pages.redirect(
        res,
        `/rate-plans/${id}?search=${encodeURIComponent(rate.prefix)}`,
        `Rate for ${rate.prefix} (${rate.destination}) added.`,
      );
    };
    await submitForm(CreateRateDto, readRateForm(body), rerender, save, { checkAll: true });
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
    const p = await editablePlan(this.plans, scope, id);
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
    const p = await editablePlan(this.plans, scope, id);
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
    const p = await editablePlan(this.plans, scope, id);
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
    const p = await editablePlan(this.plans, scope, id);
    let upload: SpooledUpload | null = null;
    let fields: Record<string, string> = {};
    try {
      // The CSRF token is the form's first field, checked before the file is accepted (never in the URL).
      ({ upload, fields } = await spoolMultipartDeck(req, this.maxDeckBytes, (token) => this.csrf.verifyFormToken(req, token)));
      const effectiveFrom = this.readEffectiveFrom(fields.effectiveFrom);
      const result = await this.rates.importDeck(scope, id, upload.path, {
        preview: true,
        effectiveFrom: effectiveFrom ? new Date(effectiveFrom) : undefined,
      });
      const token = await this.staging.stage(upload, { planId: id, personId: scope.personId, effectiveFrom });
      upload = null;
      // Post/Redirect/Get: the preview is a GET page (a reload shows it again, it does not upload again); its
      // few values travel in the sealed cookie of OneTimePages, the staging token never in a URL.
      await this.oneTime.redirect(req, res, `/rate-plans/${id}/import/preview`, {
        diff: result.diff,
        rows: result.rows,
        token,
        effectiveFrom,
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

  /** Step 1's answer: what the upload would change, with the button that applies it. */
  @Get('rate-plans/:id/import/preview')
  async importPreviewPage(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertAdministrator(scope);
    const p = await editablePlan(this.plans, scope, id);
    const preview = await this.oneTime.take<{ diff: unknown; rows: number; token: string; effectiveFrom: string | null }>(req, res, {
      keep: true,
    });
    if (!preview) {
      return this.pages.redirect(res, `/rate-plans/${id}/import`, {
        kind: 'error',
        text: 'The preview has expired or belongs to another upload: upload the deck again.',
      });
    }
    await this.pages.render(req, res, 'rate-plans/import-preview', {
      title: `Import rates into ${p.name}`,
      plan: p,
      diff: preview.diff,
      rows: preview.rows,
      token: preview.token,
      effectiveFrom: preview.effectiveFrom,
      effectiveFromText: preview.effectiveFrom ? formatInstant(preview.effectiveFrom) : null,
    });
  }

  /** Step 2: apply the previewed deck. */
  @Post('rate-plans/:id/import/apply')
  async importApply(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const p = await editablePlan(this.plans, scope, id);
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

  // ---- helpers ------------------------------------------------------------------------------------

  private readEffectiveFrom(v: string | undefined): string | null {
    if (v === undefined || v.trim() === '') return null;
    const iso = instantFromForm(v);
    if (!isIsoInstant(iso))
      throw new ValidationError('effectiveFrom: give a date and time in UTC (2026-12-01 00:00) or ISO 8601 with an offset', [
        { field: 'effectiveFrom', message: 'give a date and time in UTC (2026-12-01 00:00) or ISO 8601 with an offset' },
      ]);
    return new Date(iso).toISOString();
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

function readRateForm(body: FormBody): Record<string, unknown> {
  const values = readForm(body, RATE_FORM);
  for (const f of ['validFrom', 'validUntil']) if (typeof values[f] === 'string') values[f] = instantFromForm(values[f]);
  return values;
}
