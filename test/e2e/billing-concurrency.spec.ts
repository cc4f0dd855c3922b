import { BillingApi } from '../../src/modules/billing/billing.api';
import { Money } from '../../src/shared/money';
import { balanceRow, ledgerRows, ledgerSum, postBalance, postToLedger } from '../factories/billing';
import { createCustomer, createReseller, type ResellerLogin } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/**
 * Postings at once: on MariaDB real concurrent transactions (the balance row's upsert and lock), on
 * SQLite the same requests queued. The ledger must come out exact either way.
 */
describe(`billing: concurrent postings on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  it('50 concurrent credits to one customer: each posts once, and balance == sum == a clean verify-ledger', async () => {
    // A new customer has no balance row: the first postings race to make it.
    const c = (await createCustomer(t, reseller.auth)).id as number;
    const amounts = Array.from({ length: 50 }, (_, i) => `${i + 1}.${String((i * 7) % 100).padStart(2, '0')}0001`);
    const answers = await Promise.all(amounts.map((amount) => postBalance(t, reseller.auth, c, { amount, type: 'credit' })));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));

    const expected = Money.sum(amounts.map((a) => Money.of(a))).toString();
    expect(await balanceRow(t, c)).toBe(expected);
    expect(await ledgerSum(t, c)).toBe(expected);
    expect((await t.http.get(`/api/v1/customers/${c}`).set(reseller.auth).expect(200)).body.balance).toBe(expected);
    expect(await t.app.get(BillingApi).verifyLedger(t.dataSource.manager)).toEqual([]);

    // Postings to one customer are serialised on its balance row: each answer's balance is the running
    // sum of the transactions up to its own, in the order they were appended.
    const rows = await ledgerRows(t, c);
    expect(rows).toHaveLength(50);
    let running = Money.ZERO;
    const runningById = new Map<number, string>();
    for (const r of rows) runningById.set(r.id, (running = running.plus(r.amount)).toString());
    for (const a of answers) expect(a.body.balance).toBe(runningById.get(a.body.transaction.id));
  });

  it('concurrent first postings to many customers through BillingApi each make one balance row', async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, async () => (await createCustomer(t, reseller.auth)).id as number));
    await Promise.all(
      customers.flatMap((customerId) =>
        Array.from({ length: 8 }, (_, i) =>
          postToLedger(t, {
            customerId,
            type: i % 2 ? 'charge' : 'adjustment',
            amount: Money.of(i % 2 ? '-0.25' : '1.00'),
            description: `#${i}`,
          }),
        ),
      ),
    );
    for (const customerId of customers) {
      expect(await balanceRow(t, customerId)).toBe('3.00');
      expect(await ledgerRows(t, customerId)).toHaveLength(8);
    }
    expect(await t.app.get(BillingApi).verifyLedger(t.dataSource.manager)).toEqual([]);
  });

  it("a currency change racing postings: it wins only at balance 0, and every transaction is in the customer's currency", async () => {
    const c = (await createCustomer(t, reseller.auth)).id as number;
    const [patch, ...posts] = await Promise.all([
      t.http.patch(`/api/v1/customers/${c}`).set(reseller.auth).send({ currency: 'USD' }),
      ...Array.from({ length: 10 }, () => postBalance(t, reseller.auth, c, { amount: '1.00', type: 'topup' })),
    ]);
    expect(posts.map((p) => p.status)).toEqual(Array(10).fill(201));
    expect([200, 409]).toContain(patch.status);
    const currency = (await t.http.get(`/api/v1/customers/${c}`).set(reseller.auth).expect(200)).body.currency as string;
    expect(currency).toBe(patch.status === 200 ? 'USD' : 'EUR');
    expect(new Set((await ledgerRows(t, c)).map((r) => r.currency))).toEqual(new Set([currency]));
    expect(await balanceRow(t, c)).toBe('10.00');
  });
});
