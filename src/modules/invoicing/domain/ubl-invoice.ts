import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { xmlText } from './document-text';
import type { AllowanceCharge, InvoiceDocument, Party, TaxTreatment } from './invoice-document';

/**
 * A finished document (`finaliseInvoice`) as UBL 2.1 XML following EN 16931: an `Invoice` (type code 380)
 * or a `CreditNote` (381) with a BillingReference to the invoice it corrects. Elements are written in
 * the order of the UBL schema (xmllint checks it in the tests) and only business terms of EN 16931 are
 * used, so the CEN validation artefacts report no warnings for unused UBL elements. The builder escapes
 * every text (see `text` for the one trap); `xmlText` removes the characters XML cannot carry at all.
 *
 * Itemised calls and per-destination usage are not EN 16931 business terms: they travel in the PDF,
 * which may be embedded as an attachment (BG-24) with `options.pdf`.
 */

export const CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017';
/** BT-23, the business process: the billing process identifier used across Europe for plain invoicing. */
export const PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  creditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

export interface UblOptions {
  /** The PDF of the same document, embedded as an additional document (BG-24) for the itemised detail. */
  pdf?: Buffer;
}

const has = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';

/**
 * Text for the builder. xmlbuilder2 leaves an "&" alone when what follows looks like an entity ("&amp;",
 * "&copy;", "&#169;"), so user text "AT&amp;T" would read back as "AT&T" and "Smith&Co;" would not parse.
 * Escaping every "&" first gives it only "&amp;" sequences, which it keeps as they are: the text reads
 * back exactly (the spec checks it with xmllint).
 */
const text = (value: string): string => xmlText(value).replace(/&/g, '&amp;');

/** A cbc: element with text, or nothing when the value is empty. */
function cbc(parent: XMLBuilder, name: string, value: string | undefined, attributes?: Record<string, string>): void {
  if (!has(value)) return;
  const el = parent.ele(NS.cbc, `cbc:${name}`);
  for (const [k, v] of Object.entries(attributes ?? {})) el.att(k, text(v));
  el.txt(text(value));
}
const cac = (parent: XMLBuilder, name: string): XMLBuilder => parent.ele(NS.cac, `cac:${name}`);

function vatScheme(parent: XMLBuilder): void {
  cbc(cac(parent, 'TaxScheme'), 'ID', 'VAT');
}

/** TaxCategory / ClassifiedTaxCategory: O carries no rate (BR-O-05); reasons only where the breakdown needs them. */
function taxCategory(parent: XMLBuilder, element: string, tax: TaxTreatment, withReason: boolean): void {
  const el = cac(parent, element);
  cbc(el, 'ID', tax.category);
  if (tax.category !== 'O') cbc(el, 'Percent', tax.percent);
  if (withReason) {
    cbc(el, 'TaxExemptionReasonCode', tax.exemptionReasonCode);
    cbc(el, 'TaxExemptionReason', tax.exemptionReason);
  }
  vatScheme(el);
}

function address(parent: XMLBuilder, element: string, party: Party): void {
  const el = cac(parent, element);
  const lines = party.addressLines.filter(has);
  cbc(el, 'StreetName', lines[0]);
  cbc(el, 'AdditionalStreetName', lines[1]);
  cbc(el, 'CityName', party.city);
  cbc(el, 'PostalZone', party.postcode);
  cbc(el, 'CountrySubentity', party.countrySubdivision);
  // BT-162 is one line: the third and further street lines share it.
  if (lines.length > 2) cbc(cac(el, 'AddressLine'), 'Line', lines.slice(2).join(', '));
  cbc(cac(el, 'Country'), 'IdentificationCode', party.countryCode);
}

function party(parent: XMLBuilder, element: string, p: Party, role: 'issuer' | 'customer'): void {
  const el = cac(cac(parent, element), 'Party');
  // BT-29 / BT-46: how the other side knows the party (the platform's account reference).
  if (has(p.identifier)) cbc(cac(el, 'PartyIdentification'), 'ID', p.identifier);
  address(el, 'PostalAddress', p);
  if (has(p.vatId)) {
    const scheme = cac(el, 'PartyTaxScheme');
    cbc(scheme, 'CompanyID', p.vatId);
    vatScheme(scheme);
  }
  if (role === 'issuer' && has(p.taxRegistrationId)) {
    // BT-32: a tax registration that is not VAT ("FC" for the fiscal number in the CEN examples).
    const scheme = cac(el, 'PartyTaxScheme');
    cbc(scheme, 'CompanyID', p.taxRegistrationId);
    cbc(cac(scheme, 'TaxScheme'), 'ID', 'FC');
  }
  const legal = cac(el, 'PartyLegalEntity');
  cbc(legal, 'RegistrationName', p.name);
  cbc(legal, 'CompanyID', p.legalRegistrationId);
  if (has(p.contactName) || has(p.phone) || has(p.email)) {
    const contact = cac(el, 'Contact');
    cbc(contact, 'Name', p.contactName);
    cbc(contact, 'Telephone', p.phone);
    cbc(contact, 'ElectronicMail', p.email);
  }
}

function allowanceCharge(parent: XMLBuilder, ac: AllowanceCharge, currency: string): void {
  const el = cac(parent, 'AllowanceCharge');
  cbc(el, 'ChargeIndicator', ac.kind === 'charge' ? 'true' : 'false');
  cbc(el, 'AllowanceChargeReasonCode', ac.reasonCode);
  cbc(el, 'AllowanceChargeReason', ac.reason);
  cbc(el, 'Amount', ac.amount, { currencyID: currency });
  taxCategory(el, 'TaxCategory', ac.tax, false);
}

/** UBL 2.1 XML of a finished document (UTF-8, with declaration). */
export function renderUblInvoice(doc: InvoiceDocument, options: UblOptions = {}): string {
  const credit = doc.type === 'credit_note';
  const currency = doc.currency;
  const money = { currencyID: currency };
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(credit ? NS.creditNote : NS.invoice, credit ? 'CreditNote' : 'Invoice')
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:cac', NS.cac)
    .att('http://www.w3.org/2000/xmlns/', 'xmlns:cbc', NS.cbc);

  cbc(root, 'CustomizationID', CUSTOMIZATION_ID);
  cbc(root, 'ProfileID', PROFILE_ID);
  cbc(root, 'ID', doc.number);
  cbc(root, 'IssueDate', doc.issueDate);
  if (!credit) cbc(root, 'DueDate', doc.dueDate);
  cbc(root, credit ? 'CreditNoteTypeCode' : 'InvoiceTypeCode', credit ? '381' : '380');
  for (const note of doc.notes ?? []) cbc(root, 'Note', note);
  cbc(root, 'DocumentCurrencyCode', currency);
  cbc(root, 'BuyerReference', doc.buyerReference);
  const period = cac(root, 'InvoicePeriod');
  cbc(period, 'StartDate', doc.periodStart);
  cbc(period, 'EndDate', doc.periodEnd);
  if (doc.invoiceReference) {
    const ref = cac(cac(root, 'BillingReference'), 'InvoiceDocumentReference');
    cbc(ref, 'ID', doc.invoiceReference.number);
    cbc(ref, 'IssueDate', doc.invoiceReference.issueDate);
  }
  if (options.pdf) {
    const ref = cac(root, 'AdditionalDocumentReference');
    cbc(ref, 'ID', doc.number);
    cbc(ref, 'DocumentDescription', credit ? 'Credit note (PDF)' : 'Invoice with usage detail (PDF)');
    cbc(cac(ref, 'Attachment'), 'EmbeddedDocumentBinaryObject', options.pdf.toString('base64'), {
      mimeCode: 'application/pdf',
      filename: `${doc.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`,
    });
  }
  party(root, 'AccountingSupplierParty', doc.issuer, 'issuer');
  party(root, 'AccountingCustomerParty', doc.customer, 'customer');

  if (doc.lines.some((l) => l.tax.category === 'K')) {
    // BR-IC-12: an intra-community supply names the country it is delivered to: the customer's.
    const location = cac(cac(root, 'Delivery'), 'DeliveryLocation');
    cbc(cac(cac(location, 'Address'), 'Country'), 'IdentificationCode', doc.customer.countryCode);
  }
  if (doc.paymentMeans) {
    const pm = cac(root, 'PaymentMeans');
    cbc(pm, 'PaymentMeansCode', doc.paymentMeans.code);
    // UBL's CreditNote has no DueDate of its own: EN 16931 puts BT-9 here.
    if (credit) cbc(pm, 'PaymentDueDate', doc.dueDate);
    cbc(pm, 'PaymentID', doc.paymentMeans.paymentId);
    if (has(doc.paymentMeans.accountId)) {
      const account = cac(pm, 'PayeeFinancialAccount');
      cbc(account, 'ID', doc.paymentMeans.accountId);
      cbc(account, 'Name', doc.paymentMeans.accountName);
      if (has(doc.paymentMeans.bic)) cbc(cac(account, 'FinancialInstitutionBranch'), 'ID', doc.paymentMeans.bic);
    }
  }
  if (has(doc.paymentTerms)) cbc(cac(root, 'PaymentTerms'), 'Note', doc.paymentTerms);
  for (const ac of doc.allowanceCharges) allowanceCharge(root, ac, currency);

  const taxTotal = cac(root, 'TaxTotal');
  cbc(taxTotal, 'TaxAmount', doc.totals.tax, money);
  for (const row of doc.taxBreakdown) {
    const sub = cac(taxTotal, 'TaxSubtotal');
    cbc(sub, 'TaxableAmount', row.taxableAmount, money);
    cbc(sub, 'TaxAmount', row.taxAmount, money);
    taxCategory(sub, 'TaxCategory', row, true);
  }

  const totals = cac(root, 'LegalMonetaryTotal');
  cbc(totals, 'LineExtensionAmount', doc.totals.lineExtension, money);
  cbc(totals, 'TaxExclusiveAmount', doc.totals.taxExclusive, money);
  cbc(totals, 'TaxInclusiveAmount', doc.totals.taxInclusive, money);
  if (doc.allowanceCharges.some((a) => a.kind === 'allowance')) cbc(totals, 'AllowanceTotalAmount', doc.totals.allowances, money);
  if (doc.allowanceCharges.some((a) => a.kind === 'charge')) cbc(totals, 'ChargeTotalAmount', doc.totals.charges, money);
  if (!/^0(\.0+)?$/.test(doc.totals.prepaid)) cbc(totals, 'PrepaidAmount', doc.totals.prepaid, money);
  cbc(totals, 'PayableAmount', doc.totals.payable, money);

  for (const line of doc.lines) {
    const el = cac(root, credit ? 'CreditNoteLine' : 'InvoiceLine');
    cbc(el, 'ID', line.id);
    cbc(el, credit ? 'CreditedQuantity' : 'InvoicedQuantity', line.quantity, { unitCode: line.unitCode });
    cbc(el, 'LineExtensionAmount', line.netAmount, money);
    if (has(line.periodStart) || has(line.periodEnd)) {
      const p = cac(el, 'InvoicePeriod');
      cbc(p, 'StartDate', line.periodStart);
      cbc(p, 'EndDate', line.periodEnd);
    }
    const item = cac(el, 'Item');
    cbc(item, 'Name', line.description);
    // BT-155: the category tells the buyer's system what kind of charge this is (account_fee, call, …).
    cbc(cac(item, 'SellersItemIdentification'), 'ID', line.category);
    taxCategory(item, 'ClassifiedTaxCategory', line.tax, false);
    cbc(cac(el, 'Price'), 'PriceAmount', line.unitPrice, money);
  }
  return root.end({ prettyPrint: true, wellFormed: true });
}
