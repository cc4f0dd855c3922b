import { Money } from '../../shared/money';
import { formatInstant, formatMoney } from './format';

describe('formatMoney', () => {
  it('uses the currency minor unit and groups thousands', () => {
    expect(formatMoney(Money.of('1234567.5'), 'EUR')).toBe('1,234,567.50 EUR');
    expect(formatMoney(Money.of('-1234.005'), 'EUR')).toBe('-1,234.01 EUR');
    expect(formatMoney('12', 'JPY')).toBe('12 JPY');
    expect(formatMoney('0.1234', 'BHD')).toBe('0.123 BHD');
    expect(formatMoney('999', 'EUR')).toBe('999.00 EUR');
  });
  it('shows nothing for no amount and the text for a non-amount', () => {
    expect(formatMoney(null, 'EUR')).toBe('');
    expect(formatMoney('unlimited', 'EUR')).toBe('unlimited');
  });
});

describe('formatInstant', () => {
  it('is UTC to the minute', () => {
    expect(formatInstant(new Date('2026-11-25T19:00:59.999Z'))).toBe('2026-11-25 19:00 UTC');
    expect(formatInstant('2026-11-25T19:00:00-03:30')).toBe('2026-11-25 22:30 UTC');
    expect(formatInstant(null)).toBe('');
  });
});
