import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock } from '../../shared/clock';
import type { FieldError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { assertSystemOwnerAdmin } from '../../shared/system-owner';
import { currencyCodes } from '../../shared/validation';
import {
  AdminPages,
  instantFromForm,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  formatInstant,
  submitForm,
  type Rerender,
} from '../admin/admin.api';
import { CreateExchangeRateDto } from './dto/system.dto';
import { ExchangeRatesService } from './exchange-rates.service';
import { PAGE_SIZE, sections, SYSTEM_CRUMBS } from './system.admin-shared';
import { SystemSettingsService } from './system-settings.service';

const RATE_FORM: FormSchema = { currency: 'enum', rate: 'decimal', validFrom: 'text' };

/** System » Exchange rates: list (by currency), add, delete (administrators of the system owner acting as the system owner). */
@ApiExcludeController()
@Controller()
export class ExchangeRatesAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly settings: SystemSettingsService,
    private readonly rates: ExchangeRatesService,
    private readonly clock: Clock,
  ) {}

  @Get('system/exchange-rates')
  async rateList(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const now = this.clock.now().toISOString();
    await this.renderRates(req, res, scope, query, { validFrom: `${now.slice(0, 10)} ${now.slice(11, 16)}` }, {});
  }

  @Post('system/exchange-rates')
  async rateCreate(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const values = readForm(body, RATE_FORM);
    if (values.validFrom !== undefined) values.validFrom = instantFromForm(values.validFrom);
    const rerender: Rerender = (errors, status) => this.renderRates(req, res, scope, {}, body, errors, status);
    const save = async (dto: CreateExchangeRateDto, problems: FieldError[]) => {
      const r = await this.rates.create(scope, dto, problems);
      this.pages.redirect(res, '/system/exchange-rates', `Exchange rate for ${r.currency} from ${formatInstant(r.validFrom)} added.`);
    };
    await submitForm(CreateExchangeRateDto, values, rerender, save, { checkAll: true });
  }

  @Get('system/exchange-rates/:rateId/delete')
  async rateConfirmDelete(
    @CurrentScope() scope: Scope,
    @Param('rateId', ParseIntPipe) rateId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const r = await this.rates.get(scope, rateId);
    const s = await this.settings.get(scope);
    await this.pages.render(req, res, 'system/confirm', {
      title: `Delete exchange rate ${r.currency}`,
      crumbs: [...SYSTEM_CRUMBS, { label: 'Exchange rates', href: '/system/exchange-rates' }],
      heading: `Delete the rate 1 ${s.currency} = ${r.rate} ${r.currency} from ${formatInstant(r.validFrom)}?`,
      text: 'Amounts already converted keep the rate they used; conversions from now on use the rate in force before it, if any.',
      action: `/system/exchange-rates/${r.id}/delete`,
      cancelUrl: '/system/exchange-rates',
    });
  }

  @Post('system/exchange-rates/:rateId/delete')
  async rateDelete(@CurrentScope() scope: Scope, @Param('rateId', ParseIntPipe) rateId: number, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const r = await this.rates.get(scope, rateId);
    await this.rates.remove(scope, rateId);
    this.pages.redirect(res, '/system/exchange-rates', `Exchange rate for ${r.currency} from ${formatInstant(r.validFrom)} deleted.`);
  }

  private async renderRates(
    req: Request,
    res: Response,
    scope: Scope,
    query: Record<string, unknown>,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const s = await this.settings.get(scope);
    const codes = currencyCodes();
    const currency = typeof query.currency === 'string' && codes.includes(query.currency) ? query.currency : '';
    const page = pageFromQuery(query.page);
    const sort = pageSort(req, { validFrom: 'Valid from', currency: 'Currency', rate: 'Rate', createdAt: 'Recorded' }, '-validFrom');
    // No sort asked for: the API's default (newest first, then by currency).
    const sortParam = typeof query.sort === 'string' && query.sort !== '' ? sort.param : '';
    if (!sortParam) sort.headers.validFrom.sort = 'none';
    const result = await this.rates.list(scope, { page, pageSize: PAGE_SIZE, currency: currency || undefined, ...(sortParam ? { sort: sortParam } : {}) });
    await this.pages.render(
      req,
      res,
      'system/exchange-rates',
      {
        title: 'Exchange rates',
        sections: sections('/system/exchange-rates'),
        systemCurrency: s.currency,
        currency,
        sort: sort.headers,
        sortParam,
        csvUrl: csvExportUrl('/api/v1/exchange-rates', { currency, sort: sortParam }),
        currencies: codes.filter((c) => c !== s.currency).map((c) => ({ value: c, label: c })),
        rates: result.items.map((r) => ({ ...r, validFrom: formatInstant(r.validFrom), createdAt: formatInstant(r.createdAt) })),
        pager: pageLinks(page, PAGE_SIZE, result.total, req),
        values,
        errors: withUnplacedErrors(errors, ['currency', 'rate', 'validFrom']),
      },
      status,
    );
  }
}
