import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { CustomerDirectory } from '../../shared/customer-directory';
import { type FieldError, ForbiddenError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { SYSTEM_OWNER_ID } from '../../shared/system-owner';
import {
  AdminPages,
  csvExportUrl,
  pageFromQuery,
  pageSort,
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
import { DialPlansService } from './dial-plans.service';
import { CreateDialPlanDto, UpdateDialPlanDto, type DialPlanDto } from './dto/system.dto';
import { PAGE_SIZE, sections } from './system.admin-shared';

const DIAL_PLAN_FORM: FormSchema = { name: 'text', description: 'text?' };
const DIAL_PLAN_CRUMBS: Crumb[] = [{ label: 'Dial plans', href: '/dial-plans' }];

/** Dial plans: the acting customer's (add, edit, delete) and the ones its parents share with it (listed only). */
@ApiExcludeController()
@Controller()
export class DialPlansAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly dialPlans: DialPlansService,
    private readonly customers: CustomerDirectory,
    private readonly dataSource: DataSource,
  ) {}

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
    const save = async (dto: CreateDialPlanDto, problems: FieldError[]) => {
      const d = await this.dialPlans.create(scope, dto, problems);
      this.pages.redirect(res, '/dial-plans', `Dial plan “${d.name}” added.`);
    };
    await submitForm(CreateDialPlanDto, readForm(body, DIAL_PLAN_FORM), rerender, save, { checkAll: true });
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
    const sort = pageSort(req, { name: 'Name', createdAt: 'Added' }, 'name');
    const sortParam = sort.param === 'name' ? '' : sort.param;
    const result = await this.dialPlans.list(scope, { page, pageSize: PAGE_SIZE, sort: sort.param });
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
        sort: sort.headers,
        csvUrl: csvExportUrl('/api/v1/dial-plans', { sort: sortParam }),
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
