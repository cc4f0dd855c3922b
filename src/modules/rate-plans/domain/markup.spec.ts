import * as fc from 'fast-check';
import { Dec, Money } from '../../../shared/money';
import { applyMarkup, applyMarkupChain, MarkupPercents, validateMarkupPercent } from './markup';
import { priceCall } from './price-call';
import { makeRate } from './test-rates';

const markups = (o: Partial<MarkupPercents> = {}): MarkupPercents => ({
  outboundConnect: '0',
  outboundPerMinute: '0',
  outboundMessage: '0',
  inboundConnect: '0',
  inboundPerMinute: '0',
  ...o,
});

describe('applyMarkup', () => {
  it('follows the Enswitch example: 2.00 cost, +20% system owner, +10% reseller', () => {
    const cost = makeRate({ perMinute: '2.00' });
    const owner = applyMarkup(cost, markups({ outboundPerMinute: '20' }));
    expect(owner.perMinute.toString()).toBe('2.40');
    const reseller = applyMarkup(owner, markups({ outboundPerMinute: '10' }));
    expect(reseller.perMinute.toString()).toBe('2.64');
    expect(
      applyMarkupChain(cost, [markups({ outboundPerMinute: '20' }), markups({ outboundPerMinute: new Dec(10) })]).perMinute.toString(),
    ).toBe('2.64');
  });

  it('marks up each component with its own percentage, per direction', () => {
    const m = markups({
      outboundConnect: '10',
      outboundPerMinute: '20',
      outboundMessage: '30',
      inboundConnect: '40',
      inboundPerMinute: '50',
    });
    const fields = { connectFee: '1.00', perMinute: '1.00', minimumCharge: '1.00', perMessage: '1.00' };
    const out = applyMarkup(makeRate({ ...fields, direction: 'outbound' }), m);
    expect([out.connectFee, out.perMinute, out.minimumCharge, out.perMessage].map(String)).toEqual(['1.10', '1.20', '1.20', '1.30']);
    const inb = applyMarkup(makeRate({ ...fields, direction: 'inbound' }), m);
    // Inbound messages use the outbound message markup: there is no inbound one.
    expect([inb.connectFee, inb.perMinute, inb.minimumCharge, inb.perMessage].map(String)).toEqual(['1.40', '1.50', '1.50', '1.30']);
  });

  it('copies everything else and leaves the parent untouched', () => {
    const parent = makeRate({
      prefix: '4930',
      destination: 'Berlin',
      perMinute: '1.00',
      includedSeconds: 5,
      firstBlock: 30,
      increment: 6,
      days: '12345',
      startTime: '08:00',
      endTime: '18:00',
      priority: 3,
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: new Date('2027-01-01T00:00:00Z'),
    });
    const child = applyMarkup({ ...parent, id: 7 }, markups({ outboundPerMinute: '5' }));
    expect(child.perMinute.toString()).toBe('1.05');
    expect({ ...child, perMinute: parent.perMinute }).toEqual({ ...parent, id: 7 });
    expect(parent.perMinute.toString()).toBe('1.00');
  });

  it('keeps 6 decimal places at each level (half away from zero)', () => {
    const r = applyMarkup(makeRate({ perMinute: '0.012345' }), markups({ outboundPerMinute: '12.5' }));
    expect(r.perMinute.toString()).toBe('0.013888'); // 0.0138881250
    const half = applyMarkup(makeRate({ perMinute: '0.000005' }), markups({ outboundPerMinute: '10' }));
    expect(half.perMinute.toString()).toBe('0.000006'); // 0.0000055 -> up
    const discount = applyMarkup(makeRate({ perMinute: '2.00' }), markups({ outboundPerMinute: '-25' }));
    expect(discount.perMinute.toString()).toBe('1.50');
  });

  it('marks up the price of a call by the markup when only per-minute is charged (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 500 }), (cents, pct) => {
        const parent = makeRate({ perMinute: Money.fromMicros(BigInt(cents) * 10_000n) });
        const child = applyMarkup(parent, markups({ outboundPerMinute: String(pct) }));
        const expected = parent.perMinute.times(new Dec(100 + pct).dividedBy(100));
        expect(priceCall(child, 60, true, 6).equals(expected)).toBe(true);
        expect(child.perMinute.gte(parent.perMinute)).toBe(true);
      }),
    );
  });
});

describe('validateMarkupPercent', () => {
  it.each(['0', '20', '12.5', '-5.5', '-99.999999', '10000', '0.000001', '10000.000000'])('accepts %s', (v) => {
    expect(validateMarkupPercent(v)).toBeNull();
  });

  it.each([
    ['-100'],
    ['-100.000000'],
    ['-150'],
    ['10000.000001'],
    ['20000'],
    ['1e2'],
    ['+20'],
    ['20%'],
    [' 20'],
    ['1.1234567'],
    [''],
    ['.5'],
    ['5.'],
    ['123456'],
  ])('rejects %s', (v) => {
    expect(validateMarkupPercent(v)).toEqual(expect.any(String));
  });

  it('rejects non-strings', () => {
    expect(validateMarkupPercent(20)).toEqual(expect.any(String));
    expect(validateMarkupPercent(null)).toEqual(expect.any(String));
  });
});
