import { TransactionRunner } from '../../src/database/transaction-runner';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { Money } from '../../src/shared/money';
import { createCustomer, createReseller, type ResellerLogin } from '../factories/customers';
import { expectLedgerInOrder, mailsOf, move, requestsOf } from '../factories/topups';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { recordStatements } from '../helpers/statements';

/** The low-balance email (DOMAIN.md §5): once per crossing of the customer's threshold, from inside the ledger's postings. */
describe(`billing: low-balance email on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  const customerWith = async (threshold: string, extra: Record<string, unknown> = {}) =>
    createCustomer(t, reseller.auth, { lowBalanceThreshold: threshold, ...extra });

  it('emails once per crossing: not for later debits below, again after rising back and falling again', async () => {
    const c = await customerWith('5.00');
    const id = c.id as number;
    const count = async () => (await mailsOf(t, 'low-balance', id)).length;

    expect(await move(t, id, '10.00')).toBe('10.00');
    expect(await move(t, id, '-3.00', 'call')).toBe('7.00');
    expect(await count()).toBe(0);
    expect(await move(t, id, '-3.00', 'call')).toBe('4.00');
    expect(await count()).toBe(1);
    // Still below: a debit, another, one far below zero: nothing more.
    await move(t, id, '-1.00', 'call');
    await move(t, id, '-0.000001', 'call');
    await move(t, id, '-20.00');
    expect(await count()).toBe(1);
    // Back above, then below again: a second crossing.
    expect(await move(t, id, '30.00')).toBe('12.999999');
    expect(await count()).toBe(1);
    expect(await move(t, id, '-8.00', 'call')).toBe('4.999999');
    expect(await count()).toBe(2);

    const [first, second] = await mailsOf(t, 'low-balance', id);
    expect(first).toMatchObject({ toAddress: c.email, status: 'kept', subject: `Low balance: ${c.name}` });
    expect(first.ctx).toEqual({
      customerName: c.name,
      balance: '4.00',
      threshold: '5.00',
      currency: 'EUR',
      autoTopUp: false,
      topUpAmount: null,
    });
    expect(first.bodyText).toContain(`The balance of ${c.name} is 4.00 EUR, below the low-balance threshold of 5.00 EUR.`);
    expect(first.bodyText).toContain('Please top up the account');
    expect(second.ctx).toMatchObject({ balance: '4.999999' });
    expect(await requestsOf(t, id)).toEqual([]); // no automatic top-up
    await expectLedgerInOrder(t);
  });

  it('counts reaching the threshold exactly as not below it', async () => {
    const id = (await customerWith('5.00')).id as number;
    await move(t, id, '10.00');
    expect(await move(t, id, '-5.00')).toBe('5.00');
    expect(await mailsOf(t, 'low-balance', id)).toHaveLength(0);
    await move(t, id, '-0.000001');
    expect(await mailsOf(t, 'low-balance', id)).toHaveLength(1);
  });

  it('sends nothing with the threshold "0.00" (disabled), however low the balance goes', async () => {
    const id = (await customerWith('0.00')).id as number;
    await move(t, id, '10.00');
    await move(t, id, '-9.99');
    await move(t, id, '-100.00');
    expect(await mailsOf(t, 'low-balance', id)).toHaveLength(0);
    await expectLedgerInOrder(t);
  });

  it('sends nothing when the transaction that crossed rolls back', async () => {
    const id = (await customerWith('5.00')).id as number;
    await move(t, id, '10.00');
    await expect(
      t.app.get(TransactionRunner).run(async (em) => {
        await t.app.get(BillingApi).post(em, { customerId: id, type: 'call', amount: Money.of('-8.00'), description: 'Call' });
        throw new Error('the call was not recorded after all');
      }),
    ).rejects.toThrow('not recorded');
    expect(await mailsOf(t, 'low-balance', id)).toHaveLength(0);
    expect(await move(t, id, '-8.00')).toBe('2.00');
    expect(await mailsOf(t, 'low-balance', id)).toHaveLength(1);
  });

  it('emails exactly once when many debits race across the threshold', async () => {
    const id = (await customerWith('5.00')).id as number;
    await move(t, id, '10.00');
    await Promise.all(Array.from({ length: 10 }, () => move(t, id, '-1.00', 'call')));
    const mails = await mailsOf(t, 'low-balance', id);
    expect(mails).toHaveLength(1);
    // The posting that took the balance from 5.00 to 4.00 crossed, whichever it was.
    expect(mails[0].ctx).toMatchObject({ balance: '4.00' });
    await expectLedgerInOrder(t);
  });

  it('reads no customer for a change that cannot cross any threshold (a credit, a balance already below zero)', async () => {
    const id = (await customerWith('5.00')).id as number;
    await move(t, id, '-1.00');
    const statements = recordStatements(t.dataSource);
    const readsOfCustomers = async (amount: string) =>
      (await statements(() => move(t, id, amount))).filter((s) => /\bFROM\s+[`"]?customers[`"]?/i.test(s.sql)).length;
    // The ledger's own shared read of the customer only.
    expect(await readsOfCustomers('0.50')).toBe(1);
    expect(await readsOfCustomers('-2.00')).toBe(1);
    // From a positive balance a debit may cross: one more read for the threshold.
    await move(t, id, '10.00');
    expect(await readsOfCustomers('-1.00')).toBe(2);
  });
});
