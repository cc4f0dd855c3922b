import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_EXAMPLES, callRows, customerRu, plainMonthly } from '../../../../test/fixtures/invoices';
import { fatalRules, validateEn16931, validateUblSchema, type FailedRule } from '../../../../test/helpers/ubl-validation';
import type { InvoiceDraft } from './invoice-document';
import { renderInvoicePdf } from './invoice-pdf';
import { finaliseInvoice } from './invoice-totals';
import { CUSTOMIZATION_ID, renderUblInvoice } from './ubl-invoice';

/** Values read back from the XML by xmllint (XPath over local names, so no namespace set-up). */
function xpath(xml: string, expression: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ubl-xpath-'));
  try {
    writeFileSync(join(dir, 'd.xml'), xml);
    const run = spawnSync('xmllint', ['--xpath', expression, join(dir, 'd.xml')], { encoding: 'utf8' });
    return run.stdout.replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const at = (path: string) =>
  `string(${path
    .split('/')
    .map((step) => (step === '' ? '' : `*[local-name()='${step}']`))
    .join('/')})`;

/** Hostile text: markup, quotes, control characters, a lone surrogate, RTL override, CDATA end, very long. */
const NASTY = `</cbc:Name><x>&amp;"' AT&T Smith&Co; &copy; &#169;\u0001\u0007\u000B\uD800 ]]> \u202Egnp.exe ${'W'.repeat(500)} 🙂 Łódź`;

const documents: Record<string, InvoiceDraft> = {
  ...Object.fromEntries(Object.entries(ALL_EXAMPLES).map(([name, make]) => [name, make()])),
  cyrillicCustomerWithPdfAttachment: { ...plainMonthly(), number: 'INV-2026-000129', customer: customerRu, detail: 'calls', calls: callRows(200) },
  hostileText: {
    ...plainMonthly(),
    number: 'INV-2026-000130',
    customer: { ...customerRu, name: NASTY, addressLines: [NASTY, 'line 2', 'line 3', 'line 4'], city: NASTY },
    notes: [NASTY],
    lines: plainMonthly().lines.map((l) => ({ ...l, description: `${l.description} ${NASTY}` })),
  },
};

describe('UBL 2.1 invoice and credit note (EN 16931)', () => {
  const xml: Record<string, string> = {};
  let rules: Record<string, FailedRule[]> = {};

  beforeAll(async () => {
    for (const [name, draft] of Object.entries(documents)) {
      const doc = finaliseInvoice(draft);
      const pdf = name === 'cyrillicCustomerWithPdfAttachment' ? await renderInvoicePdf(doc) : undefined;
      xml[name] = renderUblInvoice(doc, { pdf });
    }
    // The validators must see a broken document: a payable amount that does not add up (BR-CO-16).
    xml.tampered = xml.plainMonthly.replace('<cbc:PayableAmount currencyID="GBP">35.82<', '<cbc:PayableAmount currencyID="GBP">99.99<');
    // One Java start for every document (Saxon over a directory).
    const names = Object.keys(xml);
    const results = validateEn16931(names.map((n) => xml[n]));
    rules = Object.fromEntries(names.map((n, i) => [n, results[i]]));
  }, 180_000);

  it.each(Object.keys(documents))('%s is valid against the UBL 2.1 schema (xmllint)', (name) => {
    const result = validateUblSchema(xml[name]);
    expect(result.output).toMatch(/validates$/);
    expect(result.ok).toBe(true);
  });

  it.each(Object.keys(documents))('%s breaks no fatal EN 16931 rule (CEN validation artefacts)', (name) => {
    expect(fatalRules(rules[name], name)).toEqual([]);
  });

  it('the validators do fail a broken document (so a pass means something)', () => {
    expect(rules.tampered.filter((r) => r.flag === 'fatal').map((r) => r.id)).toContain('BR-CO-16');
    const misordered = xml.plainMonthly.replace(/(<cbc:IssueDate>[^<]*<\/cbc:IssueDate>)(\s*)(<cbc:DueDate>[^<]*<\/cbc:DueDate>)/, '$3$2$1');
    expect(misordered).not.toBe(xml.plainMonthly);
    expect(validateUblSchema(misordered).ok).toBe(false);
  });

  it('writes the mandatory business terms of an invoice', () => {
    const x = xml.plainMonthly;
    expect(xpath(x, at('/Invoice/CustomizationID'))).toBe(CUSTOMIZATION_ID);
    expect(xpath(x, at('/Invoice/ID'))).toBe('INV-2026-000123');
    expect(xpath(x, at('/Invoice/IssueDate'))).toBe('2026-11-01');
    expect(xpath(x, at('/Invoice/DueDate'))).toBe('2026-11-15');
    expect(xpath(x, at('/Invoice/InvoiceTypeCode'))).toBe('380');
    expect(xpath(x, at('/Invoice/DocumentCurrencyCode'))).toBe('GBP');
    expect(xpath(x, at('/Invoice/InvoicePeriod/StartDate'))).toBe('2026-10-01');
    expect(xpath(x, at('/Invoice/AccountingSupplierParty/Party/PartyTaxScheme/CompanyID'))).toBe('GB123456789');
    expect(xpath(x, at('/Invoice/AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName'))).toBe('Łódź Café Sp. z o.o.');
    expect(xpath(x, at('/Invoice/AccountingCustomerParty/Party/PostalAddress/CityName'))).toBe('Łódź');
    expect(xpath(x, at('/Invoice/LegalMonetaryTotal/PayableAmount'))).toBe('35.82');
    expect(xpath(x, 'string(//*[local-name()="PayableAmount"]/@currencyID)')).toBe('GBP');
    expect(xpath(x, 'count(//*[local-name()="InvoiceLine"])')).toBe('3');
    expect(xpath(x, at('/Invoice/InvoiceLine/LineExtensionAmount'))).toBe('10.00');
    expect(xpath(x, 'string((//*[local-name()="InvoiceLine"])[3]/*[local-name()="Price"]/*[local-name()="PriceAmount"])')).toBe('12.345678');
    expect(xpath(x, at('/Invoice/TaxTotal/TaxSubtotal/TaxAmount'))).toBe('5.97');
  });

  it('a credit note is a CreditNote (381) with a BillingReference to the invoice', () => {
    const x = xml.creditNote;
    expect(x).toMatch(/<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/);
    expect(xpath(x, at('/CreditNote/CreditNoteTypeCode'))).toBe('381');
    expect(xpath(x, at('/CreditNote/BillingReference/InvoiceDocumentReference/ID'))).toBe('INV-2026-000123');
    expect(xpath(x, at('/CreditNote/BillingReference/InvoiceDocumentReference/IssueDate'))).toBe('2026-11-01');
    expect(xpath(x, 'count(//*[local-name()="CreditNoteLine"]/*[local-name()="CreditedQuantity"])')).toBe('1');
    expect(xpath(x, at('/CreditNote/LegalMonetaryTotal/PayableAmount'))).toBe('6.00');
  });

  it('the exempt breakdown carries its reason, zero-rated does not; the levy is a document-level charge', () => {
    const x = xml.zeroAndExempt;
    expect(xpath(x, 'string(//*[local-name()="TaxSubtotal"][*[local-name()="TaxCategory"]/*[local-name()="ID"]="E"]//*[local-name()="TaxExemptionReasonCode"])')).toBe('VATEX-EU-132-1A');
    expect(xpath(x, 'count(//*[local-name()="TaxSubtotal"][*[local-name()="TaxCategory"]/*[local-name()="ID"]="Z"]//*[local-name()="TaxExemptionReason"])')).toBe('0');
    const l = xml.levyAndAllowance;
    expect(xpath(l, 'string(//*[local-name()="AllowanceCharge"][*[local-name()="ChargeIndicator"]="true"]/*[local-name()="AllowanceChargeReason"])')).toBe('Emergency services levy');
    expect(xpath(l, at('/Invoice/LegalMonetaryTotal/ChargeTotalAmount'))).toBe('1.50');
    expect(xpath(l, at('/Invoice/LegalMonetaryTotal/AllowanceTotalAmount'))).toBe('5.00');
  });

  it('a customer without tax reference has no PartyTaxScheme; markup in text is escaped, not interpreted', () => {
    const x = xml.consumer;
    expect(xpath(x, 'count(//*[local-name()="AccountingCustomerParty"]//*[local-name()="PartyTaxScheme"])')).toBe('0');
    expect(xpath(x, at('/Invoice/AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName'))).toBe('Jane O’Brien & Sons <Trading>');
    expect(x).toContain('Jane O’Brien &amp; Sons &lt;Trading&gt;');
  });

  it('hostile text stays text: control characters dropped, the rest kept and escaped', () => {
    const x = xml.hostileText;
    const name = xpath(x, at('/Invoice/AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName'));
    expect(name.startsWith('</cbc:Name><x>&amp;"\' AT&T Smith&Co; &copy; &#169;')).toBe(true);
    expect(name).toContain('🙂 Łódź');
    for (const control of ['\u0001', '\u0007', '\u000B']) expect(name).not.toContain(control);
    expect(xpath(x, at('/Invoice/AccountingCustomerParty/Party/PostalAddress/AddressLine/Line'))).toBe('line 3, line 4');
  });

  it('embeds the PDF as an additional document when given', () => {
    const x = xml.cyrillicCustomerWithPdfAttachment;
    const b64 = xpath(x, at('/Invoice/AdditionalDocumentReference/Attachment/EmbeddedDocumentBinaryObject'));
    expect(Buffer.from(b64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(xpath(x, 'string(//*[local-name()="EmbeddedDocumentBinaryObject"]/@mimeCode)')).toBe('application/pdf');
    expect(xpath(x, at('/Invoice/AccountingCustomerParty/Party/PartyLegalEntity/RegistrationName'))).toBe('ООО «Связь-Сервис»');
  });
});
