import { BillingApi } from '../../src/modules/billing/billing.api';
import { TopUpRequestEntity } from '../../src/modules/billing/topups/entities/topup-request.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { Money } from '../../src/shared/money';
import type { TestApp } from '../helpers/app';
import { postToLedger } from './billing';

/** Moves a customer's balance by `amount` (signed) as an adjustment, in a transaction of its own; answers the balance after. */
export async function move(t: TestApp, customerId: number, amount: string, type: 'adjustment' | 'call' = 'adjustment'): Promise<string> {
  const posted = await postToLedger(t, { customerId, type, amount: Money.of(amount), description: `Test ${type} ${amount}` });
  return posted.balance.toString();
}

/** The mails of one template concerning one customer, oldest first, with their context parsed. */
export async function mailsOf(
  t: TestApp,
  template: string,
  customerId: number,
): Promise<Array<OutboxEmailEntity & { ctx: Record<string, unknown> }>> {
  const rows = await t.dataSource.getRepository(OutboxEmailEntity).find({ where: { template, customerId }, order: { id: 'ASC' } });
  return rows.map((r) => ({ ...r, ctx: JSON.parse(r.context) as Record<string, unknown> }));
}

/** A customer's top-up requests, oldest first. */
export function requestsOf(t: TestApp, customerId: number): Promise<TopUpRequestEntity[]> {
  return t.dataSource.getRepository(TopUpRequestEntity).find({ where: { customerId }, order: { id: 'ASC' } });
}

/** The ledger is in order: every balance is the sum of its transactions. */
export async function expectLedgerInOrder(t: TestApp): Promise<void> {
  expect(await t.app.get(BillingApi).verifyLedger(t.dataSource.manager)).toEqual([]);
}

/** Waits until `check` answers true (polling), or fails after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
