import { Money } from '../../../shared/money';
import { cardPaymentProvider, sandboxDecline, SandboxCardProvider } from './card-payment-provider';
import { loadTopUpsConfig } from './topups.config';

const charge = (amount: string, cardReference = 'ACC-1', idempotencyKey = `k-${amount}-${cardReference}`) => ({
  idempotencyKey,
  customerId: 7,
  cardReference,
  amount: Money.of(amount),
  currency: 'EUR',
  description: 'Automatic top-up',
});

describe('the sandbox card provider (a stand-in: no payment network)', () => {
  it('declines amounts whose cents are .13 and the configured cards, accepts the rest', () => {
    expect(sandboxDecline(Money.of('9.13'), 'A', [])).toMatch(/\.13/);
    expect(sandboxDecline(Money.of('10.00'), 'acc-9', ['acc-9'])).toMatch(/declined/);
    expect(sandboxDecline(Money.of('10.00'), 'ACC-9', ['acc-9'])).toMatch(/declined/);
    expect(sandboxDecline(Money.of('10.12'), 'A', ['acc-9'])).toBeNull();
    expect(sandboxDecline(Money.of('10.1300001'), 'A', [])).toMatch(/\.13/);
  });

  it('answers a repeated idempotency key with the first answer', async () => {
    const p = new SandboxCardProvider([]);
    const first = await p.charge(charge('10.00', 'A', 'same'));
    expect(first.outcome).toBe('paid');
    expect(await p.charge(charge('9.13', 'A', 'same'))).toEqual(first);
    expect((await p.charge(charge('9.13'))).outcome).toBe('declined');
  });

  it('is configured with CARD_PROVIDER; unset means no provider, anything else stops the start', () => {
    expect(cardPaymentProvider(loadTopUpsConfig({}))).toBeNull();
    expect(cardPaymentProvider(loadTopUpsConfig({ CARD_PROVIDER: 'sandbox' }))?.name).toBe('sandbox');
    expect(loadTopUpsConfig({ CARD_SANDBOX_DECLINE_ACCOUNTS: ' A-1, b-2 ,,' }).sandboxDeclineAccounts).toEqual(['a-1', 'b-2']);
    expect(() => loadTopUpsConfig({ CARD_PROVIDER: 'stripe' })).toThrow(/CARD_PROVIDER/);
  });
});
