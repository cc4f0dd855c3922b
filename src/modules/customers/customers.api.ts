import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { isSqlite } from '../../database/dialect';
import { CustomerDirectory, pathIds, type CustomerChainSql, type CustomerRef, type PathState } from '../../shared/customer-directory';
import { RatePlanDirectory } from '../../shared/rate-plan-directory';
import { concurrentLimitFromStored } from '../rate-plans/domain/plan-level-settings';
import { CustomerEntity, type BillingType, type PaymentType } from './entities/customer.entity';
import { Money } from '../../shared/money';
import { spendLimitFromMicros, type Limit } from '../rate-plans/domain/plan-level-settings';

export type { BillingType, PaymentType } from './entities/customer.entity';
export { BILLING_TYPES, PAYMENT_TYPES } from './entities/customer.entity';

/**
 * What billing needs of a customer to control and charge its calls and watch its balance. The two limits
 * are the customer's own setting: null means "the rate plan's value" (billing resolves it with the plan).
 */
export interface BillingProfile {
  id: number;
  parentId: number | null;
  path: string;
  depth: number;
  name: string;
  email: string;
  accountNumber: string | null;
  reseller: boolean;
  deleted: boolean;
  lockedCalls: boolean;
  lockReason: string | null;
  billingType: BillingType;
  billingReference: string | null;
  paymentType: PaymentType;
  currency: string;
  timezone: string;
  ratePlanId: number | null;
  creditLimit: Money;
  lowBalanceThreshold: Money;
  autoTopUp: boolean;
  ownDailySpendLimit: Limit<Money> | null;
  ownMaxConcurrentCalls: Limit<number> | null;
}

const PROFILE_COLUMNS = {
  id: true,
  parentId: true,
  path: true,
  depth: true,
  name: true,
  email: true,
  accountNumber: true,
  reseller: true,
  deletedAt: true,
  lockedCalls: true,
  lockReason: true,
  billingType: true,
  billingReference: true,
  paymentType: true,
  currency: true,
  timezone: true,
  ratePlanId: true,
  creditLimit: true,
  lowBalanceThreshold: true,
  autoTopUp: true,
  dailySpendLimitMicros: true,
  maxConcurrentCalls: true,
} as const;

const PROFILE_SQL =
  'id, parent_id, path, depth, name, email, account_number, reseller, deleted_at, locked_calls, lock_reason, billing_type, ' +
  'billing_reference, payment_type, currency, timezone, rate_plan_id, credit_limit, low_balance_threshold, auto_top_up, ' +
  'daily_spend_limit_micros, max_concurrent_calls';

const flag = (v: unknown): boolean => v === true || Number(v) === 1;
const micros = (v: unknown): Money => Money.fromMicros(typeof v === 'number' || typeof v === 'bigint' ? v : String(v));
const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A profile from a raw row of PROFILE_SQL (the drivers' types: mysql2 strings for BIGINT, better-sqlite3 numbers). */
function profileFromRow(r: Record<string, unknown>): BillingProfile {
  return {
    id: Number(r.id),
    parentId: intOrNull(r.parent_id),
    path: String(r.path),
    depth: Number(r.depth),
    name: String(r.name),
    email: String(r.email),
    accountNumber: (r.account_number as string | null) ?? null,
    reseller: flag(r.reseller),
    deleted: r.deleted_at !== null && r.deleted_at !== undefined,
    lockedCalls: flag(r.locked_calls),
    lockReason: (r.lock_reason as string | null) ?? null,
    billingType: r.billing_type as BillingType,
    billingReference: (r.billing_reference as string | null) ?? null,
    paymentType: r.payment_type as PaymentType,
    currency: String(r.currency),
    timezone: String(r.timezone),
    ratePlanId: intOrNull(r.rate_plan_id),
    creditLimit: micros(r.credit_limit),
    lowBalanceThreshold: micros(r.low_balance_threshold),
    autoTopUp: flag(r.auto_top_up),
    ownDailySpendLimit: spendLimitFromMicros(r.daily_spend_limit_micros as string | number | null),
    ownMaxConcurrentCalls: concurrentLimitFromStored(intOrNull(r.max_concurrent_calls)),
  };
}

function toBillingProfile(c: Pick<CustomerEntity, keyof typeof PROFILE_COLUMNS>): BillingProfile {
  return {
    id: c.id,
    parentId: c.parentId,
    path: c.path,
    depth: c.depth,
    name: c.name,
    email: c.email,
    accountNumber: c.accountNumber,
    reseller: !!c.reseller,
    deleted: c.deletedAt !== null,
    lockedCalls: !!c.lockedCalls,
    lockReason: c.lockReason,
    billingType: c.billingType,
    billingReference: c.billingReference,
    paymentType: c.paymentType,
    currency: c.currency,
    timezone: c.timezone,
    ratePlanId: c.ratePlanId,
    creditLimit: c.creditLimit,
    lowBalanceThreshold: c.lowBalanceThreshold,
    autoTopUp: !!c.autoTopUp,
    ownDailySpendLimit: spendLimitFromMicros(c.dailySpendLimitMicros),
    ownMaxConcurrentCalls: concurrentLimitFromStored(c.maxConcurrentCalls),
  };
}

/** The columns a CustomerRef is made of (the rest of the row stays inside this module). */
const REF_COLUMNS = {
  id: true,
  parentId: true,
  path: true,
  name: true,
  type: true,
  reseller: true,
  deletedAt: true,
  lockedWeb: true,
  lockedCalls: true,
  ratePlanId: true,
  currency: true,
  timezone: true,
  regionId: true,
  dialPlanId: true,
  directory: true,
  purgeVoicemail: true,
  maxVoicemailsPerFolder: true,
  logoUrl: true,
} as const;

export function toCustomerRef(c: Pick<CustomerEntity, keyof typeof REF_COLUMNS>): CustomerRef {
  return {
    id: c.id,
    parentId: c.parentId,
    path: c.path,
    name: c.name,
    type: c.type,
    reseller: !!c.reseller,
    deleted: c.deletedAt !== null,
    lockedWeb: !!c.lockedWeb,
    lockedCalls: !!c.lockedCalls,
    ratePlanId: c.ratePlanId,
    currency: c.currency,
    timezone: c.timezone,
    regionId: c.regionId,
    dialPlanId: c.dialPlanId,
    directory: !!c.directory,
    purgeVoicemail: !!c.purgeVoicemail,
    maxVoicemailsPerFolder: c.maxVoicemailsPerFolder,
    logoUrl: c.logoUrl,
  };
}

/**
 * The customers module's answer to the kernel's CustomerDirectory: how every other module reads the
 * tree (scope lookups, ancestor chains, lock flags, names). Depends on nothing but the database, so the
 * composition root can bind it for the modules below customers.
 */
@Injectable()
export class CustomersApi extends CustomerDirectory {
  constructor(private readonly ratePlans: RatePlanDirectory) {
    super();
  }

  async effectiveCallLimit(em: EntityManager, customerId: number): Promise<number | 'unlimited'> {
    const c = await em.findOne(CustomerEntity, {
      where: { id: customerId },
      select: { id: true, maxConcurrentCalls: true, ratePlanId: true },
    });
    const own = c ? concurrentLimitFromStored(c.maxConcurrentCalls) : null;
    if (own !== null) return own;
    return c?.ratePlanId ? this.ratePlans.planCallLimit(em, c.ratePlanId) : 'unlimited';
  }

  async find(em: EntityManager, id: number): Promise<CustomerRef | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const row = await em.findOne(CustomerEntity, { where: { id }, select: REF_COLUMNS });
    return row ? toCustomerRef(row) : null;
  }

  /**
   * A customer (deleted ones too), read with a shared lock until the transaction ends (MariaDB: LOCK IN
   * SHARE MODE): its currency and deleted state cannot change meanwhile, while other shared readers go
   * ahead (a ledger posting reads its customer so). SQLite runs one transaction at a time.
   */
  async findShared(em: EntityManager, id: number): Promise<CustomerRef | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    if (isSqlite(em)) return this.find(em, id);
    const row = await em.findOne(CustomerEntity, { where: { id }, select: REF_COLUMNS, lock: { mode: 'pessimistic_read' } });
    return row ? toCustomerRef(row) : null;
  }

  async findMany(em: EntityManager, ids: readonly number[]): Promise<Map<number, CustomerRef>> {
    const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
    if (!unique.length) return new Map();
    const rows = await em.find(CustomerEntity, { where: { id: In(unique) }, select: REF_COLUMNS });
    return new Map(rows.map((r) => [r.id, toCustomerRef(r)]));
  }

  /** Billing profiles by id (deleted customers too); ids that do not exist are left out. */
  async billingProfiles(em: EntityManager, ids: readonly number[]): Promise<Map<number, BillingProfile>> {
    const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
    if (!unique.length) return new Map();
    // Raw SQL: call control reads this on every call, and TypeORM's select building and hydration cost
    // more than the statement itself.
    const rows = (await em.query(
      `SELECT ${PROFILE_SQL} FROM customers WHERE id IN (${unique.map(() => '?').join(', ')})`,
      unique,
    )) as Array<Record<string, unknown>>;
    return new Map(rows.map((r) => [Number(r.id), profileFromRow(r)]));
  }

  /**
   * The live child of `parentId` with this account number (voucher redemption), or null. Account numbers
   * are unique per parent, ignoring case.
   */
  async findByAccountNumber(em: EntityManager, parentId: number, accountNumber: string): Promise<BillingProfile | null> {
    const row = await em
      .createQueryBuilder(CustomerEntity, 'c')
      .select(Object.keys(PROFILE_COLUMNS).map((k) => `c.${k}`))
      .where('c.parentId = :parentId AND LOWER(c.accountNumber) = LOWER(:accountNumber) AND c.deletedAt IS NULL', {
        parentId,
        accountNumber,
      })
      .getOne();
    return row ? toBillingProfile(row) : null;
  }

  /**
   * Locks the customer from calls with a reason (billing's daily spend limit), inside the caller's
   * transaction; a customer already locked keeps its first reason. Answers whether it changed anything.
   */
  async lockCalls(em: EntityManager, customerId: number, reason: string, now: Date): Promise<boolean> {
    const r = await em
      .createQueryBuilder()
      .update(CustomerEntity)
      .set({ lockedCalls: true, lockReason: reason.slice(0, 200), updatedAt: now })
      .where('id = :customerId AND lockedCalls = :no', { customerId, no: false })
      .execute();
    return (r.affected ?? 0) > 0;
  }

  /** Lifts a lock from calls, but only while its reason is still `reason` (an operator's own lock stays). */
  async unlockCalls(em: EntityManager, customerId: number, reason: string, now: Date): Promise<boolean> {
    const r = await em
      .createQueryBuilder()
      .update(CustomerEntity)
      .set({ lockedCalls: false, lockReason: null, updatedAt: now })
      .where('id = :customerId AND lockedCalls = :yes AND lockReason = :reason', { customerId, yes: true, reason: reason.slice(0, 200) })
      .execute();
    return (r.affected ?? 0) > 0;
  }

  async names(em: EntityManager, ids: readonly number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
    if (!unique.length) return new Map();
    const rows = await em.find(CustomerEntity, { where: { id: In(unique) }, select: { id: true, name: true } });
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * The live customers of a subtree (its root first, then by path), at most `limit`, with their depth below
   * the root: for pickers (billing's call history), which must offer only the caller's tree.
   */
  async subtreeCustomers(em: EntityManager, rootPath: string, limit: number): Promise<Array<{ id: number; name: string; depth: number }>> {
    const rows = await em
      .createQueryBuilder(CustomerEntity, 'c')
      .select(['c.id', 'c.name', 'c.path'])
      .where('c.path LIKE :subtree AND c.deletedAt IS NULL', { subtree: `${rootPath}%` })
      .orderBy('c.path', 'ASC')
      .limit(Math.max(1, Math.floor(limit)))
      .getMany();
    const rootDepth = rootPath.split('/').filter(Boolean).length;
    return rows.map((r) => ({ id: r.id, name: r.name, depth: r.path.split('/').filter(Boolean).length - rootDepth }));
  }

  async pathState(em: EntityManager, path: string): Promise<PathState> {
    const ids = pathIds(path);
    // No ids, nothing found deleted or locked (a real path always has one).
    if (ids.length === 0) return { anyDeleted: false, anyWebLocked: false };
    const rows = (await em.query(
      `SELECT SUM(CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END) AS live, SUM(CASE WHEN locked_web = 1 THEN 1 ELSE 0 END) AS locked
         FROM customers WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    )) as Array<{ live: unknown; locked: unknown }>;
    return { anyDeleted: Number(rows[0]?.live ?? 0) !== ids.length, anyWebLocked: Number(rows[0]?.locked ?? 0) > 0 };
  }

  chainSql(levels: number): CustomerChainSql {
    return customerChainSql(levels);
  }

  subtreeIdsSql(): string {
    return 'SELECT sc.id FROM customers sc WHERE sc.path LIKE :subtree';
  }

  async assignersOfRatePlan(em: EntityManager, planId: number): Promise<CustomerRef[]> {
    const rows = (await em
      .createQueryBuilder(CustomerEntity, 'c')
      .select('DISTINCT c.parentId', 'id')
      .where('c.ratePlanId = :planId AND c.parentId IS NOT NULL', { planId })
      .getRawMany()) as { id: unknown }[];
    return [
      ...(
        await this.findMany(
          em,
          rows.map((r) => Number(r.id)),
        )
      ).values(),
    ];
  }

  countUsing(em: EntityManager, reference: 'region' | 'dialPlan' | 'ratePlan', id: number): Promise<number> {
    const column = { region: 'regionId', dialPlan: 'dialPlanId', ratePlan: 'ratePlanId' }[reference];
    return em.countBy(CustomerEntity, { [column]: id });
  }
}

/**
 * The chain of a customer and its ancestors, joined up the parent ids by primary key, `levels` deep (a
 * fixed chain of joins: MariaDB runs a recursive CTE through temporary tables, at about five times the
 * cost). The ids met are returned with their deleted and web-locked flags, and the answer is only used
 * when they are exactly the ids of the materialised path, which is what decides (otherwise, for a deeper
 * customer or inconsistent parent ids, `read` says so and the caller asks `pathState`).
 */
function customerChainSql(levels: number): CustomerChainSql {
  const all = Array.from({ length: levels }, (_, i) => i);
  // Level 0 is the start customer; level i + 1 is level i's parent.
  const columns =
    `c0.path AS own_path, c${levels - 1}.parent_id AS beyond_id, ` +
    all
      .map(
        (i) =>
          `c${i}.id AS c${i}_id, CASE WHEN c${i}.deleted_at IS NULL THEN 0 ELSE 1 END AS c${i}_deleted, ` +
          `CASE WHEN c${i}.locked_web = 1 THEN 1 ELSE 0 END AS c${i}_locked`,
      )
      .join(', ');
  const parentJoins = all
    .slice(1)
    .map((i) => `LEFT JOIN customers c${i} ON c${i}.id = c${i - 1}.parent_id`)
    .join('\n      ');

  const chainOf = (r: Record<string, unknown>) => {
    const ids: number[] = [];
    let deleted = 0;
    let locked = 0;
    for (let i = 0; i < levels; i++) {
      const id = r[`c${i}_id`];
      if (id === null || id === undefined) break;
      ids.push(Number(id));
      deleted += Number(r[`c${i}_deleted`]);
      locked += Number(r[`c${i}_locked`]);
    }
    // Complete when the walk reached a customer without parent (it did not stop at the last level).
    const complete = ids.length < levels || r.beyond_id === null || r.beyond_id === undefined;
    return { ids, deleted, locked, complete };
  };

  /** The walked chain answers for the path only if it was complete and met exactly the path's ids (each once). */
  const chainIsPath = (path: string, chain: ReturnType<typeof chainOf>): boolean => {
    const ids = pathIds(path);
    const met = new Set(chain.ids);
    return (
      chain.complete &&
      ids.length > 0 &&
      chain.ids.length === ids.length &&
      met.size === chain.ids.length &&
      new Set(ids).size === ids.length &&
      ids.every((id) => met.has(id))
    );
  };

  return {
    levels,
    columns,
    joins: (start) => `LEFT JOIN customers c0 ON c0.id = ${start}\n      ${parentJoins}`,
    read: (r) => {
      const id = r.c0_id;
      if (id === null || id === undefined) return null;
      const path = String(r.own_path);
      const chain = chainOf(r);
      return {
        id: Number(id),
        path,
        live: Number(r.c0_deleted) === 0,
        pathState: chainIsPath(path, chain) ? { anyDeleted: chain.deleted > 0, anyWebLocked: chain.locked > 0 } : null,
      };
    },
    liveCustomerJoin: (alias, idExpression) =>
      `LEFT JOIN customers ${alias} ON ${alias}.id = ${idExpression} AND ${alias}.deleted_at IS NULL`,
    liveCustomerColumns: (alias) => `${alias}.id AS ${alias}_id, ${alias}.path AS ${alias}_path`,
  };
}
export { BootstrapService, type FirstStartInfo } from './bootstrap.service';
export { INVOICED_BILLING_TYPES, InvoiceProfiles, type InvoiceParty, type InvoiceProfile } from './invoice-profiles';
