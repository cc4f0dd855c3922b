import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, type FieldError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { CustomerRef } from '../../shared/customer-directory';
import { ROLES, type Scope } from '../../shared/scope';
import { CreatePersonDto, UpdatePersonDto, type PeopleSort, type PersonDto } from './dto/people.dto';
import { MIN_PASSWORD_LENGTH } from './identity.service';
import { PeopleService } from './people.service';
import {
  AdminPages,
  customerCrumbs,
  csvExportUrl,
  pageFromQuery,
  pageLinks,
  pageSort,
  readForm,
  searchFrom,
  withUnplacedErrors,
  type FormBody,
  type FormErrors,
  type FormSchema,
  formatInstant,
  refusal,
  submitForm,
  type Rerender,
} from '../admin/admin.api';

const PAGE_SIZE = 25;

const ROLE_LABELS: Record<string, string> = { administrator: 'Administrator (may change things)', user: 'User (may only look)' };
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] ?? r }));

const CREATE_FORM: FormSchema = { username: 'text', displayName: 'text', email: 'text?', role: 'enum', password: 'text' };
const EDIT_FORM: FormSchema = { displayName: 'text', email: 'text?', role: 'enum', password: 'text' };

/** Passwords are never sent back to the browser, not even after a mistake. */
const withoutPassword = (body: FormBody): FormBody => ({ ...body, password: '' });

/** The people list's sortable columns and their headers. */
const PEOPLE_SORT_LABELS: Record<PeopleSort, string> = {
  username: 'Username',
  displayName: 'Name',
  email: 'Email',
  role: 'Role',
  lastLoginAt: 'Last login',
  createdAt: 'Created',
};

/** A customer's people (logins): list, add, edit, delete, and "send a login link". */
@ApiExcludeController()
@Controller()
export class PeopleAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly people: PeopleService,
  ) {}

  @Get('customers/:id/people')
  async list(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.people.customerInScope(scope, id);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const role = ROLES.find((r) => r === query.role);
    const sort = pageSort(req, PEOPLE_SORT_LABELS, 'username');
    const result = await this.people.list(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined, role, sort: sort.param });
    await this.pages.render(req, res, 'people/list', {
      title: `People of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      search,
      role: role ?? '',
      sort: sort.headers,
      sortParam: sort.param === 'username' ? '' : sort.param,
      csvUrl: csvExportUrl(`/api/v1/customers/${c.id}/people`, { search, role, sort: sort.param === 'username' ? undefined : sort.param }),
      people: result.items.map((p) => ({
        ...p,
        roleText: p.role === 'administrator' ? 'Administrator' : 'User',
        lastLoginAt: formatInstant(p.lastLoginAt),
        isSelf: p.id === scope.personId,
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('customers/:id/people/new')
  async newForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.people.customerInScope(scope, id);
    await this.renderForm(req, res, c, null, { role: 'user' }, {});
  }

  @Post('customers/:id/people')
  async create(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.people.customerInScope(scope, id);
    const rerender: Rerender = (errors, status) => this.renderForm(req, res, c, null, withoutPassword(body), errors, status);
    const save = async (dto: CreatePersonDto, problems: FieldError[]) => {
      const p = await this.people.create(scope, id, dto, problems);
      const how = p.loginLinkSent
        ? ` A link to set the password was emailed to ${p.email}.`
        : ' They can log in with the password you gave.';
      this.pages.redirect(res, `/customers/${id}/people`, `${p.displayName} (${p.username}) added.${how}`);
    };
    await submitForm(CreatePersonDto, readForm(body, CREATE_FORM), rerender, save, { checkAll: true });
  }

  @Get('customers/:id/people/:personId/edit')
  async editForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('personId', ParseIntPipe) personId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.people.customerInScope(scope, id);
    const p = await this.people.get(scope, id, personId);
    await this.renderForm(req, res, c, p, { displayName: p.displayName, email: p.email ?? '', role: p.role }, {});
  }

  @Post('customers/:id/people/:personId/edit')
  async update(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('personId', ParseIntPipe) personId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.people.customerInScope(scope, id);
    const p = await this.people.get(scope, id, personId);
    const rerender: Rerender = (errors, status) => this.renderForm(req, res, c, p, withoutPassword(body), errors, status);
    const save = async (dto: UpdatePersonDto, problems: FieldError[]) => {
      await this.people.update(scope, id, personId, dto, problems);
      const pw = dto.password !== undefined ? ' The new password is set; their other logins were ended.' : '';
      this.pages.redirect(res, `/customers/${id}/people`, `Changes to ${p.username} saved.${pw}`);
    };
    await submitForm(UpdatePersonDto, readForm(body, EDIT_FORM), rerender, save, { required: ['displayName', 'role'], checkAll: true });
  }

  @Post('customers/:id/people/:personId/login-link')
  async sendLoginLink(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('personId', ParseIntPipe) personId: number,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.people.get(scope, id, personId);
    try {
      const sent = await this.people.sendLoginLink(scope, id, personId);
      this.pages.redirect(
        res,
        `/customers/${id}/people`,
        `A login link for ${p.username} was emailed to ${sent.to}. It works once, until ${formatInstant(sent.expiresAt)}.`,
      );
    } catch (err) {
      if (!(err instanceof DomainError) || err.status === 404) throw err;
      const reason = err.details[0]?.field === 'email' ? 'they have no email address; add one first' : err.message;
      this.pages.redirect(res, `/customers/${id}/people`, { kind: 'error', text: `No login link was sent to ${p.username}: ${reason}.` });
    }
  }

  @Get('customers/:id/people/:personId/delete')
  async confirmDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('personId', ParseIntPipe) personId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.people.customerInScope(scope, id);
    const p = await this.people.get(scope, id, personId);
    await this.pages.render(req, res, 'people/delete', {
      title: `Delete ${p.username}`,
      crumbs: customerCrumbs(c, { label: 'People', href: `/customers/${c.id}/people` }),
      customer: c,
      person: p,
      isSelf: p.id === scope.personId,
    });
  }

  @Post('customers/:id/people/:personId/delete')
  async remove(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('personId', ParseIntPipe) personId: number,
    @Res() res: Response,
  ): Promise<void> {
    const p = await this.people.get(scope, id, personId);
    try {
      await this.people.remove(scope, id, personId);
    } catch (err) {
      return this.pages.redirect(res, `/customers/${id}/people`, refusal(err, `${p.username} was not deleted`));
    }
    this.pages.redirect(
      res,
      `/customers/${id}/people`,
      `${p.displayName} (${p.username}) deleted. Their logins and API keys stopped working.`,
    );
  }

  private renderForm(
    req: Request,
    res: Response,
    c: CustomerRef,
    p: PersonDto | null,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const placed = p ? ['displayName', 'email', 'role', 'password'] : ['username', 'displayName', 'email', 'role', 'password'];
    return this.pages.render(
      req,
      res,
      'people/form',
      {
        title: p ? `Edit ${p.username}` : 'New person',
        crumbs: customerCrumbs(c, { label: 'People', href: `/customers/${c.id}/people` }),
        customer: c,
        person: p,
        isCreate: !p,
        action: p ? `/customers/${c.id}/people/${p.id}/edit` : `/customers/${c.id}/people`,
        cancelUrl: `/customers/${c.id}/people`,
        roles: ROLE_OPTIONS,
        emailHelp: p ? 'Login links are sent here.' : 'Login links are sent here. Required unless you give a password.',
        passwordLabel: p ? 'New password' : 'Password',
        passwordHelp: p
          ? `Optional, at least ${MIN_PASSWORD_LENGTH} characters. Leave empty to keep the current one; setting one ends the person's other logins.`
          : `Optional, at least ${MIN_PASSWORD_LENGTH} characters. Leave empty to email a login link instead.`,
        values,
        errors: withUnplacedErrors(errors, placed),
      },
      status,
    );
  }
}
