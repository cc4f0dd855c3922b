import { Dec, roundHalfAwayFromZero } from '../../../shared/money';
import {
  amountDigits,
  type AllowanceCharge,
  type DocumentTotals,
  type InvoiceDocument,
  type InvoiceDraft,
  type InvoiceLine,
  type TaxCategoryCode,
  type TaxSubtotal,
  type TaxTreatment,
} from './invoice-document';
import { InvalidInvoiceError, invoiceRuleViolations, payableRuleViolations } from './invoice-rules';

/**
 * The tax breakdown and totals of a document, the way EN 16931 computes them:
 *
 * - every line net amount and every document-level allowance/charge is rounded to the document's
 *   digits first (`amountDigits`: the currency's minor unit, at most 2), and the totals are sums of the
 *   rounded amounts, so that they add up exactly (BR-CO-10 line extension = Σ line net amounts,
 *   BR-CO-11/12 allowance/charge totals, BR-CO-13 tax exclusive = lines − allowances + charges);
 * - per VAT category and rate (BR-S-08, BR-Z-08, BR-E-08, …): taxable amount = Σ line net amounts
 *   + Σ charges − Σ allowances of that category and rate; tax = taxable × rate / 100, rounded once per
 *   breakdown row (BR-S-09, BR-CO-17), never per line;
 * - BR-CO-14 tax total = Σ breakdown tax amounts; BR-CO-15 tax inclusive = tax exclusive + tax total;
 *   BR-CO-16 payable = tax inclusive − prepaid (no payable rounding amount).
 *
 * Rounding is `roundHalfAwayFromZero` (src/shared/money.ts), the platform's one rounding function.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;

function dec(value: string, what: string): Dec {
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new InvalidInvoiceError([`${what}: not a decimal string: ${String(value)}`]);
  return new Dec(value);
}

/** Fixed decimals, and never "-0.00". */
function fixed(value: Dec, digits: number): string {
  const rounded = roundHalfAwayFromZero(value, digits);
  return (rounded.isZero() ? new Dec(0) : rounded).toFixed(digits);
}

/** "20.000" and "20" are one rate; the canonical form is decimal.js's shortest ("20", "5.5"). O has no rate. */
export function canonicalPercent(tax: TaxTreatment): string {
  return tax.category === 'O' ? '0' : dec(tax.percent, `rate of ${tax.category}`).toString();
}

/** A signed net amount with its VAT treatment: a line (+), a charge (+) or an allowance (−). */
export interface TaxedAmount {
  amount: string;
  tax: TaxTreatment;
}

/**
 * One breakdown row per distinct (category, rate), in the order they first appear. Amounts must already
 * be rounded to `digits` (as `finaliseInvoice` does); the tax of each row is rounded once.
 */
export function computeTaxBreakdown(items: readonly TaxedAmount[], digits: number): TaxSubtotal[] {
  const rows = new Map<string, { category: TaxCategoryCode; percent: string; taxable: Dec; tax: TaxTreatment; names: Set<string> }>();
  for (const item of items) {
    const percent = canonicalPercent(item.tax);
    const key = `${item.tax.category}|${percent}`;
    const amount = dec(item.amount, 'amount');
    let row = rows.get(key);
    if (row) row.taxable = row.taxable.plus(amount);
    else rows.set(key, (row = { category: item.tax.category, percent, taxable: amount, tax: item.tax, names: new Set() }));
    if (item.tax.name !== undefined && item.tax.name.trim() !== '') row.names.add(item.tax.name.trim());
  }
  return [...rows.values()].map((row) => {
    const taxAmount = row.category === 'O' ? new Dec(0) : row.taxable.times(row.percent).dividedBy(100);
    const subtotal: TaxSubtotal = {
      category: row.category,
      percent: row.percent,
      taxableAmount: fixed(row.taxable, digits),
      taxAmount: fixed(taxAmount, digits),
    };
    if (row.names.size > 0) subtotal.name = [...row.names].join(' + ');
    if (row.tax.exemptionReason !== undefined) subtotal.exemptionReason = row.tax.exemptionReason;
    if (row.tax.exemptionReasonCode !== undefined) subtotal.exemptionReasonCode = row.tax.exemptionReasonCode;
    return subtotal;
  });
}

/** BG-22 from rounded lines, allowances/charges and breakdown. */
export function computeTotals(
  lines: readonly Pick<InvoiceLine, 'netAmount'>[],
  allowanceCharges: readonly Pick<AllowanceCharge, 'kind' | 'amount'>[],
  breakdown: readonly Pick<TaxSubtotal, 'taxAmount'>[],
  prepaid: string,
  digits: number,
): DocumentTotals {
  const sum = (values: string[], what: string) => values.reduce((acc, v) => acc.plus(dec(v, what)), new Dec(0));
  const lineExtension = sum(
    lines.map((l) => l.netAmount),
    'line net amount',
  );
  const allowances = sum(
    allowanceCharges.filter((a) => a.kind === 'allowance').map((a) => a.amount),
    'allowance',
  );
  const charges = sum(
    allowanceCharges.filter((a) => a.kind === 'charge').map((a) => a.amount),
    'charge',
  );
  const taxExclusive = lineExtension.minus(allowances).plus(charges);
  const tax = sum(
    breakdown.map((b) => b.taxAmount),
    'tax amount',
  );
  const taxInclusive = taxExclusive.plus(tax);
  const prepaidAmount = roundHalfAwayFromZero(dec(prepaid, 'prepaid amount'), digits);
  return {
    lineExtension: fixed(lineExtension, digits),
    allowances: fixed(allowances, digits),
    charges: fixed(charges, digits),
    taxExclusive: fixed(taxExclusive, digits),
    tax: fixed(tax, digits),
    taxInclusive: fixed(taxInclusive, digits),
    prepaid: fixed(prepaidAmount, digits),
    payable: fixed(taxInclusive.minus(prepaidAmount), digits),
  };
}

/**
 * The finished document: amounts rounded to the document's digits, rates in canonical form, breakdown
 * and totals added. Throws `InvalidInvoiceError` listing every EN 16931 rule the draft breaks
 * (`invoice-rules.ts`), so that no document is issued that a buyer's system would reject.
 */
export function finaliseInvoice(draft: InvoiceDraft): InvoiceDocument {
  const problems = invoiceRuleViolations(draft);
  if (problems.length > 0) throw new InvalidInvoiceError(problems);
  const digits = amountDigits(draft.currencyDigits);
  const treatment = (tax: TaxTreatment): TaxTreatment => ({ ...tax, percent: canonicalPercent(tax) });
  const lines = draft.lines.map((line) => ({
    ...line,
    netAmount: fixed(dec(line.netAmount, `line ${line.id} net amount`), digits),
    tax: treatment(line.tax),
  }));
  const allowanceCharges = draft.allowanceCharges.map((ac) => ({
    ...ac,
    amount: fixed(dec(ac.amount, `${ac.kind} "${ac.reason}"`), digits),
    tax: treatment(ac.tax),
  }));
  const taxBreakdown = computeTaxBreakdown(
    [
      ...lines.map((l) => ({ amount: l.netAmount, tax: l.tax })),
      ...allowanceCharges.map((ac) => ({ amount: ac.kind === 'charge' ? ac.amount : new Dec(ac.amount).negated().toFixed(), tax: ac.tax })),
    ],
    digits,
  );
  const totals = computeTotals(lines, allowanceCharges, taxBreakdown, draft.prepaid ?? '0', digits);
  const { prepaid: _prepaid, ...rest } = draft;
  const document: InvoiceDocument = { ...rest, lines, allowanceCharges, taxBreakdown, totals };
  const late = payableRuleViolations(document);
  if (late.length > 0) throw new InvalidInvoiceError(late);
  return document;
}
