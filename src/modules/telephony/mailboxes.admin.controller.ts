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
  OneTimePages,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  readForm,
  searchFrom,
  submitForm,
  withUnplacedErrors,
  YES_NO,
  type FormBody,
  type FormErrors,
  type FormSchema,
  type Rerender,
} from '../admin/admin.api';
import { CreateMailboxDto, UpdateMailboxDto, type MailboxDto } from './dto/mailboxes.dto';
import { MailboxesService } from './mailboxes.service';
import { PAGE_SIZE, PageCustomers, s, yesNo } from './telephony.admin-shared';

/** "Customers › Acme › Mailboxes ›". */
const mailboxCrumbs = (c: CustomerRef) => customerCrumbs(c, { label: 'Mailboxes', href: `/customers/${c.id}/mailboxes` });

const MAILBOX_FORM: FormSchema = { mailbox: 'text', email: 'text?', purge: 'bool?', maxPerFolder: 'int?' };

/**
 * A customer's voicemail boxes. The PIN is shown once, on the page that answers the POST that made it;
 * no later page carries it.
 */
@ApiExcludeController()
@Controller()
export class MailboxesAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly customers: PageCustomers,
    private readonly mailboxes: MailboxesService,
    private readonly oneTime: OneTimePages,
  ) {}

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
    const sort = pageSort(req, { mailbox: 'Mailbox', email: 'Notification email', createdAt: 'Created' }, 'mailbox');
    const result = await this.mailboxes.list(scope, id, { page, pageSize: PAGE_SIZE, search: search || undefined, sort: sort.param });
    const sortParam = sort.param === 'mailbox' ? '' : sort.param;
    await this.pages.render(req, res, 'telephony/mailboxes-list', {
      title: `Mailboxes of ${c.name}`,
      crumbs: customerCrumbs(c),
      customer: c,
      isAdmin: scope.role === 'administrator',
      search,
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl(`/api/v1/customers/${c.id}/mailboxes`, { search, sort: sortParam }),
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
    const save = async (dto: CreateMailboxDto, problems: FieldError[]) => {
      const created = await this.mailboxes.create(scope, id, dto, problems);
      // Post/Redirect/Get to a page that shows the PIN once (OneTimePages).
      await this.oneTime.redirect(req, res, `/customers/${id}/mailboxes/${created.id}/pin`, {
        title: 'Mailbox created',
        heading: `Mailbox ${created.mailbox} created`,
        mailbox: { mailbox: created.mailbox, pin: created.pin },
      });
    };
    await submitForm(CreateMailboxDto, readForm(body, MAILBOX_FORM), rerender, save, { checkAll: true });
  }

  /** A mailbox's PIN, shown once right after it was made (created or regenerated). */
  @Get('customers/:id/mailboxes/:mailboxId/pin')
  async mailboxPin(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Param('mailboxId', ParseIntPipe) mailboxId: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const c = await this.customers.get(scope, id);
    await this.oneTime.page(req, res, 'telephony/mailbox-pin', (m) => ({ ...m, crumbs: mailboxCrumbs(c), customer: c }), {
      url: `/customers/${id}/mailboxes`,
      text: 'A mailbox’s PIN is shown only once. If it was not written down, generate a new one from the mailbox’s page.',
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
    const save = async (dto: UpdateMailboxDto, problems: FieldError[]) => {
      await this.mailboxes.update(scope, id, mailboxId, dto, problems);
      this.pages.redirect(res, `/customers/${id}/mailboxes`, `Mailbox ${dto.mailbox ?? m.mailbox} saved.`);
    };
    await submitForm(UpdateMailboxDto, readForm(body, MAILBOX_FORM), rerender, save, { required: ['mailbox'], checkAll: true });
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
    await this.oneTime.redirect(req, res, `/customers/${c.id}/mailboxes/${mailboxId}/pin`, {
      title: 'New PIN',
      heading: `New PIN for mailbox ${m.mailbox}`,
      regenerated: true,
      mailbox: { mailbox: m.mailbox, pin: m.pin },
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
    c: CustomerRef,
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
