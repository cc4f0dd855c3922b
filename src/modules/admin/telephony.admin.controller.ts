import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '../../shared/errors';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { CustomersService } from '../customers/customers.service';
import type { CustomerView } from '../customers/dto/customer.view';
import { CreateMailboxDto, UpdateMailboxDto, type MailboxDto } from '../telephony/dto/mailboxes.dto';
import { AddNumberDto, AddNumberRangeDto, UpdateCustomerNumberDto, type NumberDto } from '../telephony/dto/numbers.dto';
import { CreateSipAccountDto, UpdateSipAccountDto, type SipAccountDto } from '../telephony/dto/sip-accounts.dto';
import { MailboxesService } from '../telephony/mailboxes.service';
import { NumbersService } from '../telephony/numbers.service';
import { SipAccountsService } from '../telephony/sip-accounts.service';
import {
  AdminPages,
  customerCrumbs,
  formErrors,
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
} from './admin-page';
import { formatInstant } from './format';
import { noStore, refusal, submitForm, type Rerender } from './page-flows';

const PAGE_SIZE = 25;
/** How many free numbers the "assign a number" select offers at once (narrow with the search box). */
const ASSIGNABLE_SHOWN = 100;
/** Lines offered when routing a number (the service's largest page). */
const LINES_SHOWN = 500;

const s = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const yesNo = (v: boolean | null | undefined): string => (v === true ? 'Yes' : v === false ? 'No' : '');

/** "Customers › Acme › Telephone lines ›" and the like. */
const lineCrumbs = (c: CustomerView) => customerCrumbs(c, { label: 'Telephone lines', href: `/customers/${c.id}/sip-accounts` });
const mailboxCrumbs = (c: CustomerView) => customerCrumbs(c, { label: 'Mailboxes', href: `/customers/${c.id}/mailboxes` });
const numberCrumbs = (c: CustomerView) => customerCrumbs(c, { label: 'Numbers', href: `/customers/${c.id}/numbers` });

const LINE_FORM: FormSchema = { username: 'text', displayName: 'text', maxConcurrentCalls: 'int?' };
const LINE_EDIT_FORM: FormSchema = { displayName: 'text', maxConcurrentCalls: 'int?' };
const MAILBOX_FORM: FormSchema = { mailbox: 'text', email: 'text?', purge: 'bool?', maxPerFolder: 'int?' };
const NUMBER_FORM: FormSchema = { sipAccountId: 'int?', directory: 'bool?' };
const INVENTORY_FORM: FormSchema = { number: 'text', directory: 'bool?' };
const RANGE_FORM: FormSchema = { from: 'text', to: 'text', directory: 'bool?' };

function limitText(v: number | 'unlimited' | null | undefined): string {
  return v === 'unlimited' ? 'unlimited' : v === null || v === undefined ? 'no limit' : String(v);
}

/**
 * Telephony pages: a customer's telephone lines (SIP accounts), mailboxes and numbers, and the acting
 * customer's number inventory. Secrets and PINs are shown once, on the page that answers the POST that
 * made them; no later page carries them.
 */
@ApiExcludeController()
@Controller()
export class TelephonyAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly customers: CustomersService,
    private readonly lines: SipAccountsService,
    private readonly mailboxes: MailboxesService,
    private readonly numbers: NumbersService,
  ) {}

  // --- telephone lines ---------------------------------------------------------------------------

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
    const result = await this.lines.list(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined });
    const customerLimit = limitText(c.effective.maxConcurrentCalls);
    await this.pages.render(req, res, 'telephony/lines-list', {
      title: `Telephone lines of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      search,
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
    await submitForm(CreateSipAccountDto, readForm(body, LINE_FORM), rerender, async (dto) => {
      const created = await this.lines.create(scope, id, dto);
      // The secret is shown once, so the answer is a page rather than a redirect that would have to carry it.
      noStore(res);
      await this.pages.render(
        req,
        res,
        'telephony/line-secret',
        {
          title: 'Telephone line created',
          heading: `Telephone line “${created.displayName}” created`,
          crumbs: lineCrumbs(c),
          customer: c,
          line: created,
        },
        201,
      );
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
    noStore(res);
    await this.pages.render(req, res, 'telephony/line-secret', {
      title: 'New secret',
      heading: `New secret for “${line.displayName}”`,
      regenerated: true,
      crumbs: lineCrumbs(c),
      customer: c,
      line,
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

  private renderLineForm(
    req: Request,
    res: Response,
    c: CustomerView,
    line: SipAccountDto | null,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const placed = line ? ['displayName', 'maxConcurrentCalls'] : ['username', 'displayName', 'maxConcurrentCalls'];
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
        customerLimit: limitText(c.effective.maxConcurrentCalls),
        values,
        errors: withUnplacedErrors(errors, placed),
      },
      status,
    );
  }

  // --- mailboxes ---------------------------------------------------------------------------------

  @Get('customers/:id/mailboxes')
  async mailboxList(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const result = await this.mailboxes.list(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined });
    await this.pages.render(req, res, 'telephony/mailboxes-list', {
      title: `Mailboxes of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      search,
      mailboxes: result.items.map((m) => mailboxRow(m)),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('customers/:id/mailboxes/new')
  async mailboxNew(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    await this.renderMailboxForm(req, res, c, null, { purge: '', maxPerFolder: '' }, {});
  }

  @Post('customers/:id/mailboxes')
  async mailboxCreate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const rerender: Rerender = (errors, status) => this.renderMailboxForm(req, res, c, null, body, errors, status);
    await submitForm(CreateMailboxDto, readForm(body, MAILBOX_FORM), rerender, async (dto) => {
      const created = await this.mailboxes.create(scope, id, dto);
      noStore(res);
      await this.pages.render(
        req,
        res,
        'telephony/mailbox-pin',
        {
          title: 'Mailbox created',
          heading: `Mailbox ${created.mailbox} created`,
          crumbs: mailboxCrumbs(c),
          customer: c,
          mailbox: created,
        },
        201,
      );
    });
  }

  @Get('customers/:id/mailboxes/:mailboxId/edit')
  async mailboxEdit(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const m = await this.mailboxes.get(scope, id, mailboxId);
    await this.renderMailboxForm(
      req,
      res,
      c,
      m,
      { mailbox: m.mailbox, email: s(m.email), purge: s(m.purge), maxPerFolder: s(m.maxPerFolder) },
      {},
    );
  }

  @Post('customers/:id/mailboxes/:mailboxId/edit')
  async mailboxUpdate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const m = await this.mailboxes.get(scope, id, mailboxId);
    const rerender: Rerender = (errors, status) => this.renderMailboxForm(req, res, c, m, body, errors, status);
    const save = async (dto: UpdateMailboxDto) => {
      await this.mailboxes.update(scope, id, mailboxId, dto);
      this.pages.redirect(res, `/customers/${id}/mailboxes`, `Mailbox ${dto.mailbox ?? m.mailbox} saved.`);
    };
    await submitForm(UpdateMailboxDto, readForm(body, MAILBOX_FORM), rerender, save, { required: ['mailbox'] });
  }

  @Post('customers/:id/mailboxes/:mailboxId/pin')
  async mailboxNewPin(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const m = await this.mailboxes.update(scope, id, mailboxId, { regeneratePin: true });
    noStore(res);
    await this.pages.render(req, res, 'telephony/mailbox-pin', {
      title: 'New PIN',
      heading: `New PIN for mailbox ${m.mailbox}`,
      regenerated: true,
      crumbs: mailboxCrumbs(c),
      customer: c,
      mailbox: m,
    });
  }

  @Get('customers/:id/mailboxes/:mailboxId/delete')
  async mailboxConfirmDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const m = await this.mailboxes.get(scope, id, mailboxId);
    await this.pages.render(req, res, 'telephony/confirm', {
      title: `Delete mailbox ${m.mailbox}`,
      heading: `Delete mailbox ${m.mailbox}?`,
      text: 'Callers can no longer leave messages in it, and its number can be used for another mailbox.',
      crumbs: mailboxCrumbs(c),
      action: `/customers/${id}/mailboxes/${mailboxId}/delete`,
      button: 'Delete',
      cancelUrl: `/customers/${id}/mailboxes`,
    });
  }

  @Post('customers/:id/mailboxes/:mailboxId/delete')
  async mailboxDelete(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Res() res: Response,
  ): Promise<void> {
    const m = await this.mailboxes.get(scope, id, mailboxId);
    await this.mailboxes.remove(scope, id, mailboxId);
    this.pages.redirect(res, `/customers/${id}/mailboxes`, `Mailbox ${m.mailbox} deleted.`);
  }

  private renderMailboxForm(
    req: Request,
    res: Response,
    c: CustomerView,
    m: MailboxDto | null,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    return this.pages.render(
      req,
      res,
      'telephony/mailbox-form',
      {
        title: m ? `Edit mailbox ${m.mailbox}` : 'New mailbox',
        crumbs: mailboxCrumbs(c),
        customer: c,
        mailbox: m,
        isCreate: !m,
        action: m ? `/customers/${c.id}/mailboxes/${m.id}/edit` : `/customers/${c.id}/mailboxes`,
        cancelUrl: `/customers/${c.id}/mailboxes`,
        customerPurge: yesNo(c.purgeVoicemail),
        customerMax: c.maxVoicemailsPerFolder === null ? 'no limit' : String(c.maxVoicemailsPerFolder),
        yesNo: YES_NO,
        values,
        errors: withUnplacedErrors(errors, ['mailbox', 'email', 'purge', 'maxPerFolder']),
      },
      status,
    );
  }

  // --- a customer's numbers ----------------------------------------------------------------------

  @Get('customers/:id/numbers')
  async numberList(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search);
    const result = await this.numbers.listForCustomer(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined });
    const lineNames = await this.lineNames(scope, id);
    await this.pages.render(req, res, 'telephony/numbers-list', {
      title: `Numbers of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      search,
      numbers: result.items.map((n) => ({
        ...n,
        line: n.sipAccountId === null ? null : (lineNames.get(n.sipAccountId) ?? `#${n.sipAccountId}`),
        directoryText: n.directory === null ? `Customer's setting (${yesNo(n.effectiveDirectory)})` : yesNo(n.directory),
        directoryInherited: n.directory === null,
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('customers/:id/numbers/assign')
  async numberAssignForm(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    await this.renderAssign(req, res, scope, c, searchFrom(query.search), {}, {});
  }

  @Post('customers/:id/numbers/assign')
  async numberAssign(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const values = readForm(body, { numberId: 'int' });
    const search = searchFrom(body.search);
    if (typeof values.numberId !== 'number' || values.numberId < 1) {
      return this.renderAssign(req, res, scope, c, search, body, { numberId: 'Choose a free number.' }, 400);
    }
    try {
      const n = await this.numbers.assign(scope, id, { numberId: values.numberId });
      this.pages.redirect(
        res,
        `/customers/${id}/numbers`,
        `Number ${n.number} assigned to ${c.name}. Route it to a telephone line so that it rings.`,
      );
    } catch (err) {
      // A number taken by someone else a moment ago answers 404 or 409: both belong next to the select.
      if (err instanceof DomainError && err.status === 404) {
        return this.renderAssign(req, res, scope, c, search, body, { numberId: 'This number is no longer free. Choose another one.' }, 409);
      }
      return this.renderAssign(req, res, scope, c, search, body, formErrors(err), statusOf(err));
    }
  }

  @Get('customers/:id/numbers/:numberId/edit')
  async numberEdit(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    await this.renderNumberForm(req, res, scope, c, n, { sipAccountId: s(n.sipAccountId), directory: s(n.directory) }, {});
  }

  @Post('customers/:id/numbers/:numberId/edit')
  async numberUpdate(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Body() body: FormBody,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    const rerender: Rerender = (errors, status) => this.renderNumberForm(req, res, scope, c, n, body, errors, status);
    await submitForm(UpdateCustomerNumberDto, readForm(body, NUMBER_FORM), rerender, async (dto) => {
      await this.numbers.update(scope, id, numberId, dto);
      this.pages.redirect(res, `/customers/${id}/numbers`, `Number ${n.number} saved.`);
    });
  }

  @Get('customers/:id/numbers/:numberId/release')
  async numberConfirmRelease(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    await this.pages.render(req, res, 'telephony/confirm', {
      title: `Release ${n.number}`,
      heading: `Release ${n.number} from ${c.name}?`,
      text: 'The number stops ringing on this customer’s lines and goes back to the inventory it came from, free for another customer.',
      crumbs: numberCrumbs(c),
      action: `/customers/${id}/numbers/${numberId}/release`,
      button: 'Release',
      cancelUrl: `/customers/${id}/numbers`,
    });
  }

  @Post('customers/:id/numbers/:numberId/release')
  async numberRelease(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Res() res: Response,
  ): Promise<void> {
    const n = await this.numbers.getForCustomer(scope, id, numberId);
    await this.numbers.release(scope, id, numberId);
    this.pages.redirect(res, `/customers/${id}/numbers`, `Number ${n.number} released.`);
  }

  private async lineNames(scope: Scope, customerId: number): Promise<Map<number, string>> {
    const lines = await this.lines.list(scope, customerId, { pageSize: LINES_SHOWN });
    return new Map(lines.items.map((l) => [l.id, `${l.displayName} (${l.username})`]));
  }

  private async renderAssign(
    req: Request,
    res: Response,
    scope: Scope,
    c: CustomerView,
    search: string,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const free = await this.numbers.listAssignable(scope, c.id, { search: search || undefined, pageSize: ASSIGNABLE_SHOWN });
    await this.pages.render(
      req,
      res,
      'telephony/number-assign',
      {
        title: `Assign a number to ${c.name}`,
        crumbs: numberCrumbs(c),
        customer: c,
        search,
        free: free.items.map((n) => ({ value: String(n.id), label: n.number })),
        more: free.total > free.items.length ? free.total - free.items.length : 0,
        freeHelp: `${free.total} free number${free.total === 1 ? '' : 's'}${search ? ' matching the search' : ''}.`,
        values,
        errors: withUnplacedErrors(errors, ['numberId']),
      },
      status,
    );
  }

  private async renderNumberForm(
    req: Request,
    res: Response,
    scope: Scope,
    c: CustomerView,
    n: NumberDto,
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const lines = await this.lineNames(scope, c.id);
    await this.pages.render(
      req,
      res,
      'telephony/number-form',
      {
        title: `Number ${n.number}`,
        crumbs: numberCrumbs(c),
        customer: c,
        number: n,
        action: `/customers/${c.id}/numbers/${n.id}/edit`,
        cancelUrl: `/customers/${c.id}/numbers`,
        lines: [...lines].map(([id, label]) => ({ value: String(id), label })),
        customerDirectory: yesNo(c.directory),
        yesNo: YES_NO,
        values,
        errors: withUnplacedErrors(errors, ['sipAccountId', 'directory']),
      },
      status,
    );
  }

  // --- the acting customer's inventory -----------------------------------------------------------

  @Get('numbers')
  async inventory(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const me = await this.customers.get(scope, scope.customerId);
    const page = pageFromQuery(query.page);
    const search = searchFrom(query.search).slice(0, 32);
    const status = query.status === 'free' || query.status === 'assigned' ? query.status : '';
    const result = await this.numbers.listInventory(scope, scope.customerId, {
      page,
      pageSize: PAGE_SIZE,
      search: search || undefined,
      free: status === '' ? undefined : status === 'free',
    });
    await this.pages.render(req, res, 'telephony/inventory-list', {
      title: 'Numbers',
      owner: me,
      canAdd: scope.role === 'administrator' && me.reseller,
      isAdmin: scope.role === 'administrator',
      search,
      status,
      statuses: [
        { value: 'free', label: 'Free' },
        { value: 'assigned', label: 'Assigned' },
      ],
      numbers: result.items.map((n) => ({
        ...n,
        free: n.customerId === null,
        directoryText: n.directory === null ? "Customer's setting" : yesNo(n.directory),
        createdAt: formatInstant(n.createdAt),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('numbers/new')
  async inventoryNew(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderInventoryForm(req, res, scope, 'one', {}, {});
  }

  @Get('numbers/new-range')
  async inventoryNewRange(@CurrentScope() scope: Scope, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.renderInventoryForm(req, res, scope, 'range', {}, {});
  }

  @Post('numbers')
  async inventoryAdd(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) => this.renderInventoryForm(req, res, scope, 'one', body, errors, status);
    await submitForm(AddNumberDto, readForm(body, INVENTORY_FORM), rerender, async (dto) => {
      const n = await this.numbers.addToInventory(scope, scope.customerId, dto);
      this.pages.redirect(res, `/numbers?search=${encodeURIComponent(n.number)}`, `Number ${n.number} added to your inventory.`);
    });
  }

  @Post('numbers/range')
  async inventoryAddRange(@CurrentScope() scope: Scope, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rerender: Rerender = (errors, status) => this.renderInventoryForm(req, res, scope, 'range', body, errors, status);
    const save = async (dto: AddNumberRangeDto) => {
      const r = await this.numbers.addRange(scope, scope.customerId, dto);
      this.pages.redirect(
        res,
        '/numbers?status=free',
        `${r.added} number${r.added === 1 ? '' : 's'} from ${r.from} to ${r.to} added to your inventory.`,
      );
    };
    await submitForm(AddNumberRangeDto, readForm(body, RANGE_FORM), rerender, save, { refused: rangeErrors });
  }

  @Post('numbers/:numberId/delete')
  async inventoryDelete(
    @CurrentScope() scope: Scope,
    @Param('numberId', ParseIntPipe) numberId: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const label = typeof body.number === 'string' && /^\d{1,20}$/.test(body.number) ? body.number : `#${numberId}`;
    try {
      await this.numbers.removeFromInventory(scope, scope.customerId, numberId);
    } catch (err) {
      return this.pages.redirect(res, '/numbers', refusal(err, `Number ${label} was not deleted`));
    }
    this.pages.redirect(res, '/numbers', `Number ${label} deleted from your inventory.`);
  }

  private async renderInventoryForm(
    req: Request,
    res: Response,
    scope: Scope,
    kind: 'one' | 'range',
    values: FormBody,
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    const me = await this.customers.get(scope, scope.customerId);
    await this.pages.render(
      req,
      res,
      'telephony/inventory-form',
      {
        title: kind === 'one' ? 'Add a number' : 'Add a range of numbers',
        isRange: kind === 'range',
        owner: me,
        action: kind === 'one' ? '/numbers' : '/numbers/range',
        yesNo: YES_NO,
        values,
        errors: withUnplacedErrors(errors, kind === 'one' ? ['number', 'directory'] : ['from', 'to', 'directory']),
      },
      status,
    );
  }
}

function mailboxRow(m: MailboxDto) {
  return {
    ...m,
    purgeText: m.purge === null ? `Customer's setting (${yesNo(m.effectivePurge)})` : yesNo(m.purge),
    purgeInherited: m.purge === null,
    maxText:
      m.maxPerFolder === null
        ? `Customer's setting (${m.effectiveMaxPerFolder === null ? 'no limit' : m.effectiveMaxPerFolder})`
        : String(m.maxPerFolder),
    maxInherited: m.maxPerFolder === null,
  };
}

/** A refused range lists the first numbers that already exist above the form. */
function rangeErrors(err: unknown): FormErrors {
  const errors = formErrors(err);
  if (err instanceof DomainError && err.details.some((d) => d.field === 'numbers')) {
    const existing = err.details.filter((d) => d.field === 'numbers').map((d) => d.message.replace(/ already exists$/, ''));
    delete errors.numbers;
    errors._form = `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}: ${existing.join(', ')}.`;
  }
  return errors;
}
