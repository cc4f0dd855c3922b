import { Dec } from '../../../shared/money';
import {
  REASON_REQUIRED_CATEGORIES,
  TAX_CATEGORY_CODES,
  ZERO_RATE_CATEGORIES,
  type InvoiceDocument,
  type InvoiceDraft,
  type Party,
  type TaxCategoryCode,
  type TaxTreatment,
} from './invoice-document';

/**
 * The EN 16931 business rules a document can break through its data (not through rendering), checked
 * before it is finalised so that the run refuses a document instead of issuing one that a buyer's system
 * rejects. The rule ids are EN 16931's; the CEN validation artefacts (run in the tests) are the reference.
 */

export class InvalidInvoiceError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid invoice document: ${problems.join('; ')}`);
    this.name = 'InvalidInvoiceError';
  }
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** ISO 3166-1 alpha-2 prefix of a VAT id (BR-CO-09), Greece's "EL" and Northern Ireland's "XI" included. */
const VAT_PREFIX = /^[A-Z]{2}/;

const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

function treatmentProblems(tax: TaxTreatment, where: string): string[] {
  const problems: string[] = [];
  if (!(TAX_CATEGORY_CODES as readonly string[]).includes(tax.category)) return [`${where}: unknown VAT category "${tax.category}"`];
  const hasReason = !blank(tax.exemptionReason) || !blank(tax.exemptionReasonCode);
  if (tax.category !== 'O') {
    if (!DECIMAL.test(tax.percent)) problems.push(`${where}: VAT rate "${tax.percent}" is not a decimal`);
    else {
      const rate = new Dec(tax.percent);
      if (ZERO_RATE_CATEGORIES.includes(tax.category) && !rate.isZero()) problems.push(`${where}: category ${tax.category} has rate 0 (BR-${tax.category}-05)`);
      if (tax.category === 'S' && rate.lte(0)) problems.push(`${where}: standard rate must be above 0 (BR-S-05)`);
      if ((tax.category === 'L' || tax.category === 'M') && rate.lt(0)) problems.push(`${where}: rate must not be negative`);
    }
  }
  if (REASON_REQUIRED_CATEGORIES.includes(tax.category) && !hasReason) {
    problems.push(`${where}: category ${tax.category} needs an exemption reason text or code (BR-${tax.category === 'K' ? 'IC' : tax.category}-10)`);
  }
  if (!REASON_REQUIRED_CATEGORIES.includes(tax.category) && hasReason) {
    problems.push(`${where}: category ${tax.category} must not carry an exemption reason (BR-S-10, BR-Z-10, BR-AF-10, BR-AG-10)`);
  }
  return problems;
}

function partyProblems(party: Party, role: 'issuer' | 'customer'): string[] {
  const problems: string[] = [];
  if (blank(party.name)) problems.push(`${role}: name is required (BR-06/BR-07)`);
  if (!/^[A-Z]{2}$/.test(party.countryCode)) problems.push(`${role}: country code must be ISO 3166-1 alpha-2 (BR-09/BR-11)`);
  if (party.vatId !== undefined && !VAT_PREFIX.test(party.vatId)) problems.push(`${role}: VAT id must start with its country prefix (BR-CO-09)`);
  return problems;
}

/** Every rule the draft (or a finished document) breaks; empty when it may be issued. */
export function invoiceRuleViolations(doc: InvoiceDraft | InvoiceDocument): string[] {
  const problems: string[] = [];
  if (blank(doc.number)) problems.push('document number is required (BR-02)');
  for (const [what, date] of [
    ['issue date', doc.issueDate],
    ['period start', doc.periodStart],
    ['period end', doc.periodEnd],
    ...(doc.dueDate !== undefined ? [['due date', doc.dueDate]] : []),
  ] as const) {
    if (!DATE.test(date)) problems.push(`${what} must be a date YYYY-MM-DD`);
  }
  if (doc.periodEnd < doc.periodStart) problems.push('period end is before its start (BR-29)');
  if (!/^[A-Z]{3}$/.test(doc.currency)) problems.push('currency must be an ISO 4217 code (BR-05)');
  problems.push(...partyProblems(doc.issuer, 'issuer'), ...partyProblems(doc.customer, 'customer'));
  if (blank(doc.issuer.vatId) && blank(doc.issuer.legalRegistrationId) && blank(doc.issuer.identifier)) {
    problems.push('issuer needs an identifier, a VAT id or a legal registration id (BR-CO-26)');
  }
  if (doc.type === 'credit_note' && (!doc.invoiceReference || blank(doc.invoiceReference.number))) {
    problems.push('a credit note references the invoice it corrects (BR-55)');
  }
  if (doc.invoiceReference && !DATE.test(doc.invoiceReference.issueDate)) problems.push('referenced invoice date must be YYYY-MM-DD');

  if (doc.lines.length === 0) problems.push('a document has at least one line (BR-16)');
  const ids = new Set<string>();
  doc.lines.forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (blank(line.id) || ids.has(line.id)) problems.push(`${where}: id missing or repeated (BR-21)`);
    ids.add(line.id);
    if (blank(line.description)) problems.push(`${where}: description is required (BR-25)`);
    if (!DECIMAL.test(line.quantity)) problems.push(`${where}: quantity is not a decimal (BR-22)`);
    if (blank(line.unitCode)) problems.push(`${where}: unit code is required (BR-23)`);
    if (!DECIMAL.test(line.unitPrice) || new Dec(line.unitPrice).lt(0)) {
      problems.push(`${where}: unit price must be 0 or more; a credit has a negative quantity (BR-27)`);
    }
    if (!DECIMAL.test(line.netAmount)) problems.push(`${where}: net amount is not a decimal (BR-24)`);
    problems.push(...treatmentProblems(line.tax, where));
  });
  doc.allowanceCharges.forEach((ac, index) => {
    const where = `${ac.kind} ${index + 1}`;
    if (!DECIMAL.test(ac.amount) || new Dec(ac.amount).lt(0)) problems.push(`${where}: amount must be 0 or more (BR-31/BR-36)`);
    if (blank(ac.reason) && blank(ac.reasonCode)) problems.push(`${where}: reason is required (BR-CO-21/BR-CO-22)`);
    problems.push(...treatmentProblems(ac.tax, where));
  });

  if (doc.paymentMeans) {
    if (blank(doc.paymentMeans.code)) problems.push('payment means need a UNCL4461 code (BR-49)');
    if (['30', '58'].includes(doc.paymentMeans.code) && blank(doc.paymentMeans.accountId)) {
      problems.push('a credit transfer needs the account to pay to (BR-61)');
    }
  }

  const treatments = [...doc.lines.map((l) => l.tax), ...doc.allowanceCharges.map((a) => a.tax)];
  const categories = new Set<TaxCategoryCode>(treatments.map((t) => t.category));
  // One breakdown row per category and rate carries one reason: lines that share both must share it.
  const reasons = new Map<string, string>();
  for (const t of treatments) {
    if (t.category !== 'O' && !DECIMAL.test(t.percent)) continue;
    const key = `${t.category}|${t.category === 'O' ? '' : new Dec(t.percent).toString()}`;
    const reason = `${t.exemptionReason ?? ''}|${t.exemptionReasonCode ?? ''}`;
    if (reasons.has(key) && reasons.get(key) !== reason) problems.push(`category ${t.category} rate ${t.percent}: one exemption reason per category and rate`);
    reasons.set(key, reason);
  }
  const issuerTaxId = !blank(doc.issuer.vatId) || !blank(doc.issuer.taxRegistrationId);
  for (const c of categories) {
    if (c === 'O') continue;
    if ((c === 'K' || c === 'G') && blank(doc.issuer.vatId)) problems.push(`category ${c} needs the issuer's VAT id (BR-${c === 'K' ? 'IC' : 'G'}-02)`);
    else if (!issuerTaxId) problems.push(`category ${c} needs the issuer's VAT id or tax registration id (BR-${c}-02)`);
  }
  if (categories.has('AE') && blank(doc.customer.vatId) && blank(doc.customer.legalRegistrationId)) {
    problems.push("reverse charge needs the customer's VAT id or legal registration id (BR-AE-02)");
  }
  if (categories.has('K') && blank(doc.customer.vatId)) problems.push("intra-community supply needs the customer's VAT id (BR-IC-02)");
  if (categories.has('O')) {
    if (categories.size > 1) problems.push('"not subject to VAT" (O) cannot be combined with another VAT category on one document (BR-O-11..14)');
    if (!blank(doc.issuer.vatId) || !blank(doc.customer.vatId)) problems.push('with category O neither party may show a VAT id (BR-O-02)');
  }
  return problems;
}

/** Rules on the computed totals. */
export function payableRuleViolations(doc: InvoiceDocument): string[] {
  // A UBL credit note carries its due date only inside PaymentMeans.
  const dueDateShown = doc.dueDate !== undefined && (doc.type === 'invoice' || doc.paymentMeans !== undefined);
  if (new Dec(doc.totals.payable).gt(0) && !dueDateShown && blank(doc.paymentTerms)) {
    return ['an amount due needs a due date or payment terms (BR-CO-25)'];
  }
  return [];
}
