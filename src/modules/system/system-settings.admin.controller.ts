import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import type { FieldError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import { RatePlanDirectory } from '../../shared/rate-plan-directory';
import type { Scope } from '../../shared/scope';
import { assertSystemOwnerAdmin, SYSTEM_OWNER_ID } from '../../shared/system-owner';
import { currencyCodes, timeZoneNames } from '../../shared/validation';
import {
  AdminPages,
  readForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  formatInstant,
  submitForm,
  type Rerender,
} from '../admin/admin.api';
import { UpdateSystemSettingsDto } from './dto/system.dto';
import { sections } from './system.admin-shared';
import { SystemSettingsService } from './system-settings.service';

const SETTINGS_FORM: FormSchema = { customerPrefixes: 'bool', regions: 'bool', costPlanId: 'int', timezone: 'enum', currency: 'enum' };

/** System » Settings: the platform-wide settings (administrators of the system owner acting as the system owner; everyone else gets the 403 page). */
@ApiExcludeController()
@Controller()
export class SystemSettingsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly settings: SystemSettingsService,
    private readonly ratePlans: RatePlanDirectory,
    private readonly dataSource: DataSource,
  ) {}

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
    const save = async (dto: UpdateSystemSettingsDto, problems: FieldError[]) => {
      await this.settings.update(scope, dto, problems);
      this.pages.redirect(res, '/system', 'System settings saved.');
    };
    await submitForm(UpdateSystemSettingsDto, readForm(body, SETTINGS_FORM), rerender, save, { checkAll: true });
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
}
