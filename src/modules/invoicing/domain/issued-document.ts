import { DateTime } from 'luxon';
import type { Money } from '../../../shared/money';
import type { CallRecord, DestinationUsage, InvoiceDetail, InvoiceDraft, InvoiceLine, LineCategory, Party, TaxTreatment } from './invoice-document';
import { LINE_CATEGORIES } from './invoice-document';
import { currencyDigits } from './invoice-lines';

/** A party as the invoice row keeps it (the `parties` snapshot taken when it was issued). */
export interface StoredParty {
  id: number;
  name: string;
  email: string;
  taxReference: string | null;
  address: {
    line1: string | null;
    line2: string | null;
    line3: string | null;
    city: string | null;
    state: string | null;
    postcode: string | null;
    country: string | null;
  };
}

/** What the document is made of: the invoice row, its lines, and for a credit note the invoice it corrects. */
export interface StoredInvoice {
  documentType: 'invoice' | 'credit_note';
  number: string;
  issueDate: string;
  dueDate: string | null;
  /** First day; and the first day after the period (exclusive), as the run stores it. */
  periodStart: string | null;
  periodEnd: string | null;
  currency: string;
  detail: string;
  total: Money;
  /** Settled when it was issued: from a prepaid balance, or a credit note credited to the balance. */
  settledAtIssue: boolean;
  lines: ReadonlyArray<{ position: number; category: string; description: string; amount: Money }>;
  parties: { issuer: StoredParty; customer: StoredParty };
  /** Credit notes: the invoice they correct. */
  credited?: { number: string; issueDate: string; periodStart: string | null; periodEnd: string | null } | null;
}

export interface UsageDetail {
  destinations?: Array<{ destination: string | null; calls: number; seconds: number; amount: Money }>;
  calls?: Array<{ startedAt: Date; otherParty: string; destination: string | null; seconds: number; amount: Money }>;
}

/**
 * The VAT treatment of every line until taxes are charged (issue #12): "not subject to VAT" (EN 16931
 * category O, VATEX-EU-O). With O on a document, neither party may show a VAT id (BR-O-02), so the parties'
 * tax references are shown as the issuer's tax registration (BT-32) only.
 */
export const NOT_SUBJECT_TO_VAT: TaxTreatment = { category: 'O', percent: '0', exemptionReason: 'Not subject to VAT', exemptionReasonCode: 'VATEX-EU-O' };

const DETAILS: readonly InvoiceDetail[] = ['summary', 'destinations', 'calls'];

/** The day before a date: the run stores exclusive ends, documents show the last day of the period. */
function dayBefore(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: 1 }).toISODate() as string;
}

function party(p: StoredParty, role: 'issuer' | 'customer', fallbackCountry: string): Party {
  const a = p.address;
  return {
    name: p.name,
    addressLines: [a.line1, a.line2, a.line3].filter((l): l is string => !!l && l.trim() !== ''),
    city: a.city ?? '',
    postcode: a.postcode ?? '',
    ...(a.state ? { countrySubdivision: a.state } : {}),
    countryCode: (a.country ?? fallbackCountry).toUpperCase(),
    // The platform's reference of the party identifies it whatever tax data it has (BT-29 / BT-46, BR-CO-26).
    identifier: `C${p.id}`,
    ...(role === 'issuer' && p.taxReference ? { taxRegistrationId: p.taxReference } : {}),
    ...(p.email ? { email: p.email } : {}),
  };
}

const positive = (m: Money): string => m.abs().toString();

/**
 * The document draft of an issued invoice or credit note, ready for `finaliseInvoice` and the renderers.
 * Every amount comes from the stored invoice (so a document rendered again later is the same), the
 * usage detail from the ledger rows marked with the invoice; times are shown in `timezone` (the
 * customer's). `defaultCountry` stands in where neither party has a country in its address (EN 16931
 * requires one for both).
 */
export function issuedDocumentDraft(invoice: StoredInvoice, usage: UsageDetail, timezone: string, defaultCountry: string): InvoiceDraft {
  const { issuer, customer } = invoice.parties;
  const fallback = issuer.address.country ?? customer.address.country ?? defaultCountry;
  const credit = invoice.documentType === 'credit_note';
  const periodStart = (credit ? invoice.credited?.periodStart : invoice.periodStart) ?? invoice.issueDate;
  const periodEnd = (credit ? invoice.credited?.periodEnd : invoice.periodEnd) ?? null;
  const lines: InvoiceLine[] = invoice.lines.map((l) => ({
    id: String(l.position),
    description: l.description,
    category: (LINE_CATEGORIES as readonly string[]).includes(l.category) ? (l.category as LineCategory) : 'adjustment',
    // A credit is a negative quantity of a positive price (BR-27).
    quantity: l.amount.isNegative() ? '-1' : '1',
    unitCode: 'C62',
    unitPrice: positive(l.amount),
    netAmount: l.amount.toString(),
    tax: NOT_SUBJECT_TO_VAT,
  }));
  // EN 16931 needs at least one line (BR-16): a period without charges says so.
  if (!lines.length)
    lines.push({ id: '1', description: 'No charges in this period', category: 'adjustment', quantity: '0', unitCode: 'C62', unitPrice: '0', netAmount: '0', tax: NOT_SUBJECT_TO_VAT });
  const detail = (DETAILS as readonly string[]).includes(invoice.detail) ? (invoice.detail as InvoiceDetail) : 'summary';
  const destinations: DestinationUsage[] | undefined = usage.destinations?.map((d) => ({
    destination: d.destination ?? 'Other destinations',
    calls: d.calls,
    durationSeconds: d.seconds,
    amount: d.amount.toString(),
  }));
  const calls: CallRecord[] | undefined = usage.calls?.map((c) => ({
    startedAt: DateTime.fromJSDate(c.startedAt, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm:ss'),
    destinationNumber: c.otherParty,
    destinationName: c.destination ?? '',
    durationSeconds: c.seconds,
    price: c.amount.toString(),
  }));
  return {
    type: invoice.documentType,
    number: invoice.number,
    issueDate: invoice.issueDate,
    ...(invoice.dueDate ? { dueDate: invoice.dueDate } : {}),
    periodStart,
    periodEnd: periodEnd ? dayBefore(periodEnd) : periodStart,
    currency: invoice.currency,
    currencyDigits: currencyDigits(invoice.currency),
    issuer: party(issuer, 'issuer', fallback),
    customer: party(customer, 'customer', fallback),
    buyerReference: `C${customer.id}`,
    ...(invoice.dueDate && !invoice.settledAtIssue ? { paymentTerms: `Payable by ${invoice.dueDate}.` } : {}),
    detail,
    lines,
    allowanceCharges: [],
    ...(detail === 'destinations' && destinations ? { destinations } : {}),
    ...(detail === 'calls' && calls ? { calls } : {}),
    ...(credit && invoice.credited ? { invoiceReference: { number: invoice.credited.number, issueDate: invoice.credited.issueDate } } : {}),
    // What the document says was paid when it was issued; later payments do not change an issued document.
    prepaid: invoice.settledAtIssue ? invoice.total.toString() : '0',
  };
}
