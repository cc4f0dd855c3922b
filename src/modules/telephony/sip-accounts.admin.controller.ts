import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { CustomerRef } from '../../shared/customer-directory';
import type { FieldError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import {
  AdminPages,
  customerCrumbs,
  formatInstant,
  OneTimePages,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  searchFrom,
  submitForm,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../admin/admin.api';
import { CreateSipAccountDto, UpdateSipAccountDto, type SipAccountDto } from './dto/sip-accounts.dto';
import { SipAccountsService } from './sip-accounts.service';
import { PAGE_SIZE, PageCustomers, s } from './telephony.admin-shared';

/** "Customers › Acme › Telephone lines ›". */
const lineCrumbs = (c: CustomerRef) => customerCrumbs(c, { label: 'Telephone lines', href: `/customers/${c.id}/sip-accounts` });

const LINE_FORM: FormSchema = { username: 'text', displayName: 'text', maxConcurrentCalls: 'int?' };
const LINE_EDIT_FORM: FormSchema = { displayName: 'text', maxConcurrentCalls: 'int?' };

/**
 * What a line without its own limit falls back to. The value in force comes from the customer or its
 * rate plan, which lie above telephony (CustomerRef does not carry it), so the pages name it only.
 */
function limitText(v: number | 'unlimited'): string {
  return v === 'unlimited' ? 'unlimited' : String(v);
}

/**
 * A customer's telephone lines (SIP accounts). The secret is shown once, on the page that answers the
 * POST that made it; no later page carries it.
 */
@ApiExcludeController()
@Controller()
export class SipAccountsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly customers: PageCustomers,
    private readonly lines: SipAccountsService,
    private readonly oneTime: OneTimePages,
  ) {}

  @Get('customers/:id/sip-accounts')
  async lineList(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const sort = pageSort(req, { username: 'SIP username', displayName: 'Name', maxConcurrentCalls: 'Concurrent calls', createdAt: 'Created' }, 'username');
    const result = await this.lines.list(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined, sort: sort.param });
    const customerLimit = limitText(await this.customers.callLimit(c.id));
    const sortParam = sort.param === 'username' ? '' : sort.param;
    await this.pages.render(req, res, 'telephony/lines-list', {
      title: `Telephone lines of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      search,
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl(`/api/v1/customers/${c.id}/sip-accounts`, { search, sort: sortParam }),
      lines: result.items.map((l) => ({
        ...l,
        limit: l.maxConcurrentCalls === null ? `Customer's limit (${customerLimit})` : String(l.maxConcurrentCalls),
        limitInherited: l.maxConcurrentCalls === null,
        createdAt: formatInstant(l.createdAt),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('customers/:id/sip-accounts/new')
  async lineNew(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    await this.renderLineForm(req, res, c, null, {}, {});
  }

  @Post('customers/:id/sip-accounts')
  async lineCreate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const rerender: Rerender = (errors, status) => this.renderLineForm(req, res, c, null, body, errors, status);
    const save = async (dto: CreateSipAccountDto, problems: FieldError[]) => {
      const created = await this.lines.create(scope, id, dto, problems);
      // Post/Redirect/Get to a page that shows the secret once (OneTimePages).
      await this.oneTime.redirect(req, res, `/customers/${id}/sip-accounts/${created.id}/secret`, {
        title: 'Telephone line created',
        heading: `Telephone line “${created.displayName}” created`,
        regenerated: false,
        line: { username: created.username, secret: created.secret },
      });
    };
    await submitForm(CreateSipAccountDto, readForm(body, LINE_FORM), rerender, save, { checkAll: true });
  }

  /** A line's secret, shown once right after it was made (created or regenerated). */
  @Get('customers/:id/sip-accounts/:lineId/secret')
  async lineSecret(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('lineId', ParseIntPipe) lineId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    await this.oneTime.page(req, res, 'telephony/line-secret', (m) => ({ ...m, crumbs: lineCrumbs(c), customer: c }), {
      url: `/customers/${id}/sip-accounts`,
      text: 'A line’s secret is shown only once. If it was not written down, generate a new one from the line’s page.',
    });
  }

  @Get('customers/:id/sip-accounts/:lineId/edit')
  async lineEdit(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('lineId', ParseIntPipe) lineId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const line = await this.lines.get(scope, id, lineId);
    await this.renderLineForm(req, res, c, line, { displayName: line.displayName, maxConcurrentCalls: s(line.maxConcurrentCalls) }, {});
  }

  @Post('customers/:id/sip-accounts/:lineId/edit')
  async lineUpdate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('lineId', ParseIntPipe) lineId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const line = await this.lines.get(scope, id, lineId);
    const rerender: Rerender = (errors, status) => this.renderLineForm(req, res, c, line, body, errors, status);
    const save = async (dto: UpdateSipAccountDto) => {
      await this.lines.update(scope, id, lineId, dto);
      this.pages.redirect(res, `/customers/${id}/sip-accounts`, `Telephone line “${dto.displayName ?? line.displayName}” saved.`);
    };
    await submitForm(UpdateSipAccountDto, readForm(body, LINE_EDIT_FORM), rerender, save, { required: ['displayName'] });
  }

  @Post('customers/:id/sip-accounts/:lineId/secret')
  async lineNewSecret(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('lineId', ParseIntPipe) lineId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const line = await this.lines.update(scope, id, lineId, { regenerateSecret: true });
    await this.oneTime.redirect(req, res, `/customers/${c.id}/sip-accounts/${lineId}/secret`, {
      title: 'New secret',
      heading: `New secret for “${line.displayName}”`,
      regenerated: true,
      line: { username: line.username, secret: line.secret },
    });
  }

  @Get('customers/:id/sip-accounts/:lineId/delete')
  async lineConfirmDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('lineId', ParseIntPipe) lineId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const line = await this.lines.get(scope, id, lineId);
    await this.pages.render(req, res, 'telephony/confirm', {
      title: `Delete telephone line ${line.username}`,
      heading: `Delete the telephone line “${line.displayName}” (${line.username})?`,
      text: 'The line stops working at once and its username can be used again.',
      note: line.numbers.length
        ? `Its numbers (${line.numbers.join(', ')}) stay with ${c.name}, but no longer ring anywhere until routed to another line.`
        : null,
      crumbs: lineCrumbs(c),
      action: `/customers/${id}/sip-accounts/${lineId}/delete`,
      button: 'Delete',
      cancelUrl: `/customers/${id}/sip-accounts`,
    });
  }

  @Post('customers/:id/sip-accounts/:lineId/delete')
  async lineDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('lineId', ParseIntPipe) lineId: number,
    @Res() res: Response,
  ): Promise<void> {
    const line = await this.lines.get(scope, id, lineId);
    await this.lines.remove(scope, id, lineId);
    this.pages.redirect(res, `/customers/${id}/sip-accounts`, `Telephone line “${line.displayName}” (${line.username}) deleted.`);
  }

  private async renderLineForm(
    req: Request,
    res: Response,
    c: CustomerRef,
    line: SipAccountDto | null,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const placed = line ? ['displayName', 'maxConcurrentCalls'] : ['username', 'displayName', 'maxConcurrentCalls'];
    const customerLimit = limitText(await this.customers.callLimit(c.id));
    return this.pages.render(
      req,
      res,
      'telephony/line-form',
      {
        title: line ? `Edit telephone line ${line.username}` : 'New telephone line',
        crumbs: lineCrumbs(c),
        customer: c,
        line,
        isCreate: !line,
        action: line ? `/customers/${c.id}/sip-accounts/${line.id}/edit` : `/customers/${c.id}/sip-accounts`,
        cancelUrl: `/customers/${c.id}/sip-accounts`,
        customerLimit,
        values,
        errors: withUnplacedErrors(errors, placed),
      },
      status,
    );
  }
}
