import { Dec, roundHalfAwayFromZero } from '../../../shared/money';
import { applyMarkup } from './markup';
import { priceCall } from './price-call';
import { makeRate } from './test-rates';

/** The worked examples of README.md "Pricing a call": if this fails, the README is wrong. */
describe('README pricing examples', () => {
  const base = { connectFee: '0.10', perMinute: '1.20' };
  const cases: Array<[string, { firstBlock: number; increment: number; includedSeconds?: number; minimumCharge?: string }, number, boolean, string]> = [
    ['60/60, 61 s', { firstBlock: 60, increment: 60 }, 61, true, '2.50'],
    ['30/6, 37 s', { firstBlock: 30, increment: 6 }, 37, true, '0.94'],
    ['30/6, 12 s', { firstBlock: 30, increment: 6 }, 12, true, '0.70'],
    ['1/1, 61 s', { firstBlock: 1, increment: 1 }, 61, true, '1.32'],
    ['60/60 with 30 s included, 25 s', { firstBlock: 60, increment: 60, includedSeconds: 30 }, 25, true, '0.10'],
    ['unanswered', { firstBlock: 60, increment: 60 }, 61, false, '0.00'],
    ['30/6, 12 s, minimum 0.50', { firstBlock: 30, increment: 6, minimumCharge: '0.50' }, 12, true, '0.70'],
    ['1/1, 2 s, minimum 0.50', { firstBlock: 1, increment: 1, minimumCharge: '0.50' }, 2, true, '0.50'],
  ];
  it.each(cases)('%s', (_name, billing, duration, answered, expected) => {
    expect(priceCall(makeRate({ ...base, ...billing }), duration, answered, 2).toFixed(2)).toBe(expected);
  });

  it('rounds half away from zero', () => {
    expect(roundHalfAwayFromZero(new Dec('0.125'), 2).toFixed(2)).toBe('0.13');
    expect(roundHalfAwayFromZero(new Dec('-0.125'), 2).toFixed(2)).toBe('-0.13');
  });

  it("follows Enswitch's markup chain: 2.00 → +20% 2.40 → +10% 2.64", () => {
    const none = { outboundConnect: '0', outboundMessage: '0', inboundConnect: '0', inboundPerMinute: '0' };
    const owner = applyMarkup(makeRate({ perMinute: '2.00' }), { ...none, outboundPerMinute: '20' });
    const reseller = applyMarkup(owner, { ...none, outboundPerMinute: '10' });
    expect(owner.perMinute.toFixed(2)).toBe('2.40');
    expect(reseller.perMinute.toFixed(2)).toBe('2.64');
  });
});
