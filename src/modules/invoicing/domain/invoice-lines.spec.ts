import { Money } from '../../../shared/money';
import { currencyDigits, invoiceLines, type LedgerGroup } from './invoice-lines';

const g = (type: string, amount: string, extra: Partial<LedgerGroup> = {}): LedgerGroup => ({
  type,
  destination: null,
  transactions: 1,
  seconds: 0,
  amount: Money.of(amount),
  ...extra,
});

describe('invoice lines from the ledger', () => {
  it('one line per category, calls per destination, fees first; charges positive, credits negative', () => {
    const { lines, net } = invoiceLines(
      [
        g('call', '-3.600000', { destination: 'United Kingdom', transactions: 3, seconds: 185 }),
        g('credit', '5.00'),
        g('account_fee', '-10.00'),
        g('call', '-1.200000', { destination: 'France', transactions: 1, seconds: 60 }),
        g('line_fee', '-4.00', { transactions: 2 }),
      ],
      'EUR',
    );
    expect(lines.map((l) => [l.position, l.category, l.description, l.quantity, l.amount.toFixed(2)])).toEqual([
      [1, 'account_fee', 'Account fee', 1, '10.00'],
      [2, 'line_fee', 'Line fees', 2, '4.00'],
      [3, 'call', 'Calls to France (1:00 min)', 1, '1.20'],
      [4, 'call', 'Calls to United Kingdom (3:05 min)', 3, '3.60'],
      [5, 'credit', 'Credits', 1, '-5.00'],
    ]);
    expect(net.toFixed(2)).toBe('13.80');
  });

  it('rounds each line once, half away from zero; the difference to the exact ledger is what the run adjusts', () => {
    const { lines, net, exact } = invoiceLines(
      [g('call', '-0.125000', { destination: 'A' }), g('call', '-0.125000', { destination: 'B' }), g('credit', '0.005000')],
      'EUR',
    );
    expect(lines.map((l) => l.amount.toFixed(2))).toEqual(['0.13', '0.13', '-0.01']);
    expect(net.toFixed(2)).toBe('0.25');
    expect(exact.toString()).toBe('0.245');
    expect(net.minus(exact).toString()).toBe('0.005');
  });

  it('uses the currency minor unit (JPY has none), never more than 2 decimals', () => {
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('KWD')).toBe(3);
    expect(invoiceLines([g('call', '-12.5', { destination: 'X' })], 'JPY').net.toString()).toBe('13.00');
    expect(invoiceLines([g('call', '-1.2345', { destination: 'X' })], 'KWD').net.toString()).toBe('1.23');
  });

  it('leaves out groups that sum to zero and calls with unknown destination last', () => {
    const { lines } = invoiceLines(
      [g('call', '-1', { destination: null }), g('call', '-1', { destination: 'Zambia' }), g('charge', '0')],
      'USD',
    );
    expect(lines.map((l) => l.description)).toEqual(['Calls to Zambia (0:00 min)', 'Calls to other destinations (0:00 min)']);
  });

  it('an empty period has no lines and a zero total', () => {
    const r = invoiceLines([], 'GBP');
    expect(r.lines).toEqual([]);
    expect(r.net.isZero()).toBe(true);
    expect(r.exact.isZero()).toBe(true);
  });
});
