import { Money } from '../../../shared/money';
import { amountDigits } from './invoice-document';

/** One group of the ledger as the billing module sums it (BillingApi.invoiceUsage), in plain data. */
export interface LedgerGroup {
  type: string;
  /** Calls: the destination they were priced with, or null when unknown. */
  destination: string | null;
  transactions: number;
  seconds: number;
  /** The ledger's exact signed sum: negative for charges, positive for credits. */
  amount: Money;
}

export interface IssuedLine {
  position: number;
  category: string;
  description: string;
  quantity: number;
  unitCode: 'C62';
  /** What the customer is billed: positive for charges, negative for credits; rounded to the document's digits. */
  amount: Money;
}

export interface IssuedAmounts {
  lines: IssuedLine[];
  net: Money;
  /**
   * What the ledger recorded exactly (6 decimals), as the invoice counts it (charges positive). `net`
   * differs from it by the rounding of each line; the run posts `net - exact` to the ledger as the
   * invoice's rounding adjustment, so the ledger and the invoices agree to the cent.
   */
  exact: Money;
}

/** Order of categories on an invoice: fees, then usage, then other charges and credits. */
const ORDER = ['signup_fee', 'account_fee', 'line_fee', 'number_fee', 'call', 'message', 'charge', 'credit', 'affiliate_fee', 'adjustment'];

const LABELS: Record<string, string> = {
  signup_fee: 'Sign-up fee',
  account_fee: 'Account fee',
  line_fee: 'Line fees',
  number_fee: 'Number fees',
  message: 'Messages',
  charge: 'Charges',
  credit: 'Credits',
  affiliate_fee: 'Affiliate fees',
  adjustment: 'Adjustments',
};

/** ISO 4217 minor-unit digits of a currency (JPY 0, EUR 2, KWD 3), from the runtime's currency data. */
export function currencyDigits(currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  return digits ?? 2;
}

/** Decimals of the amounts on an invoice: the currency's minor unit, at most 2 (EN 16931 allows no more). */
export function documentDigits(currency: string): number {
  return amountDigits(currencyDigits(currency));
}

function description(g: LedgerGroup): string {
  if (g.type !== 'call') return LABELS[g.type] ?? g.type;
  const minutes = `${Math.floor(g.seconds / 60)}:${String(g.seconds % 60).padStart(2, '0')} min`;
  return `Calls to ${g.destination ?? 'other destinations'} (${minutes})`.slice(0, 200);
}

/**
 * The invoice's lines from the ledger's groups of the period (DOMAIN.md §7): one line per category, calls
 * one line per destination. Rounding (README "Where money is rounded"): each line's exact sum is rounded
 * once, half away from zero, to the document's digits (the currency's minor unit, at most 2 as EN 16931
 * allows); the net amount is the sum of the rounded lines. Groups that sum to exactly zero are left out.
 */
export function invoiceLines(groups: readonly LedgerGroup[], currency: string): IssuedAmounts {
  const digits = documentDigits(currency);
  const sorted = [...groups].sort(
    (a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type) || (a.destination ?? '\uffff').localeCompare(b.destination ?? '\uffff'),
  );
  const lines: IssuedLine[] = [];
  for (const g of sorted) {
    if (g.amount.isZero()) continue;
    lines.push({
      position: lines.length + 1,
      category: g.type,
      description: description(g),
      quantity: g.transactions,
      unitCode: 'C62',
      amount: g.amount.negated().round(digits),
    });
  }
  return {
    lines,
    net: Money.sum(lines.map((l) => l.amount)),
    exact: Money.sum(groups.map((g) => g.amount)).negated(),
  };
}
