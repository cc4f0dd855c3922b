import fc from 'fast-check';
import {
  consumer,
  creditNote,
  exportOutsideEu,
  intraCommunity,
  levyAndAllowance,
  manyDecimals,
  notSubjectToVat,
  plainMonthly,
  reverseCharge,
  twoRates,
  zeroAndExempt,
} from '../../../../test/fixtures/invoices';
import { Dec } from '../../../shared/money';
import { amountDigits, type InvoiceDraft } from './invoice-document';
import { InvalidInvoiceError } from './invoice-rules';
import { computeTaxBreakdown, finaliseInvoice } from './invoice-totals';

const rows = (draft: InvoiceDraft) => finaliseInvoice(draft).taxBreakdown.map((r) => [r.category, r.percent, r.taxableAmount, r.taxAmount]);

describe('invoice totals (EN 16931 BR-CO-10..16, per-category VAT)', () => {
  it('plain monthly invoice: account fee, line fees and usage at 20%', () => {
    const doc = finaliseInvoice(plainMonthly());
    expect(doc.lines.map((l) => l.netAmount)).toEqual(['10.00', '7.50', '12.35']);
    expect(doc.taxBreakdown).toEqual([{ category: 'S', percent: '20', taxableAmount: '29.85', taxAmount: '5.97' }]);
    expect(doc.totals).toEqual({
      lineExtension: '29.85',
      allowances: '0.00',
      charges: '0.00',
      taxExclusive: '29.85',
      tax: '5.97',
      taxInclusive: '35.82',
      prepaid: '0.00',
      payable: '35.82',
    });
  });

  it('two rates on one invoice: one breakdown row per rate, "5.00" and "5" are one rate', () => {
    const doc = finaliseInvoice(twoRates());
    expect(rows(twoRates())).toEqual([
      ['S', '20', '25.00', '5.00'],
      ['S', '5', '33.33', '1.67'],
    ]);
    expect(doc.lines[1].tax.percent).toBe('5');
    expect(doc.taxBreakdown.map((r) => r.name)).toEqual(['VAT', 'VAT (reduced)']);
    expect(doc.totals).toMatchObject({ lineExtension: '58.33', tax: '6.67', taxInclusive: '65.00', payable: '65.00' });
  });

  it('zero-rated and exempt lines: rate 0, the exemption reason carried to the breakdown', () => {
    const doc = finaliseInvoice(zeroAndExempt());
    expect(doc.taxBreakdown).toEqual([
      { category: 'S', percent: '20', taxableAmount: '20.00', taxAmount: '4.00' },
      { category: 'Z', percent: '0', taxableAmount: '15.00', taxAmount: '0.00' },
      {
        category: 'E',
        percent: '0',
        taxableAmount: '5.00',
        taxAmount: '0.00',
        exemptionReason: 'Exempt under Article 132(1)(a) of Council Directive 2006/112/EC',
        exemptionReasonCode: 'VATEX-EU-132-1A',
      },
    ]);
    expect(doc.totals).toMatchObject({ taxExclusive: '40.00', tax: '4.00', payable: '44.00' });
  });

  it('a flat levy is a document-level charge; charges add to and allowances subtract from the taxable amount', () => {
    const doc = finaliseInvoice(levyAndAllowance());
    expect(rows(levyAndAllowance())).toEqual([['S', '20', '96.50', '19.30']]);
    expect(doc.totals).toEqual({
      lineExtension: '100.00',
      allowances: '5.00',
      charges: '1.50',
      taxExclusive: '96.50',
      tax: '19.30',
      taxInclusive: '115.80',
      prepaid: '0.00',
      payable: '115.80',
    });
  });

  it('a credit note keeps positive amounts and its invoice reference', () => {
    const doc = finaliseInvoice(creditNote());
    expect(doc.totals).toMatchObject({ taxExclusive: '5.00', tax: '1.00', payable: '6.00' });
    expect(doc.invoiceReference).toEqual({ number: 'INV-2026-000123', issueDate: '2026-11-01' });
  });

  it('a customer with no tax reference is invoiced normally', () => {
    const doc = finaliseInvoice(consumer());
    expect(doc.customer.vatId).toBeUndefined();
    expect(doc.totals).toMatchObject({ lineExtension: '30.00', tax: '6.00', payable: '36.00' });
  });

  it('many decimals: each line rounds half away from zero once, the tax once per category and rate', () => {
    const doc = finaliseInvoice(manyDecimals());
    expect(doc.lines.map((l) => l.netAmount)).toEqual(['0.01', '0.00', '2.68', '-1.01', '7.78']);
    // 20%: 0.01 + 0.00 + 2.68 − 1.01 = 1.68 → 0.336 → 0.34;  7.7%: 7.78 × 0.077 = 0.59906 → 0.60
    expect(rows(manyDecimals())).toEqual([
      ['S', '20', '1.68', '0.34'],
      ['S', '7.7', '7.78', '0.60'],
    ]);
    expect(doc.totals).toMatchObject({ lineExtension: '9.46', tax: '0.94', taxInclusive: '10.40', payable: '10.40' });
    // unit prices keep their precision (BT-146 has no decimal limit)
    expect(doc.lines[1].unitPrice).toBe('0.004999');
  });

  it('other categories: reverse charge, intra-community, export and not subject to VAT carry no tax', () => {
    expect(rows(reverseCharge())).toEqual([['AE', '0', '250.00', '0.00']]);
    expect(rows(intraCommunity())).toEqual([['K', '0', '120.00', '0.00']]);
    expect(rows(exportOutsideEu())).toEqual([['G', '0', '80.00', '0.00']]);
    // O has no rate; the levy (a charge) is in the same row as the line
    expect(rows(notSubjectToVat())).toEqual([['O', '0', '12.50', '0.00']]);
    expect(finaliseInvoice(notSubjectToVat()).totals).toMatchObject({ charges: '0.50', taxExclusive: '12.50', payable: '12.50' });
  });

  it('tax is rounded per category, not per line: 3 × 0.03 at 20% is 0.02, not 3 × 0.01', () => {
    const draft = plainMonthly();
    draft.lines = ['1', '2', '3'].map((id) => ({ ...draft.lines[0], id, unitPrice: '0.03', netAmount: '0.03' }));
    expect(rows(draft)).toEqual([['S', '20', '0.09', '0.02']]);
  });

  it('prepaid amounts reduce what is payable (BR-CO-16)', () => {
    const doc = finaliseInvoice({ ...plainMonthly(), prepaid: '20.004' });
    expect(doc.totals).toMatchObject({ taxInclusive: '35.82', prepaid: '20.00', payable: '15.82' });
  });

  it('rounds to the currency minor unit: 0 decimals for JPY, at most 2 (BR-DEC) for KWD', () => {
    const jpy = finaliseInvoice({ ...plainMonthly(), currency: 'JPY', currencyDigits: 0 });
    expect(jpy.lines.map((l) => l.netAmount)).toEqual(['10', '8', '12']);
    // 30 × 20% = 6
    expect(jpy.totals).toMatchObject({ lineExtension: '30', tax: '6', payable: '36' });
    const kwd = finaliseInvoice({ ...plainMonthly(), currency: 'KWD', currencyDigits: 3 });
    expect(kwd.totals.payable).toBe('35.82');
    expect(amountDigits(3)).toBe(2);
  });

  it('property: totals always satisfy BR-CO-10, 13, 14, 15, 16 and every amount has the document digits', () => {
    const amount = fc
      .tuple(fc.integer({ min: -500_000_000, max: 500_000_000 }), fc.boolean())
      .map(([micros, neg]) => new Dec(micros).dividedBy(1_000_000).times(neg ? -1 : 1).toFixed(6));
    const rate = fc.constantFrom('20', '5', '7.7', '19', '0');
    fc.assert(
      fc.property(fc.array(fc.tuple(amount, rate), { minLength: 1, maxLength: 12 }), fc.constantFrom(0, 2, 3), (items, digits) => {
        const draft = plainMonthly();
        draft.currencyDigits = digits;
        draft.lines = items.map(([net, percent], i) => ({
          ...draft.lines[0],
          id: String(i + 1),
          quantity: '1',
          unitPrice: new Dec(net).abs().toFixed(),
          netAmount: net,
          tax: percent === '0' ? { category: 'Z', percent } : { category: 'S', percent },
        }));
        draft.allowanceCharges = [{ kind: 'charge', reason: 'Levy', amount: '0.125', tax: { category: 'S', percent: '20' } }];
        const doc = finaliseInvoice(draft);
        const d = amountDigits(digits);
        const sum = (xs: string[]) => xs.reduce((a, x) => a.plus(x), new Dec(0));
        const t = doc.totals;
        expect(sum(doc.lines.map((l) => l.netAmount)).equals(t.lineExtension)).toBe(true);
        expect(new Dec(t.lineExtension).minus(t.allowances).plus(t.charges).equals(t.taxExclusive)).toBe(true);
        expect(sum(doc.taxBreakdown.map((b) => b.taxAmount)).equals(t.tax)).toBe(true);
        expect(new Dec(t.taxExclusive).plus(t.tax).equals(t.taxInclusive)).toBe(true);
        expect(new Dec(t.taxInclusive).minus(t.prepaid).equals(t.payable)).toBe(true);
        expect(sum(doc.taxBreakdown.map((b) => b.taxableAmount)).equals(t.taxExclusive)).toBe(true);
        for (const b of doc.taxBreakdown) {
          const exact = new Dec(b.taxableAmount).times(b.percent).dividedBy(100);
          expect(exact.minus(b.taxAmount).abs().lte(new Dec(1).dividedBy(new Dec(10).pow(d)).dividedBy(2))).toBe(true);
        }
        for (const v of [...Object.values(t), ...doc.lines.map((l) => l.netAmount)]) {
          expect(v).toMatch(d === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${d}}$`));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('computeTaxBreakdown keeps the first-seen order of categories and rates', () => {
    const s = { category: 'S', percent: '10' } as const;
    const z = { category: 'Z', percent: '0' } as const;
    expect(
      computeTaxBreakdown(
        [
          { amount: '1.00', tax: z },
          { amount: '2.00', tax: s },
          { amount: '3.00', tax: z },
        ],
        2,
      ).map((r) => `${r.category}${r.percent}:${r.taxableAmount}/${r.taxAmount}`),
    ).toEqual(['Z0:4.00/0.00', 'S10:2.00/0.20']);
  });
});

describe('invoice rules refused before issuing', () => {
  const problems = (draft: InvoiceDraft): string[] => {
    try {
      finaliseInvoice(draft);
      return [];
    } catch (e) {
      if (e instanceof InvalidInvoiceError) return e.problems;
      throw e;
    }
  };

  it('a negative unit price (a credit has a negative quantity instead, BR-27)', () => {
    const d = plainMonthly();
    d.lines[0] = { ...d.lines[0], quantity: '1', unitPrice: '-5.00', netAmount: '-5.00' };
    expect(problems(d).join()).toMatch(/BR-27/);
  });

  it('an exempt line without a reason, a zero-rated line with one', () => {
    const d = zeroAndExempt();
    d.lines[2] = { ...d.lines[2], tax: { category: 'E', percent: '0' } };
    d.lines[1] = { ...d.lines[1], tax: { category: 'Z', percent: '0', exemptionReason: 'zero' } };
    const p = problems(d).join('\n');
    expect(p).toMatch(/BR-E-10/);
    expect(p).toMatch(/BR-Z-10/);
  });

  it('"not subject to VAT" mixed with another category, or with VAT ids', () => {
    const d = plainMonthly();
    d.lines[0] = { ...d.lines[0], tax: { category: 'O', percent: '0', exemptionReason: 'Not subject to VAT' } };
    const p = problems(d).join('\n');
    expect(p).toMatch(/BR-O-11/);
    expect(p).toMatch(/BR-O-02/);
  });

  it('a standard rate of 0, an exempt rate above 0, a VAT id without country prefix', () => {
    const d = plainMonthly();
    d.lines[0] = { ...d.lines[0], tax: { category: 'S', percent: '0' } };
    d.lines[1] = { ...d.lines[1], tax: { category: 'E', percent: '5', exemptionReason: 'x' } };
    d.customer = { ...d.customer, vatId: '7251234567' };
    const p = problems(d).join('\n');
    expect(p).toMatch(/BR-S-05/);
    expect(p).toMatch(/BR-E-05/);
    expect(p).toMatch(/BR-CO-09/);
  });

  it('an amount due with neither due date nor payment terms (BR-CO-25); a credit note without its invoice', () => {
    expect(problems({ ...plainMonthly(), dueDate: undefined, paymentTerms: undefined }).join()).toMatch(/BR-CO-25/);
    expect(problems({ ...creditNote(), invoiceReference: undefined }).join()).toMatch(/BR-55/);
  });

  it('an issuer without VAT id or company number (BR-CO-26, BR-S-02)', () => {
    const d = plainMonthly();
    d.issuer = { ...d.issuer, vatId: undefined, legalRegistrationId: undefined };
    const p = problems(d).join('\n');
    expect(p).toMatch(/BR-CO-26/);
    expect(p).toMatch(/BR-S-02/);
  });

  it('money that is not a decimal string', () => {
    const d = plainMonthly();
    d.lines[0] = { ...d.lines[0], netAmount: '1e3' };
    expect(problems(d).join()).toMatch(/net amount is not a decimal/);
  });
});
