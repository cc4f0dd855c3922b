import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Money } from '../../shared/money';
import type { TransactionType } from './domain/ledger';
import { money, sqlInstant } from './ledger.repository';

/**
 * Ledger types that are billed on invoices: usage, fees, charges, affiliate credits and adjustments. Money
 * put on the balance (top-ups, vouchers, payments and credits given by the parent) pays for what is
 * invoiced and is not itself invoiced; taxes are computed by the invoice (issue #12).
 */
export const INVOICED_TYPES = [
  'call',
  'message',
  'signup_fee',
  'account_fee',
  'line_fee',
  'number_fee',
  'charge',
  'affiliate_fee',
  'adjustment',
] as const satisfies readonly TransactionType[];
export type InvoicedType = (typeof INVOICED_TYPES)[number];

/** One group of not yet invoiced ledger transactions of a customer in a period. */
export interface UsageGroup {
  type: InvoicedType;
  /** Calls: the destination name they were priced with (null when unknown); other types: null. */
  destination: string | null;
  transactions: number;
  /** Call seconds (calls only; 0 otherwise). */
  seconds: number;
  /** The ledger's exact signed sum (negative for charges), in the customer's currency. */
  amount: Money;
}

/** One call on an invoice (the 'calls' detail), at the customer's level. */
export interface InvoicedCall {
  startedAt: Date;
  direction: string;
  /** The number called (outbound) or calling (inbound). */
  otherParty: string;
  destination: string | null;
  seconds: number;
  /** What the customer was charged for it (positive). */
  amount: Money;
}

/** Usage per destination on an invoice (the 'destinations' detail). */
export interface InvoicedDestination {
  destination: string | null;
  calls: number;
  seconds: number;
  amount: Money;
}

/** The calls an invoice charged a customer for: its call transactions with their calls and destinations. */
const INVOICED_CALLS =
  'FROM ledger_transactions t JOIN calls c ON c.id = t.call_id ' +
  'LEFT JOIN call_levels cl ON cl.call_id = t.call_id AND cl.customer_id = t.customer_id ' +
  "WHERE t.invoice_id = ? AND t.customer_id = ? AND t.type = 'call'";

const TYPE_LIST = INVOICED_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * What invoicing reads of the ledger: a customer's not yet invoiced transactions of a period, summed per
 * type (and per destination for calls) by the database, and the marking of those rows with the invoice.
 * A ledger row belongs to the period in which it was posted (`created_at`), so a call reported after its
 * period's invoice lands on the next invoice instead of being lost or billed twice.
 */
@Injectable()
export class InvoiceUsage {
  async groups(em: EntityManager, customerId: number, from: Date, to: Date): Promise<UsageGroup[]> {
    const rows = (await em.query(
      'SELECT t.type AS type, cl.destination AS destination, COUNT(*) AS n, SUM(t.amount) AS amount, ' +
        'SUM(COALESCE(c.duration, 0)) AS seconds ' +
        'FROM ledger_transactions t ' +
        'LEFT JOIN call_levels cl ON cl.call_id = t.call_id AND cl.customer_id = t.customer_id ' +
        'LEFT JOIN calls c ON c.id = t.call_id ' +
        `WHERE t.customer_id = ? AND t.created_at >= ? AND t.created_at < ? AND t.invoice_id IS NULL AND t.type IN (${TYPE_LIST}) ` +
        'GROUP BY t.type, cl.destination ORDER BY t.type, cl.destination',
      [customerId, sqlInstant(from), sqlInstant(to)],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      type: r.type as InvoicedType,
      destination: r.type === 'call' ? ((r.destination as string | null) ?? null) : null,
      transactions: Number(r.n),
      seconds: Number(r.seconds ?? 0),
      amount: money(r.amount),
    }));
  }

  /** Marks the rows `groups` summed as invoiced on `invoiceId`, inside the invoice's transaction; answers how many. */
  async markInvoiced(em: EntityManager, customerId: number, from: Date, to: Date, invoiceId: number): Promise<number> {
    // A structured result: TypeORM's SQLite driver answers a bare em.query() of an UPDATE with the last row id.
    if (!em.queryRunner) throw new Error('markInvoiced runs inside a transaction');
    const result = await em.queryRunner.query(
      'UPDATE ledger_transactions SET invoice_id = ? ' +
        `WHERE customer_id = ? AND created_at >= ? AND created_at < ? AND invoice_id IS NULL AND type IN (${TYPE_LIST})`,
      [invoiceId, customerId, sqlInstant(from), sqlInstant(to)],
      true,
    );
    return (result as { affected?: number }).affected ?? 0;
  }

  /** The calls an invoice charged the customer for, in the order they started. */
  async invoicedCalls(em: EntityManager, customerId: number, invoiceId: number): Promise<InvoicedCall[]> {
    const rows = (await em.query(
      'SELECT c.started_at AS started_at, c.direction AS direction, c.caller AS caller, c.called AS called, c.duration AS duration, ' +
        `cl.destination AS destination, t.amount AS amount ${INVOICED_CALLS} ORDER BY c.started_at, t.id`,
      [invoiceId, customerId],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      startedAt: instant(r.started_at),
      direction: String(r.direction),
      otherParty: String(r.direction === 'inbound' ? r.caller : r.called),
      destination: (r.destination as string | null) ?? null,
      seconds: Number(r.duration ?? 0),
      amount: money(r.amount).negated(),
    }));
  }

  /** An invoice's calls summed per destination, by the database. */
  async invoicedDestinations(em: EntityManager, customerId: number, invoiceId: number): Promise<InvoicedDestination[]> {
    const rows = (await em.query(
      'SELECT cl.destination AS destination, COUNT(*) AS n, SUM(COALESCE(c.duration, 0)) AS seconds, SUM(t.amount) AS amount ' +
        `${INVOICED_CALLS} GROUP BY cl.destination ORDER BY cl.destination`,
      [invoiceId, customerId],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      destination: (r.destination as string | null) ?? null,
      calls: Number(r.n),
      seconds: Number(r.seconds ?? 0),
      amount: money(r.amount).negated(),
    }));
  }
}

/** A `datetime(3)` as the drivers return it (mysql2 with timezone 'Z': Date; better-sqlite3: 'YYYY-MM-DD HH:MM:SS.sss' in UTC). */
function instant(v: unknown): Date {
  if (v instanceof Date) return v;
  return new Date(`${String(v).replace(' ', 'T')}Z`);
}
