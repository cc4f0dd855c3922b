import { TransactionRunner } from '../../src/database/transaction-runner';
import { BillingApi, type LedgerPost, type PostedTransaction } from '../../src/modules/billing/billing.api';
import { BalanceEntity } from '../../src/modules/billing/entities/balance.entity';
import { LedgerTransactionEntity } from '../../src/modules/billing/entities/ledger-transaction.entity';
import { IdempotencyKeyEntity } from '../../src/shared/idempotency/idempotency-key.entity';
import { Money } from '../../src/shared/money';
import type { TestApp } from '../helpers/app';
import type { Auth } from './customers';

/** The body of POST /api/v1/customers/:id/balance. */
export interface BalanceInput {
  amount?: unknown;
  type?: unknown;
  description?: unknown;
  reference?: unknown;
  [field: string]: unknown;
}

/** POST /api/v1/customers/:id/balance (with an Idempotency-Key when `key` is given); the raw answer. */
export function postBalance(t: TestApp, auth: Auth, customerId: number | string, body: BalanceInput, key?: string) {
  const req = t.http.post(`/api/v1/customers/${customerId}/balance`).set(auth);
  if (key !== undefined) req.set('Idempotency-Key', key);
  return req.send(body);
}

/** Credits a customer through the API; throws with the answer if it is not a 201. */
export async function credit(t: TestApp, auth: Auth, customerId: number, amount: string, type = 'credit'): Promise<{ balance: string }> {
  const res = await postBalance(t, auth, customerId, { amount, type });
  if (res.status !== 201) throw new Error(`credit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { balance: string };
}

/** Posts straight through BillingApi (any type, any sign), in a transaction of its own (queued on SQLite, as the app does). */
export function postToLedger(t: TestApp, input: LedgerPost): Promise<PostedTransaction> {
  return t.app.get(TransactionRunner).run((em) => t.app.get(BillingApi).post(em, input));
}

/** The balance row's value, or null without a row. */
export async function balanceRow(t: TestApp, customerId: number): Promise<string | null> {
  const row = await t.dataSource.getRepository(BalanceEntity).findOneBy({ customerId });
  return row ? row.balance.toString() : null;
}

/** A customer's ledger rows, oldest first. */
export function ledgerRows(t: TestApp, customerId: number): Promise<LedgerTransactionEntity[]> {
  return t.dataSource.getRepository(LedgerTransactionEntity).find({ where: { customerId }, order: { id: 'ASC' } });
}

/** The sum of a customer's ledger amounts. */
export async function ledgerSum(t: TestApp, customerId: number): Promise<string> {
  return Money.sum((await ledgerRows(t, customerId)).map((r) => r.amount)).toString();
}

/** Row counts of what a posting writes: compare before and after to prove nothing moved. */
export async function billingCounts(t: TestApp): Promise<{ transactions: number; balances: string; keys: number; audit: number }> {
  const ds = t.dataSource;
  // Summed here, not in SQL: each balance fits a safe integer of micro-units, their sum may not.
  const balances = await ds.getRepository(BalanceEntity).find();
  return {
    transactions: await ds.getRepository(LedgerTransactionEntity).count(),
    balances: Money.sum(balances.map((b) => b.balance)).toString(),
    keys: await ds.getRepository(IdempotencyKeyEntity).count(),
    audit: Number(((await ds.query('SELECT COUNT(*) AS n FROM audit_log')) as Array<{ n: unknown }>)[0].n),
  };
}
