import type { EntityManager } from 'typeorm';
import { NotFoundError } from './errors';
import { isInSubtree, type Scope } from './scope';

/**
 * What any module may know about a customer, by id. The customers module owns the rows; this is a read
 * of them, never a handle to write with.
 */
export interface CustomerRef {
  id: number;
  parentId: number | null;
  /** Materialised path of ids from the root, e.g. "/1/5/9/". */
  path: string;
  name: string;
  type: 'normal' | 'residential';
  reseller: boolean;
  deleted: boolean;
  lockedWeb: boolean;
  lockedCalls: boolean;
  ratePlanId: number | null;
  currency: string;
  timezone: string;
  regionId: number | null;
  dialPlanId: number | null;
  /** Numbers are listed in the directory unless a number says otherwise. */
  directory: boolean;
  purgeVoicemail: boolean;
  maxVoicemailsPerFolder: number | null;
  /** Its logo (an https URL) or null: the brand of the emails it issues to its customers. */
  logoUrl: string | null;
}

/** Lock and delete state of the customers whose ids a materialised path lists. */
export interface PathState {
  /** A customer on the path is deleted (or missing). */
  anyDeleted: boolean;
  /** A customer on the path is locked from the web. */
  anyWebLocked: boolean;
}

/**
 * SQL that joins a customer and its ancestors up the parent ids, for a statement that must read them
 * together with rows of its own (the auth guard reads a session, its person and the person's customer
 * chain in one statement on every request). `joins(start)` joins `c0` to the customer whose id is the
 * SQL expression `start`, and `c1..` up its parents; `columns` names what `read` needs back.
 */
export interface CustomerChainSql {
  readonly levels: number;
  columns: string;
  joins(startIdExpression: string): string;
  /** The own customer's id, path and liveness, and the chain's state when it covers the whole path (else null). */
  read(row: Record<string, unknown>): { id: number; path: string; live: boolean; pathState: PathState | null } | null;
  /**
   * A LEFT JOIN of one more, live customer as `alias` (for example the customer a session is switched
   * to), and its select list `<alias>_id, <alias>_path`.
   */
  liveCustomerJoin(alias: string, idExpression: string): string;
  liveCustomerColumns(alias: string): string;
}

/**
 * The customer tree as the modules below customers see it (dependency inversion: they must not import
 * the customers module, which itself builds on them). Declared here in the kernel; the customers module
 * implements it (CustomersApi) and the composition root binds it, so every module injects
 * `CustomerDirectory`.
 *
 * Tenancy by subtree: a customer is visible to a scope when its path starts with the scope's path;
 * anything else answers 404, exactly as if it did not exist.
 */
export abstract class CustomerDirectory {
  /** A customer by id (deleted ones too), or null. */
  abstract find(em: EntityManager, id: number): Promise<CustomerRef | null>;
  /**
   * A customer by id (deleted ones too), or null, read with a shared lock held until the caller's
   * transaction ends (MariaDB: LOCK IN SHARE MODE; SQLite runs one transaction at a time).
   */
  abstract findShared(em: EntityManager, id: number): Promise<CustomerRef | null>;
  /** Customers by id (deleted ones too); unknown ids are left out. */
  abstract findMany(em: EntityManager, ids: readonly number[]): Promise<Map<number, CustomerRef>>;
  /** Names by id (for lists that carry only ids). */
  abstract names(em: EntityManager, ids: readonly number[]): Promise<Map<number, string>>;
  /** Whether any customer whose id the path lists is deleted (or missing), and whether any is locked from the web. */
  abstract pathState(em: EntityManager, path: string): Promise<PathState>;
  /** The SQL of a customer's chain of ancestors, for one-statement reads (see CustomerChainSql). */
  abstract chainSql(levels: number): CustomerChainSql;
  /**
   * SQL selecting the ids of the customers in a subtree, with the named parameter `:subtree` (give it
   * `subtreePattern(scope.customerPath)`): for `customer_id IN (...)` filters of lists.
   */
  abstract subtreeIdsSql(): string;
  /** The customers that gave a rate plan to customers of theirs: the parents of the customers on it (deleted ones too). */
  abstract assignersOfRatePlan(em: EntityManager, planId: number): Promise<CustomerRef[]>;
  /**
   * How many calls the customer may have at once: its own setting, else its rate plan's (through the
   * plan's inheritance), else unlimited. Ancestors' limits apply on top of it (a call counts at every level).
   */
  abstract effectiveCallLimit(em: EntityManager, customerId: number): Promise<number | 'unlimited'>;
  /** How many customers (deleted ones too: they can be undeleted) refer to a region, dial plan or rate plan. */
  abstract countUsing(em: EntityManager, reference: 'region' | 'dialPlan' | 'ratePlan', id: number): Promise<number>;

  /**
   * As `findInScope` (live only), read with a shared lock until the caller's transaction ends: for a
   * transaction that adds something under the customer (a person, line, mailbox, number). Deleting a
   * customer locks its row exclusively, so the two serialise: the addition commits before the delete
   * looks, or waits for it and then finds the customer deleted (404). Call it first in the transaction,
   * inside the same transaction as the insert.
   */
  async lockLiveInScope(em: EntityManager, scope: Scope, id: number): Promise<CustomerRef> {
    if (!Number.isSafeInteger(id) || id < 1) throw new NotFoundError('customer');
    const customer = await this.findShared(em, id);
    if (!customer || customer.deleted || !isInSubtree(scope.customerPath, customer.path)) throw new NotFoundError('customer');
    return customer;
  }

  /** The customer if it exists, is live (unless `includeDeleted`) and lies in the scope's subtree; else NotFoundError. */
  async findInScope(em: EntityManager, scope: Scope, id: number, opts: { includeDeleted?: boolean } = {}): Promise<CustomerRef> {
    if (!Number.isSafeInteger(id) || id < 1) throw new NotFoundError('customer');
    const customer = await this.find(em, id);
    if (!customer || (customer.deleted && !opts.includeDeleted) || !isInSubtree(scope.customerPath, customer.path)) {
      throw new NotFoundError('customer');
    }
    return customer;
  }
}

/** Ids on a materialised path, root first: "/1/5/9/" → [1, 5, 9]. */
export function pathIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** Ancestors of a customer (root first), excluding the customer itself. */
export function ancestorIds(path: string): number[] {
  return pathIds(path).slice(0, -1);
}
