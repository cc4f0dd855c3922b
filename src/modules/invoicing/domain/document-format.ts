import type { TaxSubtotal } from './invoice-document';

/** How amounts, durations and VAT categories read on a printed document. Pure string work, no JS number money. */

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * A decimal string with thousands separators, at least `minDecimals` decimals and no trailing zeros
 * beyond them: ("1234567.5", 2) → "1,234,567.50"; ("0.012300", 2) → "0.0123"; negatives with a real minus.
 */
export function formatDecimal(value: string, minDecimals: number): string {
  const m = DECIMAL.exec(value);
  if (!m) return value;
  const [, sign, whole, fraction = ''] = m;
  let decimals = fraction.replace(/0+$/, '');
  if (decimals.length < minDecimals) decimals = decimals.padEnd(minDecimals, '0');
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const isZero = /^0*$/.test(whole) && /^0*$/.test(fraction);
  return `${sign && !isZero ? '−' : ''}${grouped}${decimals ? `.${decimals}` : ''}`;
}

/** 59 → "0:59", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Unit codes (UN/ECE Rec. 20) as a reader expects them after a quantity. */
const UNIT_NAMES: Record<string, string> = { C62: '', MON: 'month', ANN: 'year', MIN: 'min', SEC: 's', HUR: 'h', DAY: 'day' };

export function formatQuantity(quantity: string, unitCode: string): string {
  const unit = UNIT_NAMES[unitCode] ?? unitCode;
  return `${formatDecimal(quantity, 0)}${unit ? ` ${unit}` : ''}`;
}

const CATEGORY_NAMES: Record<string, string> = {
  S: 'Standard rate',
  Z: 'Zero rated',
  E: 'Exempt',
  AE: 'Reverse charge',
  K: 'Intra-community supply',
  G: 'Export outside the EU',
  O: 'Not subject to VAT',
  L: 'IGIC (Canary Islands)',
  M: 'IPSI (Ceuta and Melilla)',
};

/** The tax's own name when the row has one ("VAT 20%"), else the category's ("Standard rate 20%", "Not subject to VAT"). */
export function taxCategoryLabel(tax: Pick<TaxSubtotal, 'category' | 'percent' | 'name'>): string {
  const name = tax.name ?? CATEGORY_NAMES[tax.category] ?? tax.category;
  return tax.category === 'O' ? name : `${name} ${formatDecimal(tax.percent, 0)}%`;
}
