import * as fc from 'fast-check';
import { Money } from '../../../shared/money';
import { billableSeconds, maxAffordableSeconds, priceCall, priceMessage } from './price-call';
import { RateDefinition } from './rate';
import { makeRate } from './test-rates';

const price = (rate: RateDefinition, seconds: number, precision = 2) => priceCall(rate, seconds, true, precision).toFixed(precision);

/**
 * Independent reference in integer arithmetic (BigInt micro-units): price * 60 in micros is exact, and
 * half-away-from-zero rounding of a non-negative X / D is floor((2X + D) / 2D).
 */
function referencePrice(rate: RateDefinition, duration: number, precision: number): Money {
  if (duration === 0) return Money.ZERO;
  let b = duration - rate.includedSeconds;
  if (b <= 0) b = 0;
  else b = Math.ceil(Math.max(b, rate.firstBlock) / rate.increment) * rate.increment;
  const micros = (m: Money) => BigInt(m.toMicros());
  let x60 = micros(rate.connectFee) * 60n + micros(rate.perMinute) * BigInt(b);
  const min60 = micros(rate.minimumCharge) * 60n;
  if (x60 < min60) x60 = min60;
  const d = 60n * 10n ** BigInt(6 - precision);
  const units = (2n * x60 + d) / (2n * d);
  return Money.fromMicros(units * 10n ** BigInt(6 - precision));
}

describe('priceCall', () => {
  it('matches the DOMAIN.md examples', () => {
    const rate = makeRate({ connectFee: '0.10', perMinute: '1.20' });
    expect(price({ ...rate, firstBlock: 60, increment: 60 }, 61)).toBe('2.50');
    expect(price({ ...rate, firstBlock: 30, increment: 6 }, 37)).toBe('0.94');
  });

  it.each([
    // [firstBlock, increment, duration, expected] at 1.20/min, no connect fee
    [60, 60, 1, '1.20'],
    [60, 60, 59, '1.20'],
    [60, 60, 60, '1.20'],
    [60, 60, 61, '2.40'],
    [60, 60, 120, '2.40'],
    [60, 60, 121, '3.60'],
    [30, 6, 1, '0.60'],
    [30, 6, 30, '0.60'],
    [30, 6, 31, '0.72'],
    [30, 6, 36, '0.72'],
    [30, 6, 37, '0.84'],
    [1, 1, 1, '0.02'],
    [1, 1, 59, '1.18'],
    [1, 1, 61, '1.22'],
    [0, 1, 1, '0.02'],
    [0, 1, 45, '0.90'],
    [0, 1, 61, '1.22'],
  ])('%i/%i billing, %i s costs %s', (firstBlock, increment, duration, expected) => {
    expect(price(makeRate({ perMinute: '1.20', firstBlock, increment }), duration)).toBe(expected);
  });

  it('reads an invalid increment (0 or negative) as 0/1 billing', () => {
    for (const increment of [0, -5, NaN]) {
      const rate = makeRate({ perMinute: '1.20', firstBlock: 60, increment });
      expect(price(rate, 1)).toBe('0.02');
      expect(price(rate, 61)).toBe('1.22');
    }
  });

  it('covers included seconds with the connect fee', () => {
    const rate = makeRate({ connectFee: '0.50', includedSeconds: 30, perMinute: '1.20' });
    expect(price(rate, 1)).toBe('0.50');
    expect(price(rate, 30)).toBe('0.50');
    expect(price(rate, 31)).toBe('0.52');
    expect(price({ ...rate, firstBlock: 60, increment: 60 }, 30)).toBe('0.50');
    expect(price({ ...rate, firstBlock: 60, increment: 60 }, 31)).toBe('1.70');
    expect(price({ ...rate, firstBlock: 60, increment: 60 }, 90)).toBe('1.70');
    expect(price({ ...rate, firstBlock: 60, increment: 60 }, 91)).toBe('2.90');
  });

  it('applies the first block after the included seconds', () => {
    const rate = makeRate({ includedSeconds: 10, perMinute: '1.20', firstBlock: 30, increment: 1 });
    expect(price(rate, 10)).toBe('0.00');
    expect(price(rate, 11)).toBe('0.60');
    expect(price(rate, 40)).toBe('0.60');
    expect(price(rate, 41)).toBe('0.62');
  });

  it('never charges less than the minimum charge, even inside the included seconds', () => {
    const rate = makeRate({ connectFee: '0.10', includedSeconds: 5, perMinute: '1.20', minimumCharge: '0.50' });
    expect(price(rate, 1)).toBe('0.50');
    expect(price(rate, 10)).toBe('0.50');
    expect(price(rate, 25)).toBe('0.50'); // 0.10 + 0.40
    expect(price(rate, 26)).toBe('0.52');
    expect(price(rate, 60)).toBe('1.20');
  });

  it('charges nothing for unanswered or zero-second calls, minimum charge and connect fee included', () => {
    const rate = makeRate({ connectFee: '0.10', perMinute: '1.20', minimumCharge: '0.50' });
    expect(priceCall(rate, 0, true, 2).isZero()).toBe(true);
    expect(priceCall(rate, 100, false, 2).isZero()).toBe(true);
    expect(priceCall(rate, 0, false, 2).isZero()).toBe(true);
  });

  it('counts a started second for fractional durations', () => {
    const rate = makeRate({ perMinute: '1.20' });
    expect(price(rate, 0.2)).toBe('0.02');
    expect(price(rate, 60.001)).toBe('1.22');
    expect(billableSeconds(rate, 59.5)).toBe(60);
  });

  it('prices very long calls exactly', () => {
    const tenDays = 10 * 86400;
    expect(price(makeRate({ perMinute: '1.20', firstBlock: 60, increment: 60 }), tenDays)).toBe('17280.00');
    expect(priceCall(makeRate({ perMinute: '0.000001' }), tenDays, true, 6).toString()).toBe('0.0144');
    expect(price(makeRate({ perMinute: '99999.999999' }), tenDays)).toBe('1439999999.99');
  });

  it('rejects bad arguments', () => {
    const rate = makeRate({ perMinute: '1' });
    expect(() => priceCall(rate, -1, true, 2)).toThrow(RangeError);
    expect(() => priceCall(rate, NaN, true, 2)).toThrow(RangeError);
    expect(() => priceCall(rate, 1, true, 7)).toThrow(RangeError);
    expect(() => priceCall(rate, 1, true, 1.5)).toThrow(RangeError);
  });

  describe('rounding to the plan precision (half away from zero)', () => {
    it.each([
      [0, '1'],
      [1, '1.2'],
      [2, '1.23'],
      [3, '1.235'],
      [4, '1.2346'],
      [5, '1.23457'],
      [6, '1.234567'],
    ])('precision %i', (precision, expected) => {
      const rate = makeRate({ perMinute: '1.234567' });
      expect(priceCall(rate, 60, true, precision).toFixed(precision)).toBe(expected);
    });

    it.each([
      // [connect, precision, expected]: exact halves go up, never to even
      ['0.5', 0, '1'],
      ['1.5', 0, '2'],
      ['2.5', 0, '3'],
      ['0.25', 1, '0.3'],
      ['0.125', 2, '0.13'],
      ['0.135', 2, '0.14'],
      ['0.0005', 3, '0.001'],
      ['0.00015', 4, '0.0002'],
      ['0.000005', 5, '0.00001'],
      ['0.124999', 2, '0.12'],
    ])('connect fee %s at precision %i -> %s', (connectFee, precision, expected) => {
      expect(priceCall(makeRate({ connectFee }), 1, true, precision).toFixed(precision)).toBe(expected);
    });

    it('rounds a half reached through the per-second division', () => {
      // 0.15/min for 1 s = 0.0025 exactly
      const rate = makeRate({ perMinute: '0.15' });
      expect(priceCall(rate, 1, true, 3).toFixed(3)).toBe('0.003');
      expect(priceCall(rate, 1, true, 2).toFixed(2)).toBe('0.00');
    });

    it('rounds once, from the exact value (no double rounding through 6 places)', () => {
      // 0.29998 / 60 = 0.00499966...: 6 places would give 0.005000 and then 0.01; exact gives 0.00.
      expect(priceCall(makeRate({ perMinute: '0.29998' }), 1, true, 2).toFixed(2)).toBe('0.00');
    });
  });

  describe('properties', () => {
    const money = fc.oneof(
      fc.bigInt({ min: 0n, max: 5_000_000n }).map((n) => Money.fromMicros(n)),
      fc.integer({ min: 0, max: 500 }).map((n) => Money.fromMicros(BigInt(n) * 10_000n)), // whole cents
    );
    const rateArb = fc
      .record({
        connectFee: money,
        perMinute: money,
        minimumCharge: money,
        includedSeconds: fc.integer({ min: 0, max: 120 }),
        firstBlock: fc.integer({ min: 0, max: 120 }),
        increment: fc.integer({ min: 1, max: 120 }),
      })
      .map((r) => makeRate(r));
    const precisionArb = fc.integer({ min: 0, max: 6 });

    it('agrees with an independent integer reference', () => {
      fc.assert(
        fc.property(rateArb, fc.integer({ min: 0, max: 100_000 }), precisionArb, (rate, d, p) => {
          expect(priceCall(rate, d, true, p).toString()).toBe(referencePrice(rate, d, p).toString());
        }),
        { numRuns: 2000 },
      );
    });

    it('never decreases as the duration grows', () => {
      fc.assert(
        fc.property(rateArb, fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 1, max: 500 }), precisionArb, (rate, d, extra, p) => {
          expect(priceCall(rate, d + extra, true, p).gte(priceCall(rate, d, true, p))).toBe(true);
          expect(priceCall(rate, d + 1, true, p).gte(priceCall(rate, d, true, p))).toBe(true);
        }),
        { numRuns: 2000 },
      );
    });

    it('is at least the minimum charge (at plan precision) for answered calls of 1 s or more', () => {
      fc.assert(
        fc.property(rateArb, fc.integer({ min: 1, max: 100_000 }), precisionArb, (rate, d, p) => {
          const charged = priceCall(rate, d, true, p);
          expect(charged.gte(rate.minimumCharge.round(p))).toBe(true);
          // A minimum charge expressed within the precision is never undercut at all.
          if (rate.minimumCharge.round(p).equals(rate.minimumCharge)) expect(charged.gte(rate.minimumCharge)).toBe(true);
        }),
        { numRuns: 2000 },
      );
    });
  });
});

describe('priceMessage', () => {
  it('rounds the per-message price to the precision', () => {
    const rate = makeRate({ perMessage: '0.0875' });
    expect(priceMessage(rate, 2).toFixed(2)).toBe('0.09');
    expect(priceMessage(rate, 3).toFixed(3)).toBe('0.088');
    expect(priceMessage(rate, 6).toString()).toBe('0.0875');
  });
});

describe('maxAffordableSeconds', () => {
  const afford = (rate: RateDefinition, available: string, precision = 2, max?: number) =>
    maxAffordableSeconds(rate, Money.of(available), precision, max);

  it('finds the threshold for simple per-second billing', () => {
    const rate = makeRate({ perMinute: '1.20' }); // 0.02 per second
    expect(afford(rate, '1.00')).toBe(50);
    expect(afford(rate, '1.01')).toBe(50);
    expect(afford(rate, '0.02')).toBe(1);
    expect(afford(rate, '0.019')).toBe(0); // price(1) = 0.02 > 0.019
    expect(afford(rate, '0.00')).toBe(0);
    expect(afford(rate, '-5.00')).toBe(0);
  });

  it('uses the whole last increment', () => {
    const rate = makeRate({ connectFee: '0.10', perMinute: '1.20', firstBlock: 60, increment: 60 });
    expect(afford(rate, '1.30')).toBe(60);
    expect(afford(rate, '2.49')).toBe(60);
    expect(afford(rate, '2.50')).toBe(120);
    expect(afford(rate, '1.29')).toBe(0);
  });

  it('counts included seconds and rounding at the plan precision', () => {
    const rate = makeRate({ connectFee: '0.10', includedSeconds: 60, perMinute: '1.20' });
    expect(afford(rate, '0.10')).toBe(60);
    expect(afford(rate, '0.12')).toBe(61);
    // 0.5/min = 0.008333.../s, precision 2: 0.01 is reached while the exact price < 0.015 (1 s).
    const cheap = makeRate({ perMinute: '0.5' });
    expect(afford(cheap, '0.01', 2)).toBe(1);
    expect(afford(cheap, '0.01', 0)).toBe(59); // rounds to 0 while < 0.5
    expect(afford(cheap, '0.5', 0)).toBe(59); // 59 s = 0.4917 -> 0; 60 s = 0.5 -> 1
    expect(afford(cheap, '1', 0)).toBe(179); // 179 s = 1.4917 -> 1; 180 s = 1.5 -> 2
  });

  it('is 0 when the minimum charge is unaffordable, and the cap when the price stops growing', () => {
    expect(afford(makeRate({ perMinute: '1.20', minimumCharge: '1.00' }), '0.99')).toBe(0);
    expect(afford(makeRate({ connectFee: '0.50' }), '0.50')).toBe(14400);
    expect(afford(makeRate({ connectFee: '0.50' }), '0.49')).toBe(0);
  });

  it('caps at maxSeconds', () => {
    const rate = makeRate({ perMinute: '1.20' });
    expect(afford(rate, '1000000.00')).toBe(4 * 3600);
    expect(afford(rate, '1000000.00', 2, 10 * 86400)).toBe(10 * 86400);
    expect(afford(rate, '1.00', 2, 30)).toBe(30);
    expect(afford(rate, '1.00', 2, 0)).toBe(0);
    expect(afford(rate, '9007199254.740991', 2, 1e9)).toBe(1e9);
  });

  it('is exact: price(s) <= available < price(s + 1) unless capped (property)', () => {
    const money = fc.oneof(
      fc.bigInt({ min: 0n, max: 3_000_000n }).map((n) => Money.fromMicros(n)),
      fc.integer({ min: 0, max: 300 }).map((n) => Money.fromMicros(BigInt(n) * 10_000n)),
    );
    fc.assert(
      fc.property(
        fc.record({
          connectFee: money,
          perMinute: money,
          minimumCharge: money,
          includedSeconds: fc.integer({ min: 0, max: 120 }),
          firstBlock: fc.integer({ min: 0, max: 120 }),
          increment: fc.integer({ min: 1, max: 120 }),
        }),
        fc.bigInt({ min: -1_000_000n, max: 500_000_000n }).map((n) => Money.fromMicros(n)),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 20_000 }),
        (fields, available, p, cap) => {
          const rate = makeRate(fields);
          const s = maxAffordableSeconds(rate, available, p, cap);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(cap);
          const at = (d: number) => priceCall(rate, d, true, p);
          if (s === 0) expect(at(1).gt(available)).toBe(true);
          else expect(at(s).lte(available)).toBe(true);
          if (s < cap) expect(at(s + 1).gt(available)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
