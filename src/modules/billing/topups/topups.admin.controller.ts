import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CurrentScope } from '../../../shared/http/decorators';
import { Money } from '../../../shared/money';
import type { Scope } from '../../../shared/scope';
import {
  AdminPages,
  formatInstant,
  formatMoney,
  csvExportUrl,
  pageFromQuery,
  pageSort,
  pageLinks,
  refusal,
  searchFrom,
  type FormBody,
} from '../../admin/admin.api';
import { isTopUpStatus, TOPUP_REASON_MAX, TOPUP_STATUS_LABELS, TOPUP_STATUSES } from '../domain/topup-requests';
import { REQUESTS_PATH } from './low-balance.service';
import { TopUpsService } from './topups.service';

const PAGE_SIZE = 25;
/** The hidden field with the approve form's idempotency key: an approval sent twice (a double click) credits once. */
const KEY_FIELD = 'idempotencyKey';

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/** Commerce » Requests: the descendants' top-up requests, approved or rejected by the parent's administrators. */
@ApiExcludeController()
@Controller()
export class TopUpsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly topups: TopUpsService,
  ) {}

  @Get('requests')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const status = isTopUpStatus(query.status) ? query.status : undefined;
    const search = searchFrom(query.search);
    const sort = pageSort(req, { customerName: 'Customer', createdAt: 'Requested', amount: 'Amount', status: 'Status' }, '-createdAt');
    const sortParam = sort.param === '-createdAt' ? '' : sort.param;
    const result = await this.topups.list(scope, { page, pageSize: PAGE_SIZE, status, search: search || undefined, sort: sort.param });
    const isAdmin = scope.role === 'administrator';
    await this.pages.render(req, res, 'requests/list', {
      title: 'Requests',
      search,
      status: status ?? '',
      sort: sort.headers,
      sortParam,
      csvUrl: csvExportUrl('/api/v1/topup-requests', { status, search, sort: sortParam }),
      statuses: TOPUP_STATUSES.map((value) => ({ value, label: TOPUP_STATUS_LABELS[value] })),
      requests: result.items.map((r) => ({
        id: r.id,
        customerId: r.customerId,
        customerName: r.customerName,
        accountNumber: r.accountNumber ?? '',
        createdAt: formatInstant(r.createdAt),
        decidedAt: formatInstant(r.decidedAt),
        amount: formatMoney(r.amount, r.currency),
        balanceAtRequest: formatMoney(r.balanceAtRequest, r.currency),
        balanceNegative: Money.of(r.balanceAtRequest).isNegative(),
        channel: r.channel === 'card' ? 'Card' : 'Parent',
        status: r.status,
        statusText: TOPUP_STATUS_LABELS[r.status],
        reason: r.reason ?? '',
        canDecide: isAdmin && r.status === 'pending' && r.channel === 'parent',
        key: randomUUID(),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Post('requests/:id/approve')
  async approve(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const key = text(body[KEY_FIELD]) || undefined;
    try {
      const answer = await this.topups.approve(scope, id, key);
      const { request, balance } = answer.body;
      this.pages.redirect(
        res,
        `${REQUESTS_PATH}?status=pending`,
        answer.replayed
          ? `This approval was already sent: request #${request.id} was credited once.`
          : `Request #${request.id} approved: ${formatMoney(request.amount, request.currency)} credited to ${request.customerName}. ` +
              `The balance is now ${formatMoney(balance, request.currency)}.`,
      );
    } catch (err) {
      this.pages.redirect(res, REQUESTS_PATH, refusal(err, `Request #${id} was not approved`));
    }
  }

  @Post('requests/:id/reject')
  async reject(
    @CurrentScope() scope: Scope,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    const reason = text(body.reason).slice(0, TOPUP_REASON_MAX) || undefined;
    try {
      const { request } = await this.topups.reject(scope, id, { reason });
      this.pages.redirect(res, `${REQUESTS_PATH}?status=pending`, `Request #${request.id} of ${request.customerName} rejected.`);
    } catch (err) {
      this.pages.redirect(res, REQUESTS_PATH, refusal(err, `Request #${id} was not rejected`));
    }
  }
}
