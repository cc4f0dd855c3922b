import fc from 'fast-check';
import { Dec, Money } from '../../../shared/money';
import { convert, convertWithRate, isValidExchangeRate, NoExchangeRateError, rateAt, RateTable } from './exchange';

const at = (iso: string) => new Date(iso);

const table: RateTable = {
  systemCurrency: 'EUR',
  rows: [
    { currency: 'USD', rate: '1.10', validFrom: at('2026-01-01T00:00:00Z') },
    { currency: 'USD', rate: '1.20', validFrom: at('2026-06-01T00:00:00Z') },
    { currency: 'GBP', rate: '0.85', validFrom: at('2026-01-01T00:00:00Z') },
    { currency: 'JPY', rate: '160', validFrom: at('2026-01-01T00:00:00Z') },
    { currency: 'BTC', rate: '0.000012345678', validFrom: at('2026-01-01T00:00:00Z') },
  ],
};

describe('exchange rates', () => {
  it('uses the latest rate whose validFrom is at or before the instant', () => {
    expect(rateAt(table, 'USD', at('2026-05-31T23:59:59.999Z')).toString()).toBe('1.1');
    expect(rateAt(table, 'USD', at('2026-06-01T00:00:00Z')).toString()).toBe('1.2');
    expect(rateAt(table, 'USD', at('2030-01-01T00:00:00Z')).toString()).toBe('1.2');
  });

  it('does not depend on the order of the rows', () => {
    const reversed: RateTable = { ...table, rows: [...table.rows].reverse() };
    expect(rateAt(reversed, 'USD', at('2026-07-01T00:00:00Z')).toString()).toBe('1.2');
  });

  it('gives the system currency rate 1 without a row', () => {
    expect(rateAt(table, 'EUR', at('1990-01-01T00:00:00Z')).toString()).toBe('1');
  });

  it('throws when no rate is in force (before the first validFrom, or unknown currency)', () => {
    expect(() => rateAt(table, 'USD', at('2025-12-31T23:59:59Z'))).toThrow(NoExchangeRateError);
    expect(() => convert(Money.of('1'), 'CHF', 'EUR', table, at('2026-07-01T00:00:00Z'))).toThrow(/no exchange rate for CHF/);
    expect(() => convert(Money.of('1'), 'EUR', 'CHF', table, at('2026-07-01T00:00:00Z'))).toThrow(NoExchangeRateError);
  });

  it('converts from and to the system currency', () => {
    const july = at('2026-07-01T00:00:00Z');
    expect(convert(Money.of('10'), 'EUR', 'USD', table, july).toString()).toBe('12.00');
    expect(convert(Money.of('12'), 'USD', 'EUR', table, july).toString()).toBe('10.00');
    expect(convert(Money.of('10'), 'EUR', 'USD', table, at('2026-02-01T00:00:00Z')).toString()).toBe('11.00');
  });

  it('converts between two foreign currencies through the system currency: amount / rate(from) * rate(to)', () => {
    // 100 USD / 1.2 * 0.85 = 70.8333333… → 70.833333 (6 places, half away from zero)
    expect(convert(Money.of('100'), 'USD', 'GBP', table, at('2026-07-01T00:00:00Z')).toString()).toBe('70.833333');
    // 1 GBP / 0.85 * 160 = 188.235294117… → 188.235294
    expect(convert(Money.of('1'), 'GBP', 'JPY', table, at('2026-07-01T00:00:00Z')).toString()).toBe('188.235294');
  });

  it('rounds half away from zero, also for negative amounts', () => {
    const t: RateTable = { systemCurrency: 'EUR', rows: [{ currency: 'USD', rate: '0.5', validFrom: at('2026-01-01T00:00:00Z') }] };
    // 0.000001 EUR * 0.5 = 0.0000005 → 0.000001 ; negative → -0.000001
    expect(convert(Money.of('0.000001'), 'EUR', 'USD', t, at('2026-02-01T00:00:00Z')).toString()).toBe('0.000001');
    expect(convert(Money.of('-0.000001'), 'EUR', 'USD', t, at('2026-02-01T00:00:00Z')).toString()).toBe('-0.000001');
  });

  it('keeps tiny rates with 12 decimals exact', () => {
    const r = convertWithRate(Money.of('1'), 'EUR', 'BTC', table, at('2026-07-01T00:00:00Z'));
    expect(r.amount.toString()).toBe('0.000012');
    expect(r.toRate.toString()).toBe('0.000012345678');
    expect(r.fromRate.toString()).toBe('1');
  });

  it('returns the same amount for the same currency, even without any rate', () => {
    const empty: RateTable = { systemCurrency: 'EUR', rows: [] };
    const m = Money.of('12.345678');
    expect(convert(m, 'CHF', 'CHF', empty, at('2026-01-01T00:00:00Z')).equals(m)).toBe(true);
  });

  it('reports the applied factor', () => {
    const r = convertWithRate(Money.of('100'), 'USD', 'GBP', table, at('2026-07-01T00:00:00Z'));
    expect(r.rate.toSignificantDigits(10).toString()).toBe('0.7083333333');
  });

  it('round-trips within one micro-unit per conversion (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (micros) => {
        const m = Money.fromMicros(micros);
        const back = convert(convert(m, 'EUR', 'GBP', table, at('2026-07-01T00:00:00Z')), 'GBP', 'EUR', table, at('2026-07-01T00:00:00Z'));
        // error of one half micro-unit in GBP, scaled by 1/0.85, plus half a micro-unit: below 2 micro-units
        return back.minus(m).abs().lte(Money.of('0.000002'));
      }),
    );
  });

  it('validates rate text: positive decimal, up to 12 decimals, no exponent or sign', () => {
    for (const ok of ['1', '1.5', '0.000000000001', '160', '1234567890123456.123456789012']) expect(isValidExchangeRate(ok)).toBe(true);
    for (const bad of ['0', '0.0', '-1', '+1', '1e3', '1.', '.5', '1.0000000000001', '', ' 1', 1.5, null, '0x10', '١'])
      expect(isValidExchangeRate(bad)).toBe(false);
    expect(new Dec('0.000000000001').isZero()).toBe(false);
  });
});
