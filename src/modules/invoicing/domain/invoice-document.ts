/**
 * The model of one issued document, an invoice or a credit note (DOMAIN.md §7), as plain data: what the
 * PDF (`invoice-pdf.ts`) and the UBL XML (`ubl-invoice.ts`) render, and all they render. The invoice run
 * fills an `InvoiceDraft` from the ledger and calls `finaliseInvoice` (`invoice-totals.ts`), which rounds
 * the amounts and adds the tax breakdown and totals the way EN 16931 requires.
 *
 * Conventions:
 * - Money is a decimal string ("12.50", "-0.012345"), never a JS number. On a finished document every
 *   amount except unit prices and call prices has exactly `amountDigits(currencyDigits)` decimals.
 * - Dates are local calendar dates 'YYYY-MM-DD', already in the customer's time zone; call start times
 *   are local 'YYYY-MM-DD HH:mm:ss'. Nothing here knows about zones.
 * - Text comes from users and may hold anything; the renderers clean it (`document-text.ts`).
 */

export type DocumentType = 'invoice' | 'credit_note';

/** How much usage the document shows (the customer's `invoiceDetail` setting). */
export type InvoiceDetail = 'summary' | 'destinations' | 'calls';

/** What a line bills; the ledger's transaction types that reach an invoice, plus the contract rule's fee. */
export const LINE_CATEGORIES = [
  'call',
  'message',
  'signup_fee',
  'account_fee',
  'line_fee',
  'number_fee',
  'charge',
  'credit',
  'affiliate_fee',
  'minimum_contract',
  'adjustment',
] as const;
export type LineCategory = (typeof LINE_CATEGORIES)[number];

/**
 * VAT category codes of EN 16931 (UNCL5305 subset): S standard rate, Z zero rated, E exempt, AE reverse
 * charge, K intra-community supply, G export outside the EU, O not subject to VAT, L Canary Islands IGIC,
 * M Ceuta and Melilla IPSI.
 */
export const TAX_CATEGORY_CODES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'L', 'M'] as const;
export type TaxCategoryCode = (typeof TAX_CATEGORY_CODES)[number];

/** Categories whose rate is always 0 (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05); O has no rate at all (BR-O-05). */
export const ZERO_RATE_CATEGORIES: readonly TaxCategoryCode[] = ['Z', 'E', 'AE', 'K', 'G'];

/** Categories whose VAT breakdown must give a reason, as text or VATEX code (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10). */
export const REASON_REQUIRED_CATEGORIES: readonly TaxCategoryCode[] = ['E', 'AE', 'K', 'G', 'O'];

/**
 * The VAT treatment of a line or of a document-level allowance/charge. `percent` is a decimal string
 * ("20", "5.5"); it is "0" for the zero-rate categories and ignored for O (which carries no rate).
 * The exemption reason (text and/or VATEX code such as "VATEX-EU-132-1A") is required for E, AE, K, G
 * and O and forbidden for S, Z, L and M.
 */
export interface TaxTreatment {
  category: TaxCategoryCode;
  percent: string;
  /** The tax's own name ("VAT", "IVA"), printed in the breakdown; EN 16931 knows only category and rate. */
  name?: string;
  exemptionReason?: string;
  exemptionReasonCode?: string;
}

/** Issuer (seller) or customer (buyer). */
export interface Party {
  name: string;
  /** Street lines, first first; at most three reach the XML (street, additional street, address line). */
  addressLines: string[];
  city: string;
  postcode: string;
  /** Region, state or province, when the address needs one. */
  countrySubdivision?: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
  /**
   * VAT identifier (BT-31 seller, BT-48 buyer), with its ISO 3166-1 country prefix (BR-CO-09; Greece is
   * "EL"). Required of the issuer when a line is S, Z, E, AE, K, G, L or M; absent on both parties when
   * any line is O.
   */
  vatId?: string;
  /** Issuer only: a tax registration that is not a VAT id (BT-32, e.g. a local tax number). */
  taxRegistrationId?: string;
  /**
   * The party's identifier as the other side knows it (BT-29 seller, BT-46 buyer), for example its account
   * reference on the platform; identifies an issuer that has neither a VAT id nor a company number (BR-CO-26).
   */
  identifier?: string;
  /** Company registration number (BT-30 seller, BT-47 buyer). */
  legalRegistrationId?: string;
  contactName?: string;
  email?: string;
  phone?: string;
}

/** How to pay (BG-16); optional. `code` is UNCL4461: 30 credit transfer, 58 SEPA credit transfer, 59 SEPA direct debit, 10 cash, 20 cheque, 48 card. */
export interface PaymentMeans {
  code: string;
  /** Remittance information the payer should quote (BT-83), usually the document number. */
  paymentId?: string;
  /** IBAN or account number (BT-84). */
  accountId?: string;
  accountName?: string;
  /** BIC (BT-86). */
  bic?: string;
}

export interface InvoiceLine {
  /** Unique within the document (BR-21): "1", "2", … */
  id: string;
  description: string;
  category: LineCategory;
  /** Decimal string; negative for a credit (the unit price may not be negative, BR-27). */
  quantity: string;
  /** UN/ECE Recommendation 20: C62 one, MIN minute, SEC second, MON month, ANN year. */
  unitCode: string;
  /** Net price of one unit, 0 or more (BR-27), any number of decimals. */
  unitPrice: string;
  /** quantity × unit price, as the ledger summed it; rounded by `finaliseInvoice`. */
  netAmount: string;
  tax: TaxTreatment;
  /** The line's own period, when it differs from the document's (a fee for part of the period). */
  periodStart?: string;
  periodEnd?: string;
}

/** Document-level allowance (a discount) or charge: how a flat levy that is not a percentage tax is shown. */
export interface AllowanceCharge {
  kind: 'allowance' | 'charge';
  /** Shown and sent (BT-97 / BT-104): e.g. "Emergency services levy". */
  reason: string;
  /** UNCL5189 (allowances) or UNCL7161 (charges) code, when there is one. */
  reasonCode?: string;
  /** Positive; the kind says which way it goes. */
  amount: string;
  tax: TaxTreatment;
}

/** One row of the 'destinations' detail: usage per destination over the period. */
export interface DestinationUsage {
  destination: string;
  /** The rate prefix, if the run wants to show it. */
  prefix?: string;
  calls: number;
  durationSeconds: number;
  amount: string;
}

/** One row of the 'calls' detail: an itemised call. */
export interface CallRecord {
  /** Local start time 'YYYY-MM-DD HH:mm:ss'. */
  startedAt: string;
  destinationNumber: string;
  destinationName: string;
  durationSeconds: number;
  /** The call's price as charged (plan precision, not rounded to the currency). */
  price: string;
}

/** One VAT breakdown row (BG-23): per category and rate. */
export interface TaxSubtotal {
  category: TaxCategoryCode;
  percent: string;
  /** The names of the taxes in this row, when the lines gave them ("VAT"; several joined with " + "). */
  name?: string;
  taxableAmount: string;
  taxAmount: string;
  exemptionReason?: string;
  exemptionReasonCode?: string;
}

/** Document totals (BG-22); see `invoice-totals.ts` for how each is computed. */
export interface DocumentTotals {
  /** Σ line net amounts (BT-106). */
  lineExtension: string;
  /** Σ document-level allowances (BT-107). */
  allowances: string;
  /** Σ document-level charges (BT-108). */
  charges: string;
  /** lineExtension − allowances + charges (BT-109). */
  taxExclusive: string;
  /** Σ breakdown tax amounts (BT-110). */
  tax: string;
  /** taxExclusive + tax (BT-112). */
  taxInclusive: string;
  /** Already paid (BT-113), e.g. settled from a prepaid balance. */
  prepaid: string;
  /** taxInclusive − prepaid (BT-115). */
  payable: string;
}

export interface InvoiceDocument {
  type: DocumentType;
  number: string;
  issueDate: string;
  /** Payment due date; on a credit note, when the credit will be paid out or set off (optional there). */
  dueDate?: string;
  periodStart: string;
  periodEnd: string;
  /** ISO 4217. */
  currency: string;
  /** ISO 4217 minor-unit digits of the currency (2 for EUR, 0 for JPY, 3 for KWD). */
  currencyDigits: number;
  issuer: Party;
  customer: Party;
  /** The customer's own reference for its accounts payable (BT-10): often its account number with us. */
  buyerReference?: string;
  /** e.g. "Payable within 14 days by bank transfer." */
  paymentTerms?: string;
  paymentMeans?: PaymentMeans;
  /** Free notes printed and sent (BT-22). */
  notes?: string[];
  detail: InvoiceDetail;
  lines: InvoiceLine[];
  allowanceCharges: AllowanceCharge[];
  /** For detail 'destinations'. */
  destinations?: DestinationUsage[];
  /** For detail 'calls'. */
  calls?: CallRecord[];
  taxBreakdown: TaxSubtotal[];
  totals: DocumentTotals;
  /** Credit notes: the invoice they correct (BG-3). */
  invoiceReference?: { number: string; issueDate: string };
}

/** What the invoice run fills in: the document without its computed parts, and what was prepaid. */
export type InvoiceDraft = Omit<InvoiceDocument, 'taxBreakdown' | 'totals'> & { prepaid?: string };

/**
 * Decimals of the amounts on a document: the currency's minor unit, but never more than 2, because
 * EN 16931 allows at most 2 decimals on every amount (BR-DEC-*, fatal). A 3-decimal currency (KWD, BHD,
 * OMR, JOD, TND) is therefore invoiced in hundredths.
 */
export function amountDigits(currencyDigits: number): number {
  if (!Number.isInteger(currencyDigits) || currencyDigits < 0) throw new Error(`invalid currency digits: ${currencyDigits}`);
  return Math.min(currencyDigits, 2);
}
