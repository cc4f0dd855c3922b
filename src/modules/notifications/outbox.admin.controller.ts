import { Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../shared/http/decorators';
import type { Scope } from '../../shared/scope';
import { OUTBOX_STATUSES, type OutboxStatus } from './entities/outbox-email.entity';
import { OutboxService } from './outbox.service';
import { AdminPages, csvExportUrl, pageFromQuery, pageLinks, pageSort, searchFrom, formatInstant, refusal } from '../admin/admin.api';
import { DataSource } from 'typeorm';
import { CustomerDirectory } from '../../shared/customer-directory';

const PAGE_SIZE = 25;

/** What the status means to an operator. */
const STATUS_TEXT: Record<OutboxStatus, string> = {
  pending: 'Waiting to be sent',
  sending: 'Being sent',
  sent: 'Sent',
  failed: 'Failed: gave up after several attempts',
  kept: 'Kept here: no mail server is configured',
};

/** "Sent mail": the outbox of the acting customer's subtree (administrators only: it holds login links). */
@ApiExcludeController()
@Controller('outbox')
export class OutboxAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly outbox: OutboxService,
    private readonly customers: CustomerDirectory,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  async list(
    @CurrentScope() scope: Scope,
    @Req() req: Request,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const status = OUTBOX_STATUSES.find((s) => s === query.status);
    const search = searchFrom(query.search);
    const sort = pageSort(
      req,
      { subject: 'Subject', to: 'To', status: 'Status', createdAt: 'Created', sentAt: 'Sent', template: 'Template' },
      '-createdAt',
    );
    const sortParam = sort.param === '-createdAt' ? '' : sort.param;
    const result = await this.outbox.list(scope, { page, pageSize: PAGE_SIZE, status, search: search || undefined, sort: sort.param });
    const names = await this.customers.names(
      this.dataSource.manager,
      result.items.map((m) => m.customerId).filter((id): id is number => id !== null),
    );
    await this.pages.render(req, res, 'admin/outbox-list', {
      title: 'Sent mail',
      status: status ?? '',
      search,
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl('/api/v1/outbox', { status, search, sort: sortParam }),
      statuses: OUTBOX_STATUSES.map((s) => ({ value: s, label: STATUS_TEXT[s] })),
      mails: result.items.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        status: m.status,
        statusText: STATUS_TEXT[m.status] ?? m.status,
        customerId: m.customerId,
        customerName: m.customerId === null ? null : (names.get(m.customerId) ?? `#${m.customerId}`),
        createdAt: formatInstant(m.createdAt),
        sentAt: formatInstant(m.sentAt),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get(':id')
  async detail(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const m = await this.outbox.get(scope, id);
    // The HTML goes into a sandboxed iframe's srcdoc (escaped as an attribute): no script runs and it never
    // joins this page's DOM or origin.
    const preview = await this.outbox.preview(scope, id);
    const names = await this.customers.names(this.dataSource.manager, m.customerId === null ? [] : [m.customerId]);
    await this.pages.render(req, res, 'admin/outbox-detail', {
      title: m.subject,
      mail: {
        ...m,
        statusText: STATUS_TEXT[m.status] ?? m.status,
        customerName: m.customerId === null ? null : (names.get(m.customerId) ?? `#${m.customerId}`),
        createdAt: formatInstant(m.createdAt),
        sentAt: formatInstant(m.sentAt),
        nextAttemptAt: formatInstant(m.nextAttemptAt),
        canRetry: m.status === 'failed',
      },
      preview,
    });
  }

  @Post(':id/retry')
  async retry(@CurrentScope() scope: Scope, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    try {
      await this.outbox.retry(scope, id);
      this.pages.redirect(res, `/outbox/${id}`, 'The email will be sent again.');
    } catch (err) {
      this.pages.redirect(res, `/outbox/${id}`, refusal(err, 'Not retried'));
    }
  }
}
