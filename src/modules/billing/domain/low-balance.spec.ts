import { Money } from '../../../shared/money';
import { crossesBelow, mayCrossAnyThreshold, topUpAmount } from './low-balance';

const m = (s: string) => Money.of(s);

describe('low balance: crossing the threshold', () => {
  it.each([
    ['10.00', '4.99', '5.00', true],
    ['5.00', '4.999999', '5.00', true],
    ['5.00', '-20.00', '5.00', true],
    ['4.99', '3.00', '5.00', false], // already below: a later debit is no new crossing
    ['10.00', '5.00', '5.00', false], // at the threshold is not below it
    ['3.00', '6.00', '5.00', false], // a credit never crosses downwards
    ['10.00', '1.00', '0.00', false], // "0.00" disables
    ['0.00', '-1.00', '0.00', false],
  ])('%s → %s with threshold %s: %s', (before, after, threshold, expected) => {
    expect(crossesBelow(m(before), m(after), m(threshold))).toBe(expected);
  });

  it('needs no threshold to rule out most changes: only a fall from a positive balance may cross', () => {
    expect(mayCrossAnyThreshold(m('10.00'), m('9.00'))).toBe(true);
    expect(mayCrossAnyThreshold(m('0.000001'), m('-5.00'))).toBe(true);
    expect(mayCrossAnyThreshold(m('10.00'), m('11.00'))).toBe(false);
    expect(mayCrossAnyThreshold(m('0.00'), m('-1.00'))).toBe(false);
    expect(mayCrossAnyThreshold(m('-3.00'), m('-4.00'))).toBe(false);
    expect(mayCrossAnyThreshold(m('5.00'), m('5.00'))).toBe(false);
  });

  it('agrees with crossesBelow: whatever crosses some threshold passes the cheap filter', () => {
    const values = ['-5.00', '-0.000001', '0.00', '0.000001', '1.00', '4.99', '5.00', '5.01', '10.00'].map(m);
    for (const before of values)
      for (const after of values)
        for (const threshold of values.filter((v) => !v.isNegative())) {
          if (crossesBelow(before, after, threshold)) expect(mayCrossAnyThreshold(before, after)).toBe(true);
        }
  });
});

describe('automatic top-up amount', () => {
  it('brings the balance back to twice the threshold', () => {
    expect(topUpAmount(m('4.00'), m('5.00'), 2).toString()).toBe('6.00');
    expect(topUpAmount(m('-20.00'), m('5.00'), 2).toString()).toBe('30.00');
    expect(topUpAmount(m('0.00'), m('5.00'), 2).toString()).toBe('10.00');
  });

  it("rounds up to the currency's minor unit, so the target is reached", () => {
    expect(topUpAmount(m('4.123456'), m('5.00'), 2).toString()).toBe('5.88');
    expect(topUpAmount(m('4.5'), m('100'), 0).toString()).toBe('196.00');
    expect(topUpAmount(m('0.0001'), m('1.000'), 3).toString()).toBe('2.00');
  });

  it('is always more than the threshold', () => {
    expect(topUpAmount(m('4.999999'), m('5.00'), 2).gt(m('5.00'))).toBe(true);
  });

  it('refuses a disabled threshold', () => {
    expect(() => topUpAmount(m('-1.00'), m('0.00'), 2)).toThrow();
  });
});
