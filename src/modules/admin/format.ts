import { Money } from '../../shared/money';
import { currencyMinorUnits, isCurrencyCode } from '../../shared/validation';

/**
 * Money for people: the currency's minor unit (EUR 2, JPY 0), thousands grouped, code after:
 * "-1,234.50 EUR". Never through a JS number. Accepts a Money or an API decimal string.
 */
export function formatMoney(amount: Money | string | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined) return '';
  const m = typeof amount === 'string' ? Money.parse(amount) : amount;
  if (!m) return String(amount);
  const places = currency && isCurrencyCode(currency) ? currencyMinorUnits(currency) : 2;
  const [int, frac] = m.toFixed(places).split('.');
  const negative = int.startsWith('-');
  const digits = negative ? int.slice(1) : int;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}${currency ? ` ${currency}` : ''}`;
}

/** "2026-11-25 19:00 UTC" — unambiguous in lists, whatever the viewer's zone. */
export function formatInstant(d: Date | string | null | undefined): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return '';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
