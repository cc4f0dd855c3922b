import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentScope } from '../../../shared/http/decorators';
import { Money } from '../../../shared/money';
import type { Scope } from '../../../shared/scope';
import {
  AdminPages,
  formatInstant,
  formatMoney,
  formErrors,
  instantFromForm,
  pageFromQuery,
  pageLinks,
  statusOf,
  type FormErrors,
} from '../../admin/admin.api';
import { CallHistoryService, type HistoryRequest } from './call-history.service';
import type { CallHistoryItemDto } from './dto/call-history.dto';

const PAGE_SIZE = 25;
export const ACTIVE_CALLS_PATH = '/active-calls';
export const CALL_HISTORY_PATH = '/call-history';

const text = (v: unknown): string => (typeof v === 'string' ? v.trim().slice(0, 60) : '');

/** "1:05:00" / "4:59": a duration in seconds for lists. */
function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Sums per currency, formatted "1.20 EUR, 3.00 USD" ('' when nothing). */
function totalText(sums: Map<string, Money>): string {
  return [...sums.entries()].map(([currency, sum]) => formatMoney(sum, currency)).join(', ');
}

/**
 * Commerce » Active calls (the calls in progress in the acting customer's subtree) and Commerce » Call
 * history (one customer's calls by start time, the charge at each level the viewer may see, CSV export).
 */
@ApiExcludeController()
@Controller()
export class CallsAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly history: CallHistoryService,
  ) {}

  @Get('active-calls')
  async active(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const result = await this.history.active(scope, { page, pageSize: PAGE_SIZE });
    await this.pages.render(req, res, 'calls/active', {
      title: 'Active calls',
      calls: result.items.map((c) => ({
        callId: c.callId,
        customerId: c.customerId,
        customerName: c.customerName,
        caller: c.caller,
        called: c.called,
        direction: c.direction,
        authorizedAt: formatInstant(c.authorizedAt),
        maxDuration: clock(c.maxDurationSeconds),
        expiresAt: formatInstant(c.expiresAt),
        levels: c.levels.map((l) => ({
          customerName: l.customerName,
          reserved: formatMoney(l.reserved, l.currency),
          counted: l.counted,
        })),
      })),
      pager: pageLinks(page, PAGE_SIZE, result.total, req),
    });
  }

  @Get('call-history')
  async list(
    @CurrentScope() scope: Scope,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const page = pageFromQuery(query.page);
    const values = { customerId: text(query.customerId), from: text(query.from), to: text(query.to) };
    const errors: FormErrors = {};
    let customerId: number | undefined;
    if (values.customerId !== '') {
      if (/^\d{1,12}$/.test(values.customerId)) customerId = Number(values.customerId);
      else errors.customerId = 'Choose a customer from the list.';
    }
    const from = values.from === '' ? undefined : String(instantFromForm(values.from));
    const to = values.to === '' ? undefined : String(instantFromForm(values.to));

    let request: HistoryRequest | null = null;
    let items: CallHistoryItemDto[] = [];
    let total = 0;
    let status = 200;
    if (!Object.keys(errors).length) {
      try {
        const result = await this.history.history(scope, { customerId, from, to, page, pageSize: PAGE_SIZE });
        ({ request, items, total } = result);
      } catch (err) {
        // Bad dates come back inline; a customer outside the tree is the 404 page.
        if (statusOf(err) !== 400) throw err;
        Object.assign(errors, formErrors(err));
        status = 400;
      }
    } else status = 400;

    // Columns: the customer's own charge, each visible ancestor's (nearest first), the cost for the system owner.
    const columns = request
      ? [
          { key: `c${request.customer.id}`, label: request.customer.name },
          ...request.ancestors.map((a) => ({ key: `c${a.id}`, label: a.name })),
          ...(request.seesCost ? [{ key: 'cost', label: 'Cost' }] : []),
        ]
      : [];
    const totals = new Map(columns.map((c) => [c.key, new Map<string, Money>()]));
    const calls = items.map((call) => {
      const byKey = new Map(call.charges.map((ch) => [ch.kind === 'cost' ? 'cost' : `c${ch.customerId}`, ch]));
      return {
        callId: call.callId,
        startedAt: formatInstant(call.startedAt),
        answered: call.answeredAt !== null,
        duration: clock(call.durationSeconds),
        caller: call.caller,
        called: call.called,
        direction: call.direction,
        billingReference: call.billingReference ?? '',
        charges: columns.map((col) => {
          const ch = byKey.get(col.key);
          if (!ch) return { amount: '', free: false };
          const sums = totals.get(col.key)!;
          sums.set(ch.currency, (sums.get(ch.currency) ?? Money.ZERO).plus(Money.of(ch.amount)));
          return { amount: formatMoney(ch.amount, ch.currency), free: ch.kind === 'free' };
        }),
      };
    });

    const csv = new URLSearchParams({ format: 'csv' });
    if (request) csv.set('customerId', String(request.customer.id));
    if (from) csv.set('from', from);
    if (to) csv.set('to', to);
    const customers = await this.history.pickable(scope);
    // A big tree lists its first customers only: the one shown is always offered.
    if (request && !customers.some((c) => c.id === request.customer.id)) {
      customers.push({ id: request.customer.id, name: request.customer.name, depth: 0 });
    }
    await this.pages.render(
      req,
      res,
      'calls/history',
      {
        title: 'Call history',
        form: {
          values: { ...values, customerId: values.customerId || String(scope.customerId) },
          errors,
          customers: customers.map((c) => ({ value: String(c.id), label: `${'— '.repeat(c.depth)}${c.name}` })),
        },
        customer: request ? { id: request.customer.id, name: request.customer.name } : null,
        columns,
        calls,
        totals: columns.map((c) => totalText(totals.get(c.key)!)),
        csvUrl: request ? `/api/v1/calls/cdrs?${csv.toString()}` : '',
        pager: pageLinks(page, PAGE_SIZE, total, req),
      },
      status,
    );
  }
}
