import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from '../../database/dialect';
import { insertRow } from '../../database/insert-row';
import { sqlInstant } from '../../database/sql-instant';
import { BusinessRuleError } from '../../shared/errors';
import { MAX_MICROS, Money } from '../../shared/money';
import { pageParams } from '../../shared/pagination';
import type { TransactionType } from './domain/ledger';
import { LedgerTransactionEntity } from './entities/ledger-transaction.entity';

/** Billing's raw SQL writes instants as the kernel's `sqlInstant` (re-exported for billing's other files). */
export { sqlInstant };

/** Money from a BIGINT or SUM() value as the drivers return them (mysql2: string, better-sqlite3: number). */
export const money = (v: unknown): Money => Money.fromMicros(typeof v === 'number' || typeof v === 'bigint' ? v : String(v));

export interface TransactionFilter {
  from?: Date;
  to?: Date;
  type?: TransactionType;
  /** Default: newest first. createdAt sorts by id (the posting order), ties by id. */
  sort?: { column: 'createdAt' | 'amount' | 'type'; descending: boolean };
  page?: number;
  pageSize?: number;
}

/** A customer whose balance row and ledger disagree (verify-ledger). */
export interface LedgerDifference {
  customerId: number;
  /** The balance row's value; null when the customer has transactions but no row. */
  balance: Money | null;
  /** The sum of its transactions (0 when it has none). */
  sum: Money;
  transactions: number;
}

/**
 * The billing module's SQL on its own tables (balances, ledger_transactions). Writes take the caller's
 * manager; ledger rows are only ever inserted.
 */
@Injectable()
export class LedgerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** For reads outside a transaction. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Adds `amount` to the customer's balance, making the row on its first posting: one statement, an
   * upsert, so two first postings at once cannot both insert (MariaDB's ON DUPLICATE KEY UPDATE locks the
   * existing row exclusively, so concurrent postings queue on it instead of deadlocking). The row stays
   * locked until the transaction ends: postings to one customer are serialised, postings to different
   * customers are not.
   */
  async addToBalance(em: EntityManager, customerId: number, amount: Money, at: Date): Promise<Money> {
    const micros = amount.toMicros();
    const when = sqlInstant(at);
    if (isSqlite(em)) {
      await em.query(
        'INSERT INTO balances (customer_id, balance, updated_at) VALUES (?, ?, ?) ' +
          'ON CONFLICT (customer_id) DO UPDATE SET balance = balance + excluded.balance, updated_at = excluded.updated_at',
        [customerId, micros, when],
      );
    } else {
      await em.query(
        'INSERT INTO balances (customer_id, balance, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE balance = balance + ?, updated_at = ?',
        [customerId, micros, when, micros, when],
      );
    }
    // Our own row version (locked by us): the balance after this posting.
    const [row] = (await em.query(
      `SELECT balance, CASE WHEN balance > ${MAX_MICROS} OR balance < -${MAX_MICROS} THEN 1 ELSE 0 END AS out_of_range FROM balances WHERE customer_id = ?`,
      [customerId],
    )) as Array<{ balance: unknown; out_of_range: unknown }>;
    if (Number(row.out_of_range)) throw new BusinessRuleError('the balance would leave the storable range (±9,007,199,254.740991)');
    return money(row.balance);
  }

  /** Appends a transaction; returns its id. */
  insertTransaction(em: EntityManager, row: Omit<LedgerTransactionEntity, 'id'>): Promise<number> {
    return insertRow(em, LedgerTransactionEntity, row);
  }

  /**
   * Appends many transactions in few statements (call charges of a CDR batch). The caller changes the
   * balances by the same amounts in the same transaction, under the rows' locks.
   */
  async insertTransactions(em: EntityManager, rows: ReadonlyArray<Omit<LedgerTransactionEntity, 'id'>>): Promise<void> {
    for (let i = 0; i < rows.length; i += 300) {
      const chunk = rows.slice(i, i + 300);
      await em.query(
        'INSERT INTO ledger_transactions (customer_id, type, amount, currency, original_amount, original_currency, exchange_rate, ' +
          'description, reference, actor_person_id, call_id, invoice_id, created_at) VALUES ' +
          chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
        chunk.flatMap((r) => [
          r.customerId,
          r.type,
          r.amount.toMicros(),
          r.currency,
          r.originalAmount?.toMicros() ?? null,
          r.originalCurrency,
          r.exchangeRate,
          r.description,
          r.reference,
          r.actorPersonId,
          r.callId,
          r.invoiceId,
          sqlInstant(r.createdAt),
        ]),
      );
    }
  }

  /** Balances by customer id; customers without a row are left out (their balance is 0). */
  balancesOf(em: EntityManager, customerIds: readonly number[], lock: boolean): Promise<Map<number, Money>> {
    return readBalances(em, customerIds, lock);
  }

  /** One page of a customer's transactions, newest (last posted) first, and how many match. */
  async transactions(
    em: EntityManager,
    customerId: number,
    f: TransactionFilter,
  ): Promise<{ rows: LedgerTransactionEntity[]; total: number; page: number; pageSize: number }> {
    const { page, pageSize, skip } = pageParams({ page: f.page, pageSize: f.pageSize });
    const q = em.createQueryBuilder(LedgerTransactionEntity, 't').where('t.customerId = :customerId', { customerId });
    if (f.from) q.andWhere('t.createdAt >= :from', { from: sqlInstant(f.from) });
    if (f.to) q.andWhere('t.createdAt < :to', { to: sqlInstant(f.to) });
    if (f.type) q.andWhere('t.type = :type', { type: f.type });
    const total = await q.getCount();
    if (total <= skip) return { rows: [], total, page, pageSize };
    const sort = f.sort ?? { column: 'createdAt', descending: true };
    const dir = sort.descending ? 'DESC' : 'ASC';
    if (sort.column !== 'createdAt') q.orderBy(`t.${sort.column}`, dir).addOrderBy('t.id', dir);
    else q.orderBy('t.id', dir);
    const rows = await q.skip(skip).take(pageSize).getMany();
    return { rows, total, page, pageSize };
  }
}

/** Balances by customer id; customers without a row are left out (their balance is 0). */
export async function readBalances(em: EntityManager, customerIds: readonly number[], lock: boolean): Promise<Map<number, Money>> {
  const ids = [...new Set(customerIds)].filter((id) => Number.isSafeInteger(id) && id > 0);
  const out = new Map<number, Money>();
  if (!ids.length) return out;
  const rows = (await em.query(
    `SELECT customer_id, balance FROM balances WHERE customer_id IN (${ids.map(() => '?').join(', ')})${lock && !isSqlite(em) ? ' LOCK IN SHARE MODE' : ''}`,
    ids,
  )) as Array<{ customer_id: unknown; balance: unknown }>;
  for (const r of rows) out.set(Number(r.customer_id), money(r.balance));
  return out;
}

/**
 * Every customer whose balance row is not the sum of its transactions, in one statement: the balance
 * rows joined to the ledger's sums per customer, plus the customers with transactions but no balance
 * row. A row of 0 without transactions (the migration gives every customer one) is in order.
 */
export async function ledgerDifferences(em: EntityManager): Promise<LedgerDifference[]> {
  const sums = 'SELECT customer_id, SUM(amount) AS total, COUNT(*) AS n FROM ledger_transactions GROUP BY customer_id';
  const rows = (await em.query(
    `SELECT b.customer_id AS customer_id, b.balance AS balance, COALESCE(s.total, 0) AS total, COALESCE(s.n, 0) AS n
       FROM balances b LEFT JOIN (${sums}) s ON s.customer_id = b.customer_id
      WHERE b.balance <> COALESCE(s.total, 0)
     UNION ALL
     SELECT s.customer_id, NULL, s.total, s.n
       FROM (${sums}) s LEFT JOIN balances b ON b.customer_id = s.customer_id
      WHERE b.customer_id IS NULL
     ORDER BY customer_id`,
  )) as Array<{ customer_id: unknown; balance: unknown; total: unknown; n: unknown }>;
  return rows.map((r) => ({
    customerId: Number(r.customer_id),
    balance: r.balance === null ? null : money(r.balance),
    sum: money(r.total),
    transactions: Number(r.n),
  }));
}
