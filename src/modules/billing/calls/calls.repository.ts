import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from '../../../database/dialect';
import { Money } from '../../../shared/money';
import { sqlInstant } from '../ledger.repository';
import { insertRow } from '../../../database/insert-row';
import { CallEntity, type CallStatus } from './entities/call.entity';

/** Money from a BIGINT as the drivers return it (mysql2: string, better-sqlite3: number). */
const money = (v: unknown): Money => Money.fromMicros(typeof v === 'number' || typeof v === 'bigint' ? v : String(v ?? 0));
const date = (v: unknown): Date | null =>
  v === null || v === undefined ? null : v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`);
/** An id column that may be NULL (drivers return ints as numbers or strings). */
const idOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const placeholders = (n: number, each = '?') => Array.from({ length: n }, () => each).join(', ');

/** A balance row as call control reads it under lock. */
export interface BalanceRow {
  customerId: number;
  balance: Money;
  reserved: Money;
  activeCalls: number;
  spentToday: Money;
  spentDay: string | null;
  /** Included call seconds used in the billing period starting `includedPeriod`. */
  includedUsed: number;
  includedPeriod: string | null;
}

export interface CallRow {
  id: number;
  customerId: number;
  callRef: string;
  status: CallStatus;
  direction: string;
  caller: string;
  called: string;
  maxDuration: number | null;
  expiresAt: Date | null;
  authorizeHash: string | null;
  cdrHash: string | null;
  result: string | null;
}

export interface CallLevelRow {
  callId: number;
  customerId: number;
  depth: number;
  kind: 'charge' | 'free' | 'cost';
  counted: boolean;
  reserved: Money;
  amount: Money | null;
  currency: string | null;
  originalAmount: Money | null;
  originalCurrency: string | null;
  exchangeRate: string | null;
  ratePlanId: number | null;
  rateId: number | null;
  /** The rate's destination name when rated (kept: the rate may be replaced later), for invoices by destination. */
  destination: string | null;
}

export interface NewCall {
  customerId: number;
  callRef: string;
  switchCustomerId: number;
  direction: string;
  caller: string;
  called: string;
  status: CallStatus;
  authorizedAt: Date | null;
  expiresAt: Date | null;
  maxDuration: number | null;
  startedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  duration: number | null;
  billingReference: string | null;
  authorizeHash: string | null;
  cdrHash: string | null;
  result: string | null;
  createdAt: Date;
}

export interface EndedCall {
  id: number;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date;
  duration: number;
  billingReference: string | null;
  cdrHash: string;
  result: string;
}

const CALL_COLUMNS =
  'id, customer_id, call_ref, status, direction, caller, called, max_duration, expires_at, authorize_hash, cdr_hash, result';

const CALL_LEVEL_COLUMNS =
  'call_id, customer_id, depth, kind, counted, reserved, amount, currency, original_amount, original_currency, exchange_rate, rate_plan_id, rate_id, destination';

function toCallLevelRow(r: Record<string, unknown>): CallLevelRow {
  return {
    callId: Number(r.call_id),
    customerId: Number(r.customer_id),
    depth: Number(r.depth),
    kind: r.kind as CallLevelRow['kind'],
    counted: Number(r.counted) === 1 || r.counted === true,
    reserved: money(r.reserved),
    amount: r.amount === null ? null : money(r.amount),
    currency: (r.currency as string | null) ?? null,
    originalAmount: r.original_amount === null ? null : money(r.original_amount),
    originalCurrency: (r.original_currency as string | null) ?? null,
    exchangeRate: (r.exchange_rate as string | null) ?? null,
    ratePlanId: idOrNull(r.rate_plan_id),
    rateId: idOrNull(r.rate_id),
    destination: (r.destination as string | null) ?? null,
  };
}

function toCallRow(r: Record<string, unknown>): CallRow {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    callRef: String(r.call_ref),
    status: r.status as CallStatus,
    direction: String(r.direction),
    caller: String(r.caller),
    called: String(r.called),
    maxDuration: r.max_duration === null ? null : Number(r.max_duration),
    expiresAt: date(r.expires_at),
    authorizeHash: (r.authorize_hash as string | null) ?? null,
    cdrHash: (r.cdr_hash as string | null) ?? null,
    result: (r.result as string | null) ?? null,
  };
}

/**
 * Call control's SQL on billing's tables (calls, call_levels, balances' call columns, daily_limit_locks).
 * Set-based where a CDR batch would otherwise cost a statement per item: one statement reads or locks the
 * rows of all items, one writes them.
 */
@Injectable()
export class CallsRepository {
  constructor(private readonly dataSource: DataSource) {}

  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Locks the balance rows of `customerIds` (creating missing ones with balance 0) and reads them. One
   * statement locks them in primary-key order, the same order for every caller, so two calls that share
   * levels queue instead of deadlocking. SQLite runs one transaction at a time and needs no lock.
   */
  async lockBalances(em: EntityManager, customerIds: readonly number[], at: Date, lock = true): Promise<Map<number, BalanceRow>> {
    const ids = [...new Set(customerIds)].sort((a, b) => a - b);
    const out = new Map<number, BalanceRow>();
    if (!ids.length) return out;
    const read = async (wanted: number[], lock: boolean) => {
      const rows = (await em.query(
        `SELECT customer_id, balance, reserved, active_calls, spent_today, spent_day, included_used, included_period FROM balances WHERE customer_id IN (${placeholders(wanted.length)}) ORDER BY customer_id${isSqlite(em) || !lock ? '' : ' FOR UPDATE'}`,
        wanted,
      )) as Array<Record<string, unknown>>;
      for (const r of rows) {
        out.set(Number(r.customer_id), {
          customerId: Number(r.customer_id),
          balance: money(r.balance),
          reserved: money(r.reserved),
          activeCalls: Number(r.active_calls),
          spentToday: money(r.spent_today),
          spentDay: (r.spent_day as string | null) ?? null,
          includedUsed: Number(r.included_used ?? 0),
          includedPeriod: (r.included_period as string | null) ?? null,
        });
      }
    };
    await read(ids, lock);
    const missing = ids.filter((id) => !out.has(id));
    if (missing.length) {
      // A customer's first call: its row is made here (an upsert locks the row exclusively at once).
      const when = sqlInstant(at);
      const values = missing.flatMap((id) => [id, when]);
      await em.query(
        `INSERT INTO balances (customer_id, balance, updated_at) VALUES ${placeholders(missing.length, '(?, 0, ?)')} ` +
          (isSqlite(em) ? 'ON CONFLICT (customer_id) DO NOTHING' : 'ON DUPLICATE KEY UPDATE customer_id = customer_id'),
        values,
      );
      // A locking read sees the latest rows (a plain one would read this transaction's snapshot, which may
      // predate a row another call made meanwhile); the upsert holds them locked already.
      await read(missing, true);
    }
    return out;
  }

  /**
   * Reserves for a call in one conditional UPDATE: each row gets its reservation and call count only if,
   * at that moment, the level can still pay it (balance + credit limit − reserved ≥ the reservation, or > 0
   * when nothing is reserved), stays within its daily limit (today's spending + reserved + the
   * reservation ≤ the limit) and below its concurrent-call limit. Answers false, having changed rows that
   * the caller must roll back, when any row failed its condition.
   */
  async reserve(
    em: EntityManager,
    rows: ReadonlyArray<{
      customerId: number;
      reserve: Money;
      count: number;
      charged: boolean;
      creditLimit: Money;
      maxConcurrent: number | null;
      dailyLimit: Money | null;
      day: string;
    }>,
    at: Date,
  ): Promise<boolean> {
    if (!rows.length) return true;
    const params: unknown[] = [];
    const add = (pick: (r: (typeof rows)[number]) => unknown) =>
      `CASE customer_id ${rows.map((r) => (params.push(r.customerId, pick(r)), 'WHEN ? THEN ?')).join(' ')} END`;
    const sets = `reserved = reserved + ${add((r) => r.reserve.toMicros())}, active_calls = active_calls + ${add((r) => r.count)}`;
    const conditions = rows.map((r) => {
      const parts = ['customer_id = ?'];
      params.push(r.customerId);
      if (r.charged) {
        if (r.reserve.isZero()) parts.push('balance + ? - reserved > 0');
        else parts.push('balance + ? - reserved - ? >= 0');
        params.push(r.creditLimit.toMicros());
        if (!r.reserve.isZero()) params.push(r.reserve.toMicros());
        if (r.dailyLimit !== null) {
          parts.push('(CASE WHEN spent_day = ? THEN spent_today ELSE 0 END) + reserved + ? <= ?');
          params.push(r.day, r.reserve.toMicros(), r.dailyLimit.toMicros());
        }
      }
      if (r.maxConcurrent !== null) {
        parts.push('active_calls < ?');
        params.push(r.maxConcurrent);
      }
      return `(${parts.join(' AND ')})`;
    });
    // A structured result: TypeORM's SQLite driver answers a bare em.query() of an UPDATE with the last row id.
    if (!em.queryRunner) throw new Error('reserve runs inside a transaction');
    const result = await em.queryRunner.query(
      `UPDATE balances SET ${sets}, updated_at = ? WHERE customer_id IN (${placeholders(rows.length)}) AND (${conditions.join(' OR ')})`,
      [
        ...params.slice(0, rows.length * 4),
        sqlInstant(at),
        // The IN list lets the server go by primary key, locking only these rows, in key order.
        ...rows.map((r) => r.customerId).sort((a, b) => a - b),
        ...params.slice(rows.length * 4),
      ],
      true,
    );
    return (result as { affected?: number }).affected === rows.length;
  }

  /** Writes the balance rows back (values computed under the lock), in one statement. */
  async writeBalances(em: EntityManager, rows: readonly BalanceRow[], at: Date): Promise<void> {
    if (!rows.length) return;
    const cases = (pick: (r: BalanceRow) => unknown) => {
      const params: unknown[] = [];
      const sql = `CASE customer_id ${rows.map((r) => (params.push(r.customerId, pick(r)), 'WHEN ? THEN ?')).join(' ')} END`;
      return { sql, params };
    };
    const cols = [
      ['balance', cases((r) => r.balance.toMicros())],
      ['reserved', cases((r) => r.reserved.toMicros())],
      ['active_calls', cases((r) => r.activeCalls)],
      ['spent_today', cases((r) => r.spentToday.toMicros())],
      ['spent_day', cases((r) => r.spentDay)],
      ['included_used', cases((r) => r.includedUsed)],
      ['included_period', cases((r) => r.includedPeriod)],
    ] as const;
    const ids = rows.map((r) => r.customerId);
    await em.query(
      `UPDATE balances SET ${cols.map(([c, x]) => `${c} = ${x.sql}`).join(', ')}, updated_at = ? WHERE customer_id IN (${placeholders(ids.length)})`,
      [...cols.flatMap(([, x]) => x.params), sqlInstant(at), ...ids],
    );
  }

  /**
   * Calls by (customer, call id), a plain read (no lock: see lockCalls for why a locking read by this key
   * would deadlock inserts).
   */
  async findCalls(em: EntityManager, keys: ReadonlyArray<{ customerId: number; callRef: string }>): Promise<CallRow[]> {
    if (!keys.length) return [];
    const out: CallRow[] = [];
    // Chunks keep the statement's size reasonable for big batches.
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const rows = (await em.query(
        `SELECT ${CALL_COLUMNS} FROM calls WHERE ${chunk.map(() => '(customer_id = ? AND call_ref = ?)').join(' OR ')}`,
        chunk.flatMap((k) => [k.customerId, k.callRef]),
      )) as Array<Record<string, unknown>>;
      out.push(...rows.map(toCallRow));
    }
    return out;
  }

  /**
   * Locks existing calls by primary key (record locks only: a locking read by the unique (customer, call
   * id) of a call that does not exist yet would lock the index gap, and two such transactions inserting
   * into that gap deadlock) and reads their latest committed state.
   */
  async lockCalls(em: EntityManager, ids: readonly number[]): Promise<CallRow[]> {
    if (!ids.length) return [];
    const rows = (await em.query(
      `SELECT ${CALL_COLUMNS} FROM calls WHERE id IN (${placeholders(ids.length)}) ORDER BY id${isSqlite(em) ? '' : ' FOR UPDATE'}`,
      [...ids],
    )) as Array<Record<string, unknown>>;
    return rows.map(toCallRow);
  }

  /** Inserts one call and answers its id (authorize); a (customer, call id) that exists already is a unique violation. */
  insertCall(em: EntityManager, call: NewCall): Promise<number> {
    return insertRow(em, CallEntity, { ...call, direction: call.direction as CallEntity['direction'], updatedAt: call.createdAt });
  }

  /** Inserts calls; a (customer, call id) that exists already fails the statement with a unique violation. */
  async insertCalls(em: EntityManager, calls: readonly NewCall[]): Promise<void> {
    for (let i = 0; i < calls.length; i += 200) {
      const chunk = calls.slice(i, i + 200);
      await em.query(
        'INSERT INTO calls (customer_id, call_ref, switch_customer_id, direction, caller, called, status, authorized_at, expires_at, ' +
          'max_duration, started_at, answered_at, ended_at, duration, billing_reference, authorize_hash, cdr_hash, result, created_at, updated_at) ' +
          `VALUES ${placeholders(chunk.length, `(${placeholders(20)})`)}`,
        chunk.flatMap((c) => [
          c.customerId,
          c.callRef,
          c.switchCustomerId,
          c.direction,
          c.caller,
          c.called,
          c.status,
          c.authorizedAt && sqlInstant(c.authorizedAt),
          c.expiresAt && sqlInstant(c.expiresAt),
          c.maxDuration,
          c.startedAt && sqlInstant(c.startedAt),
          c.answeredAt && sqlInstant(c.answeredAt),
          c.endedAt && sqlInstant(c.endedAt),
          c.duration,
          c.billingReference,
          c.authorizeHash,
          c.cdrHash,
          c.result,
          sqlInstant(c.createdAt),
          sqlInstant(c.createdAt),
        ]),
      );
    }
  }

  /** Marks calls ended with their CDR data and answer, in one statement. */
  async endCalls(em: EntityManager, calls: readonly EndedCall[], at: Date): Promise<void> {
    if (!calls.length) return;
    const params: unknown[] = [];
    const col = (pick: (c: EndedCall) => unknown) =>
      `CASE id ${calls.map((c) => (params.push(c.id, pick(c)), 'WHEN ? THEN ?')).join(' ')} END`;
    const sets = [
      `started_at = ${col((c) => sqlInstant(c.startedAt))}`,
      `answered_at = ${col((c) => c.answeredAt && sqlInstant(c.answeredAt))}`,
      `ended_at = ${col((c) => sqlInstant(c.endedAt))}`,
      `duration = ${col((c) => c.duration)}`,
      `billing_reference = ${col((c) => c.billingReference)}`,
      `cdr_hash = ${col((c) => c.cdrHash)}`,
      `result = ${col((c) => c.result)}`,
    ];
    const ids = calls.map((c) => c.id);
    await em.query(`UPDATE calls SET status = 'ended', ${sets.join(', ')}, updated_at = ? WHERE id IN (${placeholders(ids.length)})`, [
      ...params,
      sqlInstant(at),
      ...ids,
    ]);
  }

  async setCallStatus(em: EntityManager, callIds: readonly number[], status: CallStatus, at: Date): Promise<void> {
    if (!callIds.length) return;
    await em.query(`UPDATE calls SET status = ?, updated_at = ? WHERE id IN (${placeholders(callIds.length)})`, [
      status,
      sqlInstant(at),
      ...callIds,
    ]);
  }

  async levelsOf(em: EntityManager, callIds: readonly number[]): Promise<CallLevelRow[]> {
    if (!callIds.length) return [];
    const rows = (await em.query(
      `SELECT ${CALL_LEVEL_COLUMNS} FROM call_levels WHERE call_id IN (${placeholders(callIds.length)}) ORDER BY call_id, depth`,
      callIds,
    )) as Array<Record<string, unknown>>;
    return rows.map(toCallLevelRow);
  }

  /** Replaces the level rows of the given calls with `rows`. */
  async replaceLevels(em: EntityManager, callIds: readonly number[], rows: readonly CallLevelRow[]): Promise<void> {
    if (callIds.length) await em.query(`DELETE FROM call_levels WHERE call_id IN (${placeholders(callIds.length)})`, [...callIds]);
    for (let i = 0; i < rows.length; i += 300) {
      const chunk = rows.slice(i, i + 300);
      await em.query(
        'INSERT INTO call_levels (call_id, customer_id, depth, kind, counted, reserved, amount, currency, original_amount, original_currency, exchange_rate, rate_plan_id, rate_id, destination) ' +
          `VALUES ${placeholders(chunk.length, `(${placeholders(14)})`)}`,
        chunk.flatMap((r) => [
          r.callId,
          r.customerId,
          r.depth,
          r.kind,
          r.counted ? 1 : 0,
          r.reserved.toMicros(),
          r.amount?.toMicros() ?? null,
          r.currency,
          r.originalAmount?.toMicros() ?? null,
          r.originalCurrency,
          r.exchangeRate,
          r.ratePlanId,
          r.rateId,
          r.destination,
        ]),
      );
    }
  }

  /** Active calls whose reservation ran out before `now`, oldest first. */
  async expiredCallIds(em: EntityManager, now: Date, limit: number): Promise<number[]> {
    const rows = (await em.query(
      `SELECT id FROM calls WHERE status = 'active' AND expires_at < ? ORDER BY expires_at LIMIT ${Math.floor(limit)}`,
      [sqlInstant(now)],
    )) as Array<{ id: unknown }>;
    return rows.map((r) => Number(r.id));
  }

  /** The call if it is still active, locked. */
  async lockActiveCall(em: EntityManager, id: number): Promise<CallRow | null> {
    const rows = (await em.query(
      `SELECT ${CALL_COLUMNS} FROM calls WHERE id = ? AND status = 'active'${isSqlite(em) ? '' : ' FOR UPDATE'}`,
      [id],
    )) as Array<Record<string, unknown>>;
    return rows.length ? toCallRow(rows[0]) : null;
  }

  async recordDailyLimitLock(em: EntityManager, customerId: number, day: string, at: Date): Promise<void> {
    await em.query(
      isSqlite(em)
        ? 'INSERT INTO daily_limit_locks (customer_id, day, locked_at) VALUES (?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET day = excluded.day, locked_at = excluded.locked_at'
        : 'INSERT INTO daily_limit_locks (customer_id, day, locked_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE day = VALUES(day), locked_at = VALUES(locked_at)',
      [customerId, day, sqlInstant(at)],
    );
  }

  async dailyLimitLocks(em: EntityManager): Promise<Array<{ customerId: number; day: string }>> {
    const rows = (await em.query('SELECT customer_id, day FROM daily_limit_locks ORDER BY customer_id')) as Array<Record<string, unknown>>;
    return rows.map((r) => ({ customerId: Number(r.customer_id), day: String(r.day) }));
  }

  async dropDailyLimitLock(em: EntityManager, customerId: number, day: string): Promise<void> {
    await em.query('DELETE FROM daily_limit_locks WHERE customer_id = ? AND day = ?', [customerId, day]);
  }

  // ---------------------------------------------------------------------------------------------------
  // Call history and active calls: reads for the API and the pages (call-history.service.ts), not on the
  // hot path of authorize and CDRs.

  /** How many calls of the customer started in [from, to) (through IDX_calls_customer_started). */
  async historyCount(em: EntityManager, customerId: number, range: HistoryRange): Promise<number> {
    const { where, params } = historyWhere(customerId, range);
    const rows = (await em.query(`SELECT COUNT(*) AS n FROM calls WHERE ${where}`, params)) as Array<{ n: unknown }>;
    return Number(rows[0]?.n ?? 0);
  }

  /** A page of the customer's calls that started in [from, to), newest first. */
  async historyPage(em: EntityManager, customerId: number, range: HistoryRange, skip: number, take: number): Promise<HistoryCallRow[]> {
    const { where, params } = historyWhere(customerId, range);
    const rows = (await em.query(
      `SELECT ${HISTORY_COLUMNS} FROM calls WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT ${Math.floor(take)} OFFSET ${Math.floor(skip)}`,
      params,
    )) as Array<Record<string, unknown>>;
    return rows.map(toHistoryRow);
  }

  /**
   * The next `limit` calls of the customer that started in [from, to), oldest first, after the call
   * `after` (keyset: started_at, id), for the CSV export, which reads the range in slices.
   */
  async historySlice(
    em: EntityManager,
    customerId: number,
    range: HistoryRange,
    after: { startedAt: Date; id: number } | null,
    limit: number,
  ): Promise<HistoryCallRow[]> {
    const { where, params } = historyWhere(customerId, range);
    const keyset = after ? ' AND (started_at > ? OR (started_at = ? AND id > ?))' : '';
    const keyParams = after ? [sqlInstant(after.startedAt), sqlInstant(after.startedAt), after.id] : [];
    const rows = (await em.query(
      `SELECT ${HISTORY_COLUMNS} FROM calls WHERE ${where}${keyset} ORDER BY started_at, id LIMIT ${Math.floor(limit)}`,
      [...params, ...keyParams],
    )) as Array<Record<string, unknown>>;
    return rows.map(toHistoryRow);
  }

  /**
   * Active calls of the customers the SQL `customerIdsSql` selects (a subquery with one `?`, bound to
   * `customerIdsParam`), newest first, and how many there are.
   */
  async activeCalls(
    em: EntityManager,
    customerIdsSql: string,
    customerIdsParam: unknown,
    skip: number,
    take: number,
  ): Promise<{ rows: HistoryCallRow[]; total: number }> {
    const where = `status = 'active' AND customer_id IN (${customerIdsSql})`;
    const [count] = (await em.query(`SELECT COUNT(*) AS n FROM calls WHERE ${where}`, [customerIdsParam])) as Array<{ n: unknown }>;
    const rows = (await em.query(
      `SELECT ${HISTORY_COLUMNS} FROM calls WHERE ${where} ORDER BY authorized_at DESC, id DESC LIMIT ${Math.floor(take)} OFFSET ${Math.floor(skip)}`,
      [customerIdsParam],
    )) as Array<Record<string, unknown>>;
    return { rows: rows.map(toHistoryRow), total: Number(count?.n ?? 0) };
  }

  /** The level rows of calls (for history and active lists), by call, in depth order. */
  async historyLevels(em: EntityManager, callIds: readonly number[]): Promise<CallLevelRow[]> {
    const out: CallLevelRow[] = [];
    for (let i = 0; i < callIds.length; i += 500) {
      const chunk = callIds.slice(i, i + 500);
      const rows = (await em.query(
        `SELECT ${CALL_LEVEL_COLUMNS} FROM call_levels WHERE call_id IN (${placeholders(chunk.length)}) ORDER BY call_id, depth`,
        chunk,
      )) as Array<Record<string, unknown>>;
      out.push(...rows.map(toCallLevelRow));
    }
    return out;
  }
}

/** A start-time range of the call history: `from` inclusive, `to` exclusive; either may be open. */
export interface HistoryRange {
  from: Date | null;
  to: Date | null;
}

/** A call as the history and the active-call list read it. */
export interface HistoryCallRow {
  id: number;
  customerId: number;
  callRef: string;
  status: CallStatus;
  direction: string;
  caller: string;
  called: string;
  authorizedAt: Date | null;
  expiresAt: Date | null;
  maxDuration: number | null;
  startedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  duration: number | null;
  billingReference: string | null;
}

const HISTORY_COLUMNS =
  'id, customer_id, call_ref, status, direction, caller, called, authorized_at, expires_at, max_duration, started_at, answered_at, ended_at, duration, billing_reference';

function historyWhere(customerId: number, range: HistoryRange): { where: string; params: unknown[] } {
  const parts = ['customer_id = ?', 'started_at IS NOT NULL'];
  const params: unknown[] = [customerId];
  if (range.from) {
    parts.push('started_at >= ?');
    params.push(sqlInstant(range.from));
  }
  if (range.to) {
    parts.push('started_at < ?');
    params.push(sqlInstant(range.to));
  }
  return { where: parts.join(' AND '), params };
}

function toHistoryRow(r: Record<string, unknown>): HistoryCallRow {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    callRef: String(r.call_ref),
    status: r.status as CallStatus,
    direction: String(r.direction),
    caller: String(r.caller),
    called: String(r.called),
    authorizedAt: date(r.authorized_at),
    expiresAt: date(r.expires_at),
    maxDuration: r.max_duration === null || r.max_duration === undefined ? null : Number(r.max_duration),
    startedAt: date(r.started_at),
    answeredAt: date(r.answered_at),
    endedAt: date(r.ended_at),
    duration: r.duration === null || r.duration === undefined ? null : Number(r.duration),
    billingReference: (r.billing_reference as string | null) ?? null,
  };
}
