import { Dec } from '../../../shared/money';
import { accountBucket, exchangeRateText, mayRedeemVouchers, throttleParent, unavailability } from './redemption-rules';

describe('voucher redemption rules', () => {
  it('lets the prepaid billing types redeem, and no other', () => {
    expect(['prepaid', 'prepaid_calls', 'prepaid_invoices'].map(mayRedeemVouchers)).toEqual([true, true, true]);
    expect(['postpaid', 'external', 'none', ''].map(mayRedeemVouchers)).toEqual([false, false, false, false]);
  });

  it('names why a voucher is unavailable: redeemed first, then locked, then expired (at the expiry instant itself)', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const open = { locked: false, expiresAt: null };
    expect(unavailability({ redeemed: false }, open, now)).toBeNull();
    expect(unavailability({ redeemed: true }, { locked: true, expiresAt: now }, now)).toBe('redeemed');
    expect(unavailability({ redeemed: false }, { locked: true, expiresAt: now }, now)).toBe('locked');
    expect(unavailability({ redeemed: false }, { locked: false, expiresAt: now }, now)).toBe('expired');
    expect(unavailability({ redeemed: false }, { locked: false, expiresAt: new Date(now.getTime() + 1) }, now)).toBeNull();
  });

  it('writes exchange rates as plain decimal text of at most 40 characters', () => {
    expect(exchangeRateText(new Dec('1.0825'))).toBe('1.0825');
    expect(exchangeRateText(new Dec(1).dividedBy(new Dec('1.0825')))).toBe('0.92378752886836027714');
    expect(exchangeRateText(new Dec('150'))).toBe('150');
    const tiny = exchangeRateText(new Dec('0.000000000000000000001234567890123456789'));
    expect(tiny).toMatch(/^0\.0+\d+$/);
    expect(tiny.length).toBeLessThanOrEqual(40);
  });

  it('counts an attempt against the issuer, else the account the caller meant', () => {
    const customer = { customerId: 9, parentId: 5, accountNumber: 'ACC-1' };
    expect(throttleParent(7, customer, 'acc-1')).toBe(7);
    expect(throttleParent(null, customer, ' acc-1 ')).toBe(5);
    expect(throttleParent(null, customer, 'other')).toBe(9);
    expect(throttleParent(null, { customerId: 1, parentId: null, accountNumber: 'x' }, 'x')).toBe(1);
    expect(accountBucket(5, ' ACC-1 ')).toBe('voucher:account:5:acc-1');
  });
});
