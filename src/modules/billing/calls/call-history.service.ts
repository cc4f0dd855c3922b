import { Injectable } from '@nestjs/common';
import { pathIds, type CustomerRef } from '../../../shared/customer-directory';
import { NotFoundError, ValidationError } from '../../../shared/errors';
import type { CsvExport } from '../../../shared/http/list-query';
import { Money } from '../../../shared/money';
import { pageParams, type Page } from '../../../shared/pagination';
import { subtreePattern, type Scope } from '../../../shared/scope';
import { CustomersApi } from '../../customers/customers.api';
import { CallsRepository, type CallLevelRow, type HistoryCallRow, type HistoryRange } from './calls.repository';
import {
  parseHistoryInstant,
  type ActiveCallDto,
  type ActiveCallLevelDto,
  type ActiveCallsQuery,
  type CallHistoryChargeDto,
  type CallHistoryItemDto,
  type CallHistoryQuery,
} from './dto/call-history.dto';

/** The most calls one CSV export writes; a longer range is refused (400) and must be split. */
export const CSV_MAX_ROWS = 1_000_000;
/** Calls read per slice of the CSV export. */
const CSV_SLICE = 2000;

/** The first columns of the CSV export; then `level<k>_customer_id, level<k>_charge, level<k>_currency` per visible ancestor, then `cost, cost_currency` for the system owner. */
export const CSV_BASE_COLUMNS = [
  'call_id',
  'started_at',
  'answered_at',
  'ended_at',
  'duration',
  'caller',
  'called',
  'direction',
  'billing_reference',
  'charge',
  'currency',
] as const;

/** A resolved history request: whose calls, which range, and the columns the caller may see. */
export interface HistoryRequest {
  customer: CustomerRef;
  range: HistoryRange;
  /** The customer's visible ancestors, nearest first (level 1 = the parent, ...), the caller's own customer last. */
  ancestors: CustomerRef[];
  seesCost: boolean;
}

/**
 * Call history and active calls (DOMAIN.md §5 "Call history"): the calls of one customer of the caller's
 * tree by start time with the price at each level the caller may see, as JSON pages or CSV, and the calls
 * in progress of a subtree with what each level has reserved.
 *
 * Visibility (as in the price lookup): the levels at or below the caller's (acting) customer; a reseller
 * sees what it and its customers paid, not what its own parent paid; the carriers' cost only shows to the
 * system owner.
 */
@Injectable()
export class CallHistoryService {
  constructor(
    private readonly repo: CallsRepository,
    private readonly customers: CustomersApi,
  ) {}

  /** Validates the query and finds the customer (404 outside the caller's tree). */
  async resolve(scope: Scope, q: Pick<CallHistoryQuery, 'customerId' | 'from' | 'to'>): Promise<HistoryRequest> {
    const range = historyRange(q.from, q.to);
    const em = this.repo.reader;
    const customer = await this.customers.findInScope(em, scope, q.customerId ?? scope.customerId, { includeDeleted: true });
    const ids = pathIds(customer.path);
    const scopeDepth = ids.indexOf(scope.customerId);
    if (scopeDepth < 0) throw new NotFoundError('customer');
    // The root has no charged level of its own (only the cost level), so ancestors stop below it.
    const ancestorIds = ids.slice(Math.max(scopeDepth, 1), ids.length - 1).reverse();
    const found = await this.customers.findMany(em, ancestorIds);
    const ancestors = ancestorIds.map((id) => found.get(id)).filter((c): c is CustomerRef => !!c);
    return { customer, range, ancestors, seesCost: scopeDepth === 0 };
  }

  /** A page of the customer's calls that started in [from, to), newest first. */
  async history(scope: Scope, q: CallHistoryQuery): Promise<Page<CallHistoryItemDto> & { request: HistoryRequest }> {
    const request = await this.resolve(scope, q);
    const { page, pageSize, skip } = pageParams(q);
    const em = this.repo.reader;
    const [total, rows] = await Promise.all([
      this.repo.historyCount(em, request.customer.id, request.range),
      this.repo.historyPage(em, request.customer.id, request.range, skip, pageSize),
    ]);
    const levels = groupLevels(
      await this.repo.historyLevels(
        em,
        rows.map((r) => r.id),
      ),
    );
    const visible = levelFilter(request);
    return {
      items: rows.map((r) => toHistoryItem(r, request.customer.name, (levels.get(r.id) ?? []).filter(visible))),
      page,
      pageSize,
      total,
      request,
    };
  }

  /** The CSV header for a resolved request. */
  csvHeader(request: HistoryRequest): string[] {
    const out: string[] = [...CSV_BASE_COLUMNS];
    request.ancestors.forEach((_, i) => out.push(`level${i + 1}_customer_id`, `level${i + 1}_charge`, `level${i + 1}_currency`));
    if (request.seesCost) out.push('cost', 'cost_currency');
    return out;
  }

  /**
   * The whole range as CSV, oldest first, read in slices (keyset on start time and id) as the client takes
   * them (streamCsv). The request is resolved and a range of more than CSV_MAX_ROWS calls refused here,
   * before anything is sent.
   */
  async csvExport(scope: Scope, q: CallHistoryQuery): Promise<CsvExport> {
    const request = await this.resolve(scope, q);
    const em = this.repo.reader;
    const count = await this.repo.historyCount(em, request.customer.id, request.range);
    if (count > CSV_MAX_ROWS) {
      throw ValidationError.field('to', `the range holds ${count} calls, more than ${CSV_MAX_ROWS} for one export: split it`);
    }
    const visible = levelFilter(request);
    const repo = this.repo;
    async function* slices(): AsyncGenerator<string[][]> {
      let after: { startedAt: Date; id: number } | null = null;
      for (;;) {
        const rows = await repo.historySlice(em, request.customer.id, request.range, after, CSV_SLICE);
        if (!rows.length) return;
        const last = rows[rows.length - 1];
        after = { startedAt: last.startedAt!, id: last.id };
        const levels = groupLevels(
          await repo.historyLevels(
            em,
            rows.map((r) => r.id),
          ),
        );
        yield rows.map((r) => csvRow(request, r, (levels.get(r.id) ?? []).filter(visible)));
        if (rows.length < CSV_SLICE) return;
      }
    }
    const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : 'all');
    return {
      filename: `calls-${request.customer.id}-${day(request.range.from)}-${day(request.range.to)}.csv`,
      header: this.csvHeader(request),
      slices: slices(),
    };
  }

  /** Active calls of the customer and of its whole subtree, newest first, with the visible levels' reservations. */
  async active(scope: Scope, q: ActiveCallsQuery): Promise<Page<ActiveCallDto>> {
    const em = this.repo.reader;
    const root = await this.customers.findInScope(em, scope, q.customerId ?? scope.customerId, { includeDeleted: true });
    const { page, pageSize, skip } = pageParams(q);
    const { rows, total } = await this.repo.activeCalls(
      em,
      this.customers.subtreeIdsSql().replace(':subtree', '?'),
      subtreePattern(root.path),
      skip,
      pageSize,
    );
    const levels = groupLevels(
      await this.repo.historyLevels(
        em,
        rows.map((r) => r.id),
      ),
    );
    const allLevelIds = [...levels.values()].flat().map((l) => l.customerId);
    const refs = await this.customers.findMany(em, [...rows.map((r) => r.customerId), ...allLevelIds]);
    const items = rows.map((r): ActiveCallDto => {
      const customer = refs.get(r.customerId);
      const ids = pathIds(customer?.path ?? '');
      const scopeDepth = ids.indexOf(scope.customerId);
      const shown = (levels.get(r.id) ?? []).filter((l) => l.kind !== 'cost' && ids.indexOf(l.customerId) >= scopeDepth);
      return {
        callId: r.callRef,
        customerId: r.customerId,
        customerName: customer?.name ?? '',
        caller: r.caller,
        called: r.called,
        direction: r.direction,
        authorizedAt: (r.authorizedAt ?? r.startedAt ?? new Date(0)).toISOString(),
        maxDurationSeconds: r.maxDuration ?? 0,
        expiresAt: (r.expiresAt ?? new Date(0)).toISOString(),
        levels: shown.map((l): ActiveCallLevelDto => ({
          customerId: l.customerId,
          customerName: refs.get(l.customerId)?.name ?? '',
          depth: l.depth,
          kind: l.kind,
          reserved: l.reserved.toString(),
          currency: refs.get(l.customerId)?.currency ?? '',
          counted: l.counted,
        })),
      };
    });
    return { items, page, pageSize, total };
  }

  /** Customers for a picker: the caller's subtree, its own customer first (at most `limit`). */
  pickable(scope: Scope, limit = 500): Promise<Array<{ id: number; name: string; depth: number }>> {
    return this.customers.subtreeCustomers(this.repo.reader, scope.customerPath, limit);
  }
}

/** `from` inclusive, `to` exclusive; 400 for a bad date or `to` not after `from`. */
export function historyRange(from: unknown, to: unknown): HistoryRange {
  const details: Array<{ field: string; message: string }> = [];
  const read = (field: string, v: unknown): Date | null => {
    if (v === undefined || v === null || v === '') return null;
    const d = parseHistoryInstant(v);
    if (!d) details.push({ field, message: 'must be a date (2026-11-25) or an ISO 8601 date-time with offset (2026-11-25T19:00:00Z)' });
    return d;
  };
  const range = { from: read('from', from), to: read('to', to) };
  if (range.from && range.to && range.to.getTime() <= range.from.getTime()) details.push({ field: 'to', message: 'must be after from' });
  if (details.length) throw new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  return range;
}

function groupLevels(rows: CallLevelRow[]): Map<number, CallLevelRow[]> {
  const out = new Map<number, CallLevelRow[]>();
  for (const l of rows) {
    const list = out.get(l.callId) ?? [];
    list.push(l);
    out.set(l.callId, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.depth - b.depth);
  return out;
}

/** Levels the caller may see of the request's customer's calls (priced ones only). */
function levelFilter(request: HistoryRequest): (l: CallLevelRow) => boolean {
  const visible = new Set([request.customer.id, ...request.ancestors.map((a) => a.id)]);
  return (l) => l.amount !== null && (l.kind === 'cost' ? request.seesCost : visible.has(l.customerId));
}

function toHistoryItem(r: HistoryCallRow, customerName: string, levels: CallLevelRow[]): CallHistoryItemDto {
  return {
    callId: r.callRef,
    customerId: r.customerId,
    customerName,
    caller: r.caller,
    called: r.called,
    direction: r.direction,
    status: r.status,
    startedAt: r.startedAt!.toISOString(),
    answeredAt: r.answeredAt?.toISOString() ?? null,
    endedAt: r.endedAt?.toISOString() ?? null,
    durationSeconds: r.duration ?? 0,
    billingReference: r.billingReference,
    charges: levels.map((l): CallHistoryChargeDto => ({
      customerId: l.customerId,
      depth: l.depth,
      kind: l.kind,
      amount: l.amount!.toString(),
      currency: l.currency ?? '',
    })),
  };
}

function csvRow(request: HistoryRequest, r: HistoryCallRow, levels: CallLevelRow[]): string[] {
  const at = (customerId: number) => levels.find((l) => l.kind !== 'cost' && l.customerId === customerId);
  const own = at(request.customer.id);
  const row = [
    r.callRef,
    r.startedAt?.toISOString() ?? '',
    r.answeredAt?.toISOString() ?? '',
    r.endedAt?.toISOString() ?? '',
    String(r.duration ?? 0),
    r.caller,
    r.called,
    r.direction,
    r.billingReference ?? '',
    (own?.amount ?? Money.ZERO).toString(),
    own?.currency ?? request.customer.currency,
  ];
  for (const a of request.ancestors) {
    const l = at(a.id);
    row.push(String(a.id), (l?.amount ?? Money.ZERO).toString(), l?.currency ?? a.currency);
  }
  if (request.seesCost) {
    const cost = levels.find((l) => l.kind === 'cost');
    row.push(cost?.amount?.toString() ?? '', cost?.currency ?? '');
  }
  return row;
}
