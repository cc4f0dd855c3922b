import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { equalsIgnoringCase } from '../../database/ignoring-case';
import { insertRow } from '../../database/insert-row';
import { TransactionRunner } from '../../database/transaction-runner';
import { NotFoundError } from '../../shared/errors';
import type { SortOrder } from '../../shared/http/list-query';
import { LIKE_ESCAPE, likeContains, pageParams } from '../../shared/pagination';
import { isInSubtree, type Scope } from '../../shared/scope';
import type { AssignablePlan, AssignablePlanSql } from '../rate-plans/rate-plans.api';
import { matchesSearch, SearchableFields, searchTerm, searchTextOf, touchesSearchFields } from './domain/customer-search';
import type { CustomerSort } from './dto/list-customers.query';
import { CustomerEntity, CustomerTaxEntity, type BillingType, type CustomerType } from './entities/customer.entity';

type Owner = Pick<CustomerEntity, 'id' | 'path'>;

/** The parent of a customer being created, as far as the creation needs it. */
export interface NewParent {
  id: number;
  parentId: number | null;
  path: string;
  depth: number;
  reseller: boolean;
  deleted: boolean;
  timezone: string;
  lockedWeb: boolean;
  lockedCalls: boolean;
  /** Its name and logo (https URL or null): the issuer of the new customer's login-details email. */
  name: string;
  logoUrl: string | null;
}

/** The rate plan a create names, and the SQL condition (on `rp`, the plan, and `c`, the parent) for "c may assign it". */
export interface AssignablePlanProbe {
  id: number;
  assignable: string;
}

export interface ParentForCreate {
  parent: NewParent | null;
  accountTaken: boolean;
  usernameTaken: boolean;
  defaultTaxIds: number[];
  /** The named plan, if the parent may assign it. */
  plan: AssignablePlan | null;
}

/** Most matches a search on SQLite fetches in one pass (fewMatches); more, and it counts and pages instead. */
const SEARCH_ONE_PASS_MAX = 5000;

/** Prefix of the plan's columns in the parent query. */
const PLAN_PREFIX = 'rp__';

/** Row shape of the parent query (SQLite and MariaDB both answer booleans as 0/1). */
interface NewParentRow {
  id: number | string;
  parent_id: number | string | null;
  path: string;
  depth: number | string;
  reseller: number | string | boolean;
  deleted: number | string;
  timezone: string;
  locked_web: number | string | boolean;
  locked_calls: number | string | boolean;
  name: string;
  logo_url: string | null;
  account_taken: number | string | null;
  username_taken: number | string | null;
  /** Comma-separated, in no particular order; null when there are none. */
  default_tax_ids: string | null;
}

const flag = (v: number | string | boolean | null): boolean => v !== null && !!Number(v);

export interface CustomerListFilter {
  /** Direct children of this customer, or (recursive) its whole subtree below it. */
  parent: Owner;
  recursive: boolean;
  search?: string;
  /** Customers the search also finds by what other modules keep (a number, a login name): found there by the caller. */
  searchAlsoIds?: readonly number[];
  includeDeleted: boolean;
  type?: CustomerType;
  billingType?: BillingType;
  /** Their own lockedWeb or lockedCalls (true), or neither (false). */
  locked?: boolean;
  reseller?: boolean;
  /** Balance bounds in micro-units, inclusive; need `balanceSql`. */
  balanceMinMicros?: number;
  balanceMaxMicros?: number;
  /** SQL of the balance of `c.id` in micro-units (BalanceDirectory.balanceMicrosSql), for the balance sort and bounds. */
  balanceSql?: string;
  /** Default: by name. Ties are broken by id in the same direction. */
  sort?: SortOrder<CustomerSort>;
  page?: number;
  pageSize?: number;
}

/** The SQL of each sort column; the name, account number, type and billing type sorts walk an index each (migration CustomerListSorts). */
const SORT_SQL: Record<Exclude<CustomerSort, 'balance'>, string> = {
  name: 'c.name',
  accountNumber: 'c.account_number',
  type: 'c.type',
  billingType: 'c.billing_type',
};

/** The only place the customers module touches TypeORM. Every method takes the unit of work's manager. */
@Injectable()
export class CustomersRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
  ) {}

  /** For reads outside a transaction. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Tenancy by subtree (the rule of CustomerDirectory.findInScope, on the full row): the customer if it
   * exists, is live (unless `includeDeleted`) and lies in the scope's subtree; otherwise 404.
   */
  async findInScope(em: EntityManager, scope: Scope, id: number, opts: { includeDeleted?: boolean } = {}): Promise<CustomerEntity> {
    const c = Number.isSafeInteger(id) && id > 0 ? await em.findOneBy(CustomerEntity, { id }) : null;
    if (!c || (c.deletedAt !== null && !opts.includeDeleted) || !isInSubtree(scope.customerPath, c.path))
      throw new NotFoundError('customer');
    return c;
  }

  findById(em: EntityManager, id: number): Promise<CustomerEntity | null> {
    return em.findOneBy(CustomerEntity, { id });
  }

  /**
   * Reads a customer row and, on MariaDB/MySQL, locks it (FOR UPDATE by primary key) until the
   * transaction ends, so checks such as "no live children" cannot race a concurrent change. SQLite runs
   * one transaction at a time, so a plain read is enough there.
   */
  lockById(em: EntityManager, id: number): Promise<CustomerEntity | null> {
    if (this.tx.isSqlite) return em.findOneBy(CustomerEntity, { id });
    return em.findOne(CustomerEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * The parent of a customer being created, and in the same statement whether the new customer's account
   * number (unique per parent, ignoring case) and login name (unique platform-wide, ignoring case, deleted
   * people included) are taken. On MariaDB/MySQL the parent row is read with a shared lock (LOCK IN SHARE
   * MODE): it cannot be changed or deleted until the creation commits, while other creations under the
   * same parent go ahead; the subqueries are plain reads. SQLite runs one transaction at a time.
   *
   * Account numbers: IDX_customers_parent_account compares ignoring case on both databases (MariaDB: its
   * collation; SQLite: built COLLATE NOCASE), so that probe is one index lookup; the same for login names
   * and IDX_people_username (migration LoginNamesNocase1764500000000).
   */
  async parentForCreate(
    em: EntityManager,
    id: number,
    probe: { accountNumber: string | null; username: string },
    plan: AssignablePlanProbe,
    /** SQL of the other modules' probes read in the same statement (each module's own SQL). */
    foreign: { usernameTakenSql: string; defaultTaxIdsSql: string; plan: AssignablePlanSql },
  ): Promise<ParentForCreate> {
    const sqlite = this.tx.isSqlite;
    const rows = (await em.query(
      'SELECT c.id, c.parent_id, c.path, c.depth, c.reseller, CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END AS deleted, ' +
        'c.timezone, c.locked_web, c.locked_calls, c.name, c.logo_url, ' +
        `${foreign.plan.columns('rp', PLAN_PREFIX)}, ` +
        `(SELECT 1 FROM customers a WHERE a.parent_id = c.id AND a.account_number = ?${sqlite ? ' COLLATE NOCASE' : ''} LIMIT 1) AS account_taken, ` +
        // Is the login name taken (identity's SQL), and the taxes a new customer of c gets when the request
        // names none (taxes' SQL): read here to save the create two round trips.
        `${foreign.usernameTakenSql} AS username_taken, ` +
        `${foreign.defaultTaxIdsSql} AS default_tax_ids ` +
        // The plan the request names, if c may assign it (the rate-plans module's rule, as SQL).
        `FROM customers c LEFT JOIN rate_plans rp ON rp.id = ? AND ${plan.assignable} ` +
        `WHERE c.id = ?${sqlite ? '' : ' LOCK IN SHARE MODE'}`,
      [probe.accountNumber, probe.username, plan.id, id],
    )) as NewParentRow[];
    const r = rows[0];
    if (!r) return { parent: null, accountTaken: false, usernameTaken: false, defaultTaxIds: [], plan: null };
    return {
      parent: {
        id: Number(r.id),
        parentId: r.parent_id === null ? null : Number(r.parent_id),
        path: r.path,
        depth: Number(r.depth),
        reseller: flag(r.reseller),
        deleted: flag(r.deleted),
        timezone: r.timezone,
        lockedWeb: flag(r.locked_web),
        lockedCalls: flag(r.locked_calls),
        name: r.name,
        logoUrl: r.logo_url,
      },
      accountTaken: flag(r.account_taken),
      usernameTaken: flag(r.username_taken),
      defaultTaxIds:
        r.default_tax_ids === null
          ? []
          : r.default_tax_ids
              .split(',')
              .map(Number)
              .sort((a, b) => a - b),
      plan: foreign.plan.read(r as unknown as Record<string, unknown>, PLAN_PREFIX),
    };
  }

  /**
   * Inserts a customer (with its search text) and returns its id. No read-back: the caller has every
   * value it wrote (TypeORM would otherwise SELECT the columns that have defaults).
   */
  async insertCustomer(em: EntityManager, row: Partial<CustomerEntity>): Promise<number> {
    return insertRow(em, CustomerEntity, { ...row, ...searchColumns(row as CustomerEntity) });
  }

  /** Changes columns of `current` (the row as read in this transaction), keeping its search text in step. */
  async updateCustomer(em: EntityManager, current: CustomerEntity, changes: Partial<CustomerEntity>): Promise<void> {
    const all = touchesSearchFields(changes) ? { ...changes, ...searchColumns({ ...current, ...changes }) } : changes;
    await em.update(CustomerEntity, { id: current.id }, all);
  }

  /** The materialised path, set right after the insert (it ends with the new id). */
  async setPath(em: EntityManager, id: number, path: string): Promise<void> {
    await em.query('UPDATE customers SET path = ? WHERE id = ?', [path, id]);
  }

  /**
   * Account numbers are unique per parent ignoring case. The unique index IDX_customers_parent_account
   * compares that way on both databases (MariaDB: its collation; SQLite: built COLLATE NOCASE by the
   * migration CustomerListSearch1764410000000), so this probe is one index lookup.
   */
  async accountNumberTaken(em: EntityManager, parentId: number | null, accountNumber: string, exceptId?: number): Promise<boolean> {
    const q = em
      .createQueryBuilder(CustomerEntity, 'c')
      .select('c.id', 'id')
      .where(equalsIgnoringCase(em, 'c.accountNumber', 'accountNumber'), { accountNumber })
      .andWhere(parentId === null ? 'c.parentId IS NULL' : 'c.parentId = :parentId', { parentId });
    if (exceptId !== undefined) q.andWhere('c.id <> :exceptId', { exceptId });
    return (await q.limit(1).getRawOne()) !== undefined;
  }

  async prefixTaken(em: EntityManager, prefix: string, exceptId?: number): Promise<boolean> {
    const q = em.createQueryBuilder(CustomerEntity, 'c').select('c.id', 'id').where('c.prefix = :prefix', { prefix });
    if (exceptId !== undefined) q.andWhere('c.id <> :exceptId', { exceptId });
    return (await q.limit(1).getRawOne()) !== undefined;
  }

  countLiveChildren(em: EntityManager, id: number): Promise<number> {
    return em.countBy(CustomerEntity, { parentId: id, deletedAt: IsNull() });
  }

  /** Live customers that name `id` as their affiliate. */
  countLiveAffiliateReferrers(em: EntityManager, id: number): Promise<number> {
    return em.countBy(CustomerEntity, { affiliateCustomerId: id, deletedAt: IsNull() });
  }

  async replaceTaxes(em: EntityManager, customerId: number, taxIds: number[]): Promise<void> {
    await em.delete(CustomerTaxEntity, { customerId });
    await this.insertTaxes(em, customerId, taxIds);
  }

  /** The taxes of a customer that has none yet (just created). */
  async insertTaxes(em: EntityManager, customerId: number, taxIds: number[]): Promise<void> {
    if (!taxIds.length) return;
    await em.query(
      `INSERT INTO customer_taxes (customer_id, tax_id) VALUES ${taxIds.map(() => '(?, ?)').join(', ')}`,
      taxIds.flatMap((taxId) => [customerId, taxId]),
    );
  }

  async taxIdsOf(em: EntityManager, customerIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(customerIds.map((id) => [id, []]));
    if (!customerIds.length) return out;
    const rows = await em.find(CustomerTaxEntity, { where: { customerId: In(customerIds) }, order: { taxId: 'ASC' } });
    for (const r of rows) out.get(r.customerId)?.push(r.taxId);
    return out;
  }

  liveChildren(em: EntityManager, parentId: number): Promise<CustomerEntity[]> {
    return em.find(CustomerEntity, { where: { parentId, deletedAt: IsNull() }, order: { name: 'ASC', id: 'ASC' } });
  }

  async lockFlags(em: EntityManager, ids: number[]): Promise<Map<number, { lockedWeb: boolean; lockedCalls: boolean }>> {
    const out = new Map<number, { lockedWeb: boolean; lockedCalls: boolean }>();
    if (!ids.length) return out;
    const rows = await em.find(CustomerEntity, {
      select: { id: true, lockedWeb: true, lockedCalls: true },
      where: { id: In([...new Set(ids)]) },
    });
    for (const r of rows) out.set(r.id, { lockedWeb: !!r.lockedWeb, lockedCalls: !!r.lockedCalls });
    return out;
  }

  /**
   * One page of customers, sorted by name then id, and how many there are in all.
   *
   * The live children of a parent (the common case) come straight from IDX_customers_parent_live
   * (parent_id, deleted_at, name, id, search_text) without touching the table: the count, the page's ids
   * and, with a search, the `search_text LIKE '%term%'` test all read that index only, and the full rows
   * are then loaded by id for the page alone. On MariaDB the count and the page are one pass
   * (SQL_CALC_FOUND_ROWS); on SQLite two index-only passes. A subtree (recursive) goes through the path
   * index instead.
   */
  async list(em: EntityManager, f: CustomerListFilter): Promise<{ rows: CustomerEntity[]; total: number; page: number; pageSize: number }> {
    const { page, pageSize, skip } = pageParams({ page: f.page, pageSize: f.pageSize });
    const query = await this.listQuery(em, f);
    if (!query) return { rows: [], total: 0, page, pageSize };
    const { fromWhere, params, orderBy } = query;
    const { ids, total } =
      (f.search?.trim() && this.tx.isSqlite ? await this.fewMatches(em, fromWhere, params, orderBy, skip, pageSize) : null) ??
      (await this.pageOfIds(em, fromWhere, params, orderBy, skip, pageSize));
    return { rows: await this.rowsInOrder(em, ids), total, page, pageSize };
  }

  /** Every matching id in list order (for an export, which then reads the rows a slice at a time). */
  async listIds(em: EntityManager, f: CustomerListFilter): Promise<number[]> {
    const query = await this.listQuery(em, f);
    if (!query) return [];
    const rows = (await em.query(`SELECT c.id AS id ${query.fromWhere} ${query.orderBy}`, query.params)) as Array<{ id: number | string }>;
    return rows.map((r) => Number(r.id));
  }

  /** The rows of these ids, in the order of the ids. */
  async rowsInOrder(em: EntityManager, ids: readonly number[]): Promise<CustomerEntity[]> {
    if (!ids.length) return [];
    const byId = new Map((await em.findBy(CustomerEntity, { id: In([...ids]) })).map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id)).filter((c): c is CustomerEntity => c !== undefined);
  }

  /** FROM/WHERE with its parameters and the ORDER BY of a list; null when the search cannot match any row. */
  private async listQuery(
    em: EntityManager,
    f: CustomerListFilter,
  ): Promise<{ fromWhere: string; params: unknown[]; orderBy: string } | null> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.recursive) {
      where.push('c.path LIKE ? AND c.id <> ?');
      params.push(`${f.parent.path}%`, f.parent.id);
    } else {
      where.push('c.parent_id = ?');
      params.push(f.parent.id);
    }
    if (!f.includeDeleted) where.push('c.deleted_at IS NULL');
    const search = f.search?.trim();
    if (search) {
      const either: string[] = [];
      const term = searchTerm(search);
      if (term !== null) {
        // search_text and the term are lower-cased already, so the test is a plain substring test: on SQLite
        // LIKE (its fastest), on MariaDB a byte-wise LOCATE (LIKE in the column's collation costs 2.5 times
        // as much). The needle is the binary one: MariaDB then searches the column's bytes as stored, where
        // CAST(c.search_text AS BINARY) converted every row first (100,000 rows: 19 ms instead of 27 ms).
        if (this.tx.isSqlite) {
          either.push(`c.search_text LIKE ? ${LIKE_ESCAPE}`);
          params.push(likeContains(term));
        } else {
          either.push('LOCATE(CAST(? AS BINARY), c.search_text) > 0');
          params.push(term);
        }
      }
      const also = [...new Set([...(await this.unindexedMatches(em, f, search)), ...(f.searchAlsoIds ?? [])])];
      if (also.length) {
        either.push(`c.id IN (${also.map(() => '?').join(', ')})`);
        params.push(...also);
      }
      if (!either.length) return null;
      where.push(`(${either.join(' OR ')})`);
    }
    if (f.type !== undefined) {
      where.push('c.type = ?');
      params.push(f.type);
    }
    if (f.billingType !== undefined) {
      where.push('c.billing_type = ?');
      params.push(f.billingType);
    }
    if (f.reseller !== undefined) where.push(f.reseller ? 'c.reseller = 1' : 'c.reseller = 0');
    if (f.locked !== undefined) where.push(f.locked ? '(c.locked_web = 1 OR c.locked_calls = 1)' : '(c.locked_web = 0 AND c.locked_calls = 0)');
    if ((f.balanceMinMicros !== undefined || f.balanceMaxMicros !== undefined || f.sort?.column === 'balance') && !f.balanceSql) {
      throw new Error('a balance sort or bound needs balanceSql');
    }
    if (f.balanceMinMicros !== undefined) {
      where.push(`${f.balanceSql} >= ?`);
      params.push(f.balanceMinMicros);
    }
    if (f.balanceMaxMicros !== undefined) {
      where.push(`${f.balanceSql} <= ?`);
      params.push(f.balanceMaxMicros);
    }
    const sort = f.sort ?? { column: 'name', descending: false };
    const dir = sort.descending ? ' DESC' : '';
    const column = sort.column === 'balance' ? f.balanceSql! : SORT_SQL[sort.column];
    return { fromWhere: `FROM customers c WHERE ${where.join(' AND ')}`, params, orderBy: `ORDER BY ${column}${dir}, c.id${dir}` };
  }

  /**
   * A search on SQLite: all matching ids in one pass, if there are at most SEARCH_ONE_PASS_MAX of them (the
   * page is a slice, the total their number), instead of a COUNT pass and a page pass that each test every
   * row's text; null when there are more (then pageOfIds). better-sqlite3 hands the ids over in process,
   * so a few thousand cost less than a second pass; on MariaDB they would cross the network instead.
   */
  private async fewMatches(
    em: EntityManager,
    fromWhere: string,
    params: unknown[],
    orderBy: string,
    skip: number,
    take: number,
  ): Promise<{ ids: number[]; total: number } | null> {
    const rows = (await em.query(`SELECT c.id AS id ${fromWhere} ${orderBy} LIMIT ?`, [
      ...params,
      SEARCH_ONE_PASS_MAX + 1,
    ])) as Array<{
      id: number;
    }>;
    if (rows.length > SEARCH_ONE_PASS_MAX) return null;
    return { ids: rows.slice(skip, skip + take).map((r) => Number(r.id)), total: rows.length };
  }

  /** The ids of one page and the number of all matching rows. */
  private async pageOfIds(
    em: EntityManager,
    fromWhere: string,
    params: unknown[],
    orderBy: string,
    skip: number,
    take: number,
  ): Promise<{ ids: number[]; total: number }> {
    const page = `SELECT c.id AS id ${fromWhere} ${orderBy} LIMIT ? OFFSET ?`;
    const ids = (rows: Array<{ id: number | string }>) => rows.map((r) => Number(r.id));
    if (this.tx.isSqlite) {
      const [{ n }] = (await em.query(`SELECT COUNT(*) AS n ${fromWhere}`, params)) as Array<{ n: number }>;
      const total = Number(n);
      if (total <= skip) return { ids: [], total };
      return { ids: ids((await em.query(page, [...params, take, skip])) as Array<{ id: number }>), total };
    }
    // FOUND_ROWS() answers for the previous statement on the same connection.
    const runner = em.queryRunner ?? em.connection.createQueryRunner();
    try {
      const rows = (await runner.query(page.replace(/^SELECT /, 'SELECT SQL_CALC_FOUND_ROWS '), [...params, take, skip])) as Array<{
        id: number | string;
      }>;
      const [{ n }] = (await runner.query('SELECT FOUND_ROWS() AS n')) as Array<{ n: number | string }>;
      return { ids: ids(rows), total: Number(n) };
    } finally {
      if (runner !== em.queryRunner) await runner.release();
    }
  }

  /**
   * Rows without a search text (too long for the index, or written by code that does not keep it: the
   * bootstrap's system owner, test factories) that match, tested on their columns. Found through their
   * own small index; normally there are none or very few.
   */
  private async unindexedMatches(em: EntityManager, f: CustomerListFilter, search: string): Promise<number[]> {
    const rows = await em.find(CustomerEntity, {
      select: {
        id: true,
        parentId: true,
        path: true,
        deletedAt: true,
        name: true,
        accountNumber: true,
        deletedAccountNumber: true,
        email: true,
        description: true,
        billingReference: true,
      },
      where: { searchUnindexed: true },
    });
    return rows
      .filter((c) => (f.recursive ? c.path.startsWith(f.parent.path) && c.id !== f.parent.id : c.parentId === f.parent.id))
      .filter((c) => f.includeDeleted || c.deletedAt === null)
      .filter((c) => matchesSearch(c, search))
      .map((c) => c.id);
  }
}

/** The search columns for a row with these field values (customer-search.ts). */
function searchColumns(c: SearchableFields): Pick<CustomerEntity, 'searchText' | 'searchUnindexed'> {
  const searchText = searchTextOf(c);
  return { searchText, searchUnindexed: searchText === null };
}
