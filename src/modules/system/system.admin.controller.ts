import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Clock } from '../../shared/clock';
import { ForbiddenError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { currencyCodes, timeZoneNames } from '../../shared/validation';
import { DataSource } from 'typeorm';
import { CustomerDirectory } from '../../shared/customer-directory';
import { RatePlanDirectory } from '../../shared/rate-plan-directory';
import { DialPlansService } from './dial-plans.service';
import {
  CreateDialPlanDto,
  CreateExchangeRateDto,
  CreateRegionDto,
  UpdateDialPlanDto,
  UpdateRegionDto,
  UpdateSystemSettingsDto,
  type DialPlanDto,
  type RegionDto,
} from './dto/system.dto';
import { ExchangeRatesService } from './exchange-rates.service';
import { RegionsService } from './regions.service';
import { assertSystemOwnerAdmin, SYSTEM_OWNER_ID } from '../../shared/system-owner';
import { SystemSettingsService } from './system-settings.service';
import {
  AdminPages,
  instantFromForm,
  pageFromQuery,
  pageLinks,
  readForm,
  withUnplacedErrors,
  type Crumb,
  type FormBody,
  type FormErrors,
  type FormSchema,
  formatInstant,
  refusal,
  submitForm,
  type Rerender,
} from '../admin/admin.api';

const PAGE_SIZE = 25;

const SETTINGS_FORM: FormSchema = { customerPrefixes: 'bool', regions: 'bool', costPlanId: 'int', timezone: 'enum', currency: 'enum' };
const REGION_FORM: FormSchema = { name: 'text' };
const DIAL_PLAN_FORM: FormSchema = { name: 'text', description: 'text?' };
const RATE_FORM: FormSchema = { currency: 'enum', rate: 'decimal', validFrom: 'text' };

const SYSTEM_CRUMBS: Crumb[] = [{ label: 'System', href: '/system' }];
const REGION_CRUMBS: Crumb[] = [...SYSTEM_CRUMBS, { label: 'Regions', href: '/system/regions' }];
const DIAL_PLAN_CRUMBS: Crumb[] = [{ label: 'Dial plans', href: '/dial-plans' }];

/** The sections of the system pages (a sub-navigation on each of them). */
const SECTIONS = [
  { label: 'Settings', href: '/system' },
  { label: 'Regions', href: '/system/regions' },
  { label: 'Exchange rates', href: '/system/exchange-rates' },
  { label: 'Dial plans', href: '/dial-plans' },
];
const sections = (current: string) => SECTIONS.map((s) => ({ ...s, current: s.href === current }));

/**
 * System pages: platform-wide settings, regions and exchange rates (administrators of the system owner,
 * acting as the system owner: everyone else gets the 403 page), and the acting customer's dial plans.
 */
@ApiExcludeController()
@Controller()
export class SystemAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly settings: SystemSettingsService,
    private readonly regions: RegionsService,
    private readonly dialPlans: DialPlansService,
    private readonly rates: ExchangeRatesService,
    private readonly customers: CustomerDirectory,
    private readonly ratePlans: RatePlanDirectory,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  // --- settings ----------------------------------------------------------------------------------

  @Get('system')
  async settingsForm(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const s = await this.settings.get(scope);
    const values = {
      customerPrefixes: s.customerPrefixes ? 'on' : '',
      regions: s.regions ? 'on' : '',
      costPlanId: s.costPlanId === null ? '' : String(s.costPlanId),
      timezone: s.timezone,
      currency: s.currency,
    };
    await this.renderSettings(req, res, scope, values, {});
  }

  @Post('system')
  async saveSettings(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const rerender: Rerender = (errors, status) => this.renderSettings(req, res, scope, body, errors, status);
    await submitForm(UpdateSystemSettingsDto, readForm(body, SETTINGS_FORM), rerender, async (dto) => {
      await this.settings.update(scope, dto);
      this.pages.redirect(res, '/system', 'System settings saved.');
    });
  }

  private async renderSettings(
    req: Request,
    res: Response,
    scope: Scope,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const current = await this.settings.get(scope);
    const costPlans = await this.ratePlans.plansOwnedBy(this.dataSource.manager, SYSTEM_OWNER_ID);
    await this.pages.render(
      req,
      res,
      'system/settings',
      {
        title: 'System settings',
        sections: sections('/system'),
        updatedAt: formatInstant(current.updatedAt),
        // The API cannot clear the cost plan once set, so "None" is offered only while there is none.
        costPlanEmpty: current.costPlanId === null ? 'None' : null,
        costPlans: costPlans.map((p) => ({ value: String(p.id), label: `${p.name} (${p.currency})` })),
        timeZones: timeZoneNames().map((z) => ({ value: z, label: z.replace(/_/g, ' ') })),
        currencies: currencyCodes().map((c) => ({ value: c, label: c })),
        values,
        errors: withUnplacedErrors(errors, Object.keys(SETTINGS_FORM)),
      },
      status,
    );
  }

  // --- regions -----------------------------------------------------------------------------------

  @Get('system/regions')
  async regionList(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    await this.renderRegions(req, res, scope, pageFromQuery(query.page), {}, {});
  }

  @Post('system/regions')
  async regionCreate(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const rerender: Rerender = (errors, status) => this.renderRegions(req, res, scope, 1, body, errors, status);
    await submitForm(CreateRegionDto, readForm(body, REGION_FORM), rerender, async (dto) => {
      const r = await this.regions.create(scope, dto);
      this.pages.redirect(res, '/system/regions', `Region “${r.name}” added.`);
    });
  }

  @Get('system/regions/:regionId/edit')
  async regionEdit(
    @CurrentScope() scope: Scope,
    @Param('regionId', ParseIntPipe) regionId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const r = await this.regions.get(scope, regionId);
    await this.renderRegionForm(req, res, r, { name: r.name }, {});
  }

  @Post('system/regions/:regionId/edit')
  async regionRename(
    @CurrentScope() scope: Scope,
    @Param('regionId', ParseIntPipe) regionId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const r = await this.regions.get(scope, regionId);
    const rerender: Rerender = (errors, status) => this.renderRegionForm(req, res, r, body, errors, status);
    const save = async (dto: UpdateRegionDto) => {
      const saved = await this.regions.update(scope, regionId, dto);
      this.pages.redirect(
        res,
        '/system/regions',
        saved.name === r.name ? 'Nothing changed.' : `Region “${r.name}” renamed to “${saved.name}”.`,
      );
    };
    await submitForm(UpdateRegionDto, readForm(body, REGION_FORM), rerender, save, { required: ['name'] });
  }

  @Get('system/regions/:regionId/delete')
  async regionConfirmDelete(
    @CurrentScope() scope: Scope,
    @Param('regionId', ParseIntPipe) regionId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const r = await this.regions.get(scope, regionId);
    await this.pages.render(req, res, 'system/confirm', {
      title: `Delete region ${r.name}`,
      crumbs: REGION_CRUMBS,
      heading: `Delete the region “${r.name}”?`,
      text: 'A region that customers use cannot be deleted.',
      action: `/system/regions/${r.id}/delete`,
      cancelUrl: '/system/regions',
    });
  }

  @Post('system/regions/:regionId/delete')
  async regionDelete(@CurrentScope() scope: Scope, @Param('regionId', ParseIntPipe) regionId: number, @Res() res: Response): Promise<void> {
    assertSystemOwnerAdmin(scope);
    const r = await this.regions.get(scope, regionId);
    try {
      await this.regions.remove(scope, regionId);
    } catch (err) {
      return this.pages.redirect(res, '/system/regions', refusal(err, `The region “${r.name}” was not deleted`));
    }
    this.pages.redirect(res, '/system/regions', `Region “${r.name}” deleted.`);
  }

  private async renderRegions(
    req: Request,
    res: Response,
    scope: Scope,
    page: number,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const [result, s] = await Promise.all([this.regions.list(scope, { page, pageSize: PAGE_SIZE }), this.settings.get(scope)]);
    await this.pages.render(
      req,
      res,
      'system/regions',
      {
        title: 'Regions',
        sections: sections('/system/regions'),
        enabled: s.regions,
        regions: result.items.map((r) => ({ ...r, createdAt: formatInstant(r.createdAt) })),
        pager: pageLinks(page, PAGE_SIZE, result.total, req),
        values,
        errors: withUnplacedErrors(errors, ['name']),
      },
      status,
    );
  }

  private renderRegionForm(req: Request, res: Response, r: RegionDto, values: FormBody, errors: FormErrors, status = 200): Promise<void> {
    return this.pages.render(
      req,
      res,
      'system/region-form',
      {
        title: `Rename region ${r.name}`,
        crumbs: REGION_CRUMBS,
        region: r,
        values,
        errors: withUnplacedErrors(errors, ['name']),
      },
      status,
    );
  }

  // --- exchange rates ----------------------------------------------------------------------------

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
    await submitForm(CreateExchangeRateDto, values, rerender, async (dto) => {
      const r = await this.rates.create(scope, dto);
      this.pages.redirect(res, '/system/exchange-rates', `Exchange rate for ${r.currency} from ${formatInstant(r.validFrom)} added.`);
    });
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
    const result = await this.rates.list(scope, { page, pageSize: PAGE_SIZE, currency: currency || undefined });
    await this.pages.render(
      req,
      res,
      'system/exchange-rates',
      {
        title: 'Exchange rates',
        sections: sections('/system/exchange-rates'),
        systemCurrency: s.currency,
        currency,
        currencies: codes.filter((c) => c !== s.currency).map((c) => ({ value: c, label: c })),
        rates: result.items.map((r) => ({ ...r, validFrom: formatInstant(r.validFrom), createdAt: formatInstant(r.createdAt) })),
        pager: pageLinks(page, PAGE_SIZE, result.total, req),
        values,
        errors: withUnplacedErrors(errors, ['currency', 'rate', 'validFrom']),
      },
      status,
    );
  }

  // --- dial plans (the acting customer's) --------------------------------------------------------

  @Get('dial-plans')
  async dialPlanList(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.renderDialPlans(req, res, scope, pageFromQuery(query.page), {}, {});
  }

  @Post('dial-plans')
  async dialPlanCreate(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) => this.renderDialPlans(req, res, scope, 1, body, errors, status);
    await submitForm(CreateDialPlanDto, readForm(body, DIAL_PLAN_FORM), rerender, async (dto) => {
      const d = await this.dialPlans.create(scope, dto);
      this.pages.redirect(res, '/dial-plans', `Dial plan “${d.name}” added.`);
    });
  }

  @Get('dial-plans/:planId/edit')
  async dialPlanEdit(
    @CurrentScope() scope: Scope,
    @Param('planId', ParseIntPipe) planId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const d = await this.ownDialPlan(scope, planId);
    await this.renderDialPlanForm(req, res, d, { name: d.name, description: d.description ?? '' }, {});
  }

  @Post('dial-plans/:planId/edit')
  async dialPlanUpdate(
    @CurrentScope() scope: Scope,
    @Param('planId', ParseIntPipe) planId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const d = await this.ownDialPlan(scope, planId);
    const rerender: Rerender = (errors, status) => this.renderDialPlanForm(req, res, d, body, errors, status);
    const save = async (dto: UpdateDialPlanDto) => {
      const saved = await this.dialPlans.update(scope, planId, dto);
      this.pages.redirect(res, '/dial-plans', `Dial plan “${saved.name}” saved.`);
    };
    await submitForm(UpdateDialPlanDto, readForm(body, DIAL_PLAN_FORM), rerender, save, { required: ['name'] });
  }

  @Get('dial-plans/:planId/delete')
  async dialPlanConfirmDelete(
    @CurrentScope() scope: Scope,
    @Param('planId', ParseIntPipe) planId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const d = await this.ownDialPlan(scope, planId);
    await this.pages.render(req, res, 'system/confirm', {
      title: `Delete dial plan ${d.name}`,
      crumbs: DIAL_PLAN_CRUMBS,
      heading: `Delete the dial plan “${d.name}”?`,
      text: 'A dial plan that a customer or a rate plan uses cannot be deleted.',
      action: `/dial-plans/${d.id}/delete`,
      cancelUrl: '/dial-plans',
    });
  }

  @Post('dial-plans/:planId/delete')
  async dialPlanDelete(@CurrentScope() scope: Scope, @Param('planId', ParseIntPipe) planId: number, @Res() res: Response): Promise<void> {
    const d = await this.ownDialPlan(scope, planId);
    try {
      await this.dialPlans.remove(scope, planId);
    } catch (err) {
      return this.pages.redirect(res, '/dial-plans', refusal(err, `The dial plan “${d.name}” was not deleted`));
    }
    this.pages.redirect(res, '/dial-plans', `Dial plan “${d.name}” deleted.`);
  }

  /** A parent's plan can be seen in the list but not opened for changes (403 page, as the service says). */
  private async ownDialPlan(scope: Scope, planId: number): Promise<DialPlanDto> {
    const d = await this.dialPlans.get(scope, planId);
    if (!d.own) throw new ForbiddenError("a parent's dial plan can be used but not changed");
    return d;
  }

  private async renderDialPlans(
    req: Request,
    res: Response,
    scope: Scope,
    page: number,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const result = await this.dialPlans.list(scope, { page, pageSize: PAGE_SIZE });
    const em = this.dataSource.manager;
    const owners = await this.customers.names(
      em,
      result.items.filter((d) => !d.own).map((d) => d.ownerCustomerId),
    );
    const acting = await this.customers.find(em, scope.customerId);
    const isAdmin = scope.role === 'administrator';
    await this.pages.render(
      req,
      res,
      'system/dial-plans',
      {
        title: 'Dial plans',
        sections: scope.personCustomerId === SYSTEM_OWNER_ID && !scope.switched && isAdmin ? sections('/dial-plans') : null,
        canAdd: isAdmin && !!acting?.reseller,
        isAdmin,
        ownerName: acting?.name ?? '',
        plans: result.items.map((d) => ({
          ...d,
          ownerName: d.own ? null : (owners.get(d.ownerCustomerId) ?? `#${d.ownerCustomerId}`),
          createdAt: formatInstant(d.createdAt),
        })),
        pager: pageLinks(page, PAGE_SIZE, result.total, req),
        values,
        errors: withUnplacedErrors(errors, ['name', 'description']),
      },
      status,
    );
  }

  private renderDialPlanForm(
    req: Request,
    res: Response,
    d: DialPlanDto,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    return this.pages.render(
      req,
      res,
      'system/dial-plan-form',
      {
        title: `Edit dial plan ${d.name}`,
        crumbs: DIAL_PLAN_CRUMBS,
        plan: d,
        values,
        errors: withUnplacedErrors(errors, ['name', 'description']),
      },
      status,
    );
  }
}
