import { TransactionRunner } from '../../src/database/transaction-runner';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { CARD_PAYMENT_PROVIDER, type CardPaymentProvider } from '../../src/modules/billing/topups/card-payment-provider';
import { CardTopUpProcessor } from '../../src/modules/billing/topups/card-topup.processor';
import { TopUpRequestEntity } from '../../src/modules/billing/topups/entities/topup-request.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { Money } from '../../src/shared/money';
import { balanceRow, ledgerRows } from '../factories/billing';
import { createCustomerWithLogin, createReseller, type ResellerLogin } from '../factories/customers';
import { expectLedgerInOrder, mailsOf, move, requestsOf, waitFor } from '../factories/topups';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/**
 * Automatic top-up by card, with the sandbox card provider (CARD_PROVIDER=sandbox: a stand-in that
 * reaches no payment network; it declines amounts whose cents are .13 and the listed account numbers).
 */
describe(`billing: automatic top-up by card (sandbox provider) on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  let processor: CardTopUpProcessor;

  beforeAll(async () => {
    t = await startTestApp({ CARD_PROVIDER: 'sandbox', CARD_SANDBOX_DECLINE_ACCOUNTS: 'DECLINE-ME' });
    processor = t.app.get(CardTopUpProcessor);
    reseller = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  async function cardCustomer(extra: Record<string, unknown> = {}): Promise<ResellerLogin> {
    const c = await createCustomerWithLogin(t, reseller.auth, {
      lowBalanceThreshold: '5.00',
      autoTopUp: true,
      paymentType: 'credit_card',
      ...extra,
    });
    await move(t, c.id, '10.00');
    return c;
  }

  /** The customer's only request, once the processor has decided it (kicked after the commit that raised it). */
  async function decided(customerId: number): Promise<TopUpRequestEntity> {
    await waitFor(async () => (await requestsOf(t, customerId)).some((r) => r.status !== 'pending'));
    await processor.whenIdle();
    const all = await requestsOf(t, customerId);
    expect(all).toHaveLength(1);
    return all[0];
  }

  it('charges the card after the commit, marks the request paid and credits it once as a top-up', async () => {
    const c = await cardCustomer();
    expect(await move(t, c.id, '-6.00', 'call')).toBe('4.00');
    const r = await decided(c.id);
    expect(r).toMatchObject({ channel: 'card', status: 'paid', provider: 'sandbox', openCustomerId: null, attempts: 1, reason: null });
    expect(r.providerReference).toMatch(/^sbx_[0-9a-f]{16}$/);
    expect(r.amount.toString()).toBe('6.00');
    expect(await balanceRow(t, c.id)).toBe('10.00');
    const topups = (await ledgerRows(t, c.id)).filter((row) => row.type === 'topup');
    expect(topups).toHaveLength(1);
    expect(topups[0]).toMatchObject({ id: r.ledgerTransactionId, reference: r.providerReference, actorPersonId: null });
    expect(topups[0].amount.toString()).toBe('6.00');

    const [low] = await mailsOf(t, 'low-balance', c.id);
    expect(low.ctx).toMatchObject({ autoTopUp: true, topUpAmount: '6.00' });
    const [outcome] = await mailsOf(t, 'topup-outcome', c.id);
    expect(outcome.ctx).toMatchObject({ approved: true, amount: '6.00', newBalance: '10.00' });
    // The parent is not asked.
    expect((await mailsOf(t, 'topup-request', reseller.id)).filter((m) => m.ctx.customerName === c.body.name)).toEqual([]);
    expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'topup_paid', entityId: String(r.id) })).toBe(1);

    // Running the processor again changes nothing.
    expect(await processor.drain()).toBe(0);
    expect((await ledgerRows(t, c.id)).filter((row) => row.type === 'topup')).toHaveLength(1);
    // Nor can the parent decide it.
    const res = await t.http.post(`/api/v1/topup-requests/${r.id}/approve`).set(reseller.auth).send().expect(409);
    expect(res.body.code).toBe('already_decided');
    await expectLedgerInOrder(t);
  });

  it('marks the request failed when the card is declined (an amount ending in .13), moves nothing and tells the customer', async () => {
    const c = await cardCustomer();
    // 10.00 → 0.87: the top-up asks 2 × 5.00 − 0.87 = 9.13, which the sandbox declines.
    expect(await move(t, c.id, '-9.13', 'call')).toBe('0.87');
    const r = await decided(c.id);
    expect(r).toMatchObject({ status: 'failed', provider: 'sandbox', openCustomerId: null, ledgerTransactionId: null });
    expect(r.amount.toString()).toBe('9.13');
    expect(r.reason).toMatch(/declined/);
    expect(await balanceRow(t, c.id)).toBe('0.87');
    expect((await ledgerRows(t, c.id)).filter((row) => row.type === 'topup')).toEqual([]);
    const [outcome] = await mailsOf(t, 'topup-outcome', c.id);
    expect(outcome.ctx).toMatchObject({ approved: false, newBalance: null, reason: r.reason });
    expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'topup_failed', entityId: String(r.id) })).toBe(1);
    await expectLedgerInOrder(t);
  });

  it('declines a card listed in CARD_SANDBOX_DECLINE_ACCOUNTS', async () => {
    const c = await cardCustomer({ accountNumber: 'decline-me' });
    await move(t, c.id, '-6.00', 'call');
    expect((await decided(c.id)).status).toBe('failed');
    expect(await balanceRow(t, c.id)).toBe('4.00');
  });

  it('charges only after the transaction that raised the request committed (no network call inside it)', async () => {
    const provider = t.app.get<CardPaymentProvider>(CARD_PAYMENT_PROVIDER);
    const seen: Array<{ committed: number; balance: string | null }> = [];
    const original = provider.charge.bind(provider);
    const spy = jest.spyOn(provider, 'charge').mockImplementation(async (charge) => {
      // Another connection on MariaDB: it sees committed rows only.
      seen.push({
        committed: await t.dataSource.getRepository(TopUpRequestEntity).countBy({ customerId: charge.customerId, status: 'pending' }),
        balance: await balanceRow(t, charge.customerId),
      });
      return original(charge);
    });
    try {
      const c = await cardCustomer();
      await move(t, c.id, '-6.00', 'call');
      expect((await decided(c.id)).status).toBe('paid');
      expect(seen).toEqual([{ committed: 1, balance: '4.00' }]);
    } finally {
      spy.mockRestore();
    }
  });

  it('raises and charges nothing when the posting that crossed rolls back', async () => {
    const c = await cardCustomer();
    await expect(
      t.app.get(TransactionRunner).run(async (em) => {
        await t.app.get(BillingApi).post(em, { customerId: c.id, type: 'call', amount: Money.of('-6.00'), description: 'Call' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await processor.whenIdle();
    expect(await processor.drain()).toBe(0);
    expect(await requestsOf(t, c.id)).toEqual([]);
    expect(await balanceRow(t, c.id)).toBe('10.00');
  });

  it('charges each of many customers crossing at once exactly once', async () => {
    const customers = await Promise.all([0, 1, 2, 3].map(() => cardCustomer()));
    await Promise.all(customers.map((c) => move(t, c.id, '-7.00', 'call')));
    for (const c of customers) {
      expect((await decided(c.id)).status).toBe('paid');
      expect(await balanceRow(t, c.id)).toBe('10.00');
    }
    await expectLedgerInOrder(t);
  });

  it('sends customers whose payment type is not credit card to the parent, also with a card provider', async () => {
    const c = await cardCustomer({ paymentType: 'bank_transfer' });
    await move(t, c.id, '-6.00', 'call');
    const [r] = await requestsOf(t, c.id);
    expect(r).toMatchObject({ channel: 'parent', status: 'pending', provider: null });
    expect(await processor.drain()).toBe(0);
    expect((await requestsOf(t, c.id))[0].status).toBe('pending');
  });
});
