import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { assertSystemOwnerAdmin } from '../../shared/system-owner';
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
import { CreateRegionDto, UpdateRegionDto, type RegionDto } from './dto/system.dto';
import { RegionsService } from './regions.service';
import { PAGE_SIZE, sections, SYSTEM_CRUMBS } from './system.admin-shared';
import { SystemSettingsService } from './system-settings.service';

const REGION_FORM: FormSchema = { name: 'text' };
const REGION_CRUMBS: Crumb[] = [...SYSTEM_CRUMBS, { label: 'Regions', href: '/system/regions' }];

/** System » Regions: list, add, rename, delete (administrators of the system owner acting as the system owner). */
@ApiExcludeController()
@Controller()
export class RegionsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly settings: SystemSettingsService,
    private readonly regions: RegionsService,
  ) {}

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
    const sort = pageSort(req, { name: 'Name', createdAt: 'Added' }, 'name');
    const sortParam = sort.param === 'name' ? '' : sort.param;
    const [result, s] = await Promise.all([this.regions.list(scope, { page, pageSize: PAGE_SIZE, sort: sort.param }), this.settings.get(scope)]);
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
        sort: sort.headers,
        csvUrl: csvExportUrl('/api/v1/regions', { sort: sortParam }),
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
}
