import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callRows, creditNote, customerConsumer, customerRu, destinationRows, levyAndAllowance, notSubjectToVat, plainMonthly, twoRates, zeroAndExempt } from '../../../../test/fixtures/invoices';
import { formatDecimal, formatDuration, formatQuantity } from './document-format';
import type { InvoiceDraft } from './invoice-document';
import { documentFonts, EMBEDDED_FONTS, renderInvoicePdf, STANDARD_FONTS } from './invoice-pdf';
import { finaliseInvoice } from './invoice-totals';

interface ReadBack {
  text: string;
  pages: string[];
  pageCount: number;
  /** `pdffonts`: each font's name (subset prefix removed) and whether it is embedded. */
  fonts: { name: string; embedded: boolean }[];
}

/** The PDF as poppler reads it: `pdftotext -layout` (pages split at form feeds) and `pdfinfo`'s page count. */
async function readBack(draft: InvoiceDraft): Promise<ReadBack> {
  const pdf = await renderInvoicePdf(finaliseInvoice(draft));
  const dir = mkdtempSync(join(tmpdir(), 'invoice-pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pageCount = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
    const pages = text.split('\f').slice(0, pageCount);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((row) => {
        const cells = row.trim().split(/\s+/);
        // name type... encoding emb sub uni object ID: "emb" is the fifth cell from the end.
        return { name: cells[0].replace(/^[A-Z]{6}\+/, ''), embedded: cells[cells.length - 5] === 'yes' };
      });
    return { text, pages, pageCount, fonts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Layout puts columns apart with runs of spaces; one space between words makes phrases searchable. */
const squeeze = (s: string) => s.replace(/[ \t]+/g, ' ');

describe('invoice PDF fonts: standard fonts for WinAnsi text, DejaVu Sans embedded for anything else', () => {
  const westernInvoice = (): InvoiceDraft => ({ ...plainMonthly(), customer: customerConsumer });

  it('a document all in WinAnsi is set in Helvetica, nothing embedded, and reads back exactly', async () => {
    const { text, fonts } = await readBack(westernInvoice());
    expect(fonts.map((f) => f.name).sort()).toEqual(['Helvetica', 'Helvetica-Bold']);
    expect(fonts.every((f) => !f.embedded)).toBe(true);
    const t = squeeze(text);
    for (const expected of ['Jane O’Brien & Sons <Trading>', 'Period 2026-10-01 – 2026-10-31', 'Flat 2', 'T12 X70A Cork', 'Amount due GBP 35.82']) {
      expect(t).toContain(expected);
    }
  });

  it('one character outside WinAnsi anywhere (a customer in Łódź) embeds DejaVu Sans for the whole document', async () => {
    const { fonts } = await readBack(plainMonthly());
    expect(fonts.filter((f) => f.name.startsWith('DejaVuSans')).map((f) => f.embedded)).toEqual([true, true]);
    expect(fonts.some((f) => f.name.startsWith('Helvetica'))).toBe(false);
  });

  it('a negative amount (printed with the real minus sign, not in WinAnsi) embeds DejaVu Sans', async () => {
    const draft = { ...levyAndAllowance(), customer: customerConsumer };
    const { text, fonts } = await readBack(draft);
    expect(fonts.every((f) => f.name.startsWith('DejaVuSans') && f.embedded)).toBe(true);
    expect(squeeze(text)).toContain('Allowances −5.00');
  });

  it('chooses by every text of the model: Western text with € and 3,000 calls stays standard; one Greek name does not', () => {
    const western = finaliseInvoice({ ...westernInvoice(), detail: 'calls', calls: callRows(3000).map((c) => ({ ...c, destinationName: 'Ireland – mobile €' })) });
    expect(documentFonts(western)).toBe(STANDARD_FONTS);
    const greek = finaliseInvoice({ ...westernInvoice(), lines: westernInvoice().lines.map((l, i) => (i ? l : { ...l, description: 'Κλήσεις' })) });
    expect(documentFonts(greek)).toBe(EMBEDDED_FONTS);
  });
});

describe('invoice PDF (pdfkit), read back with pdftotext', () => {
  it('a plain monthly invoice: parties with non-Latin names, tax references, dates, lines, VAT and totals', async () => {
    const { text, pageCount } = await readBack(plainMonthly());
    const t = squeeze(text);
    expect(pageCount).toBe(1);
    for (const expected of [
      'Northwind Telecom Ltd',
      'INVOICE',
      'Invoice number INV-2026-000123',
      'Issue date 2026-11-01',
      'Due date 2026-11-15',
      'Period 2026-10-01 – 2026-10-31',
      'Your reference ACC-100042',
      'VAT ID: GB123456789',
      'Company no.: 09876543',
      'Bill to',
      'Łódź Café Sp. z o.o.',
      'ul. Piotrkowska 120',
      '90-006 Łódź',
      'Poland',
      'VAT ID: PL7251234567',
      'Account fee, October 2026 1 month 10.00 20% 10.00',
      'Line fees (3 lines) 3 month 2.50 20% 7.50',
      'Calls: 142 calls, 1,234 minutes 1 12.345678 20% 12.35',
      'Standard rate 20% 29.85 5.97',
      'Total excluding VAT 29.85',
      'Total including VAT GBP 35.82',
      'Amount due GBP 35.82',
      'Please pay GBP 35.82 by 2026-11-15.',
      'Payable within 14 days of the invoice date by bank transfer.',
      'Account: GB33BUKB20201555555555',
      'Page 1 of 1',
    ]) {
      expect(t).toContain(expected);
    }
  });

  it('Cyrillic customer and per-destination usage in several scripts', async () => {
    const { text } = await readBack({ ...plainMonthly(), customer: customerRu, detail: 'destinations', destinations: destinationRows() });
    const t = squeeze(text);
    for (const expected of ['ООО «Связь-Сервис»', 'ул. Тверская, д. 7', '125009 Москва', 'Usage by destination', 'Россия, Москва 7495 31', 'Ελλάδα κινητά', 'Polska — komórkowe (Łódź) 4850 24 0:50:68'.slice(0, 25)]) {
      expect(t).toContain(expected);
    }
    expect(t).toMatch(/Destination Prefix Calls Duration Amount \(GBP\)/);
  });

  it('zero-rated and exempt lines with the exemption reason; a flat levy and an allowance', async () => {
    const z = squeeze((await readBack(zeroAndExempt())).text);
    expect(z).toContain('Zero rated 0% 15.00 0.00');
    expect(z).toContain('Exempt 0% 5.00 0.00');
    expect(z).toContain('VATEX-EU-132-1A: Exempt under Article 132(1)(a)');
    expect(z).toContain('Amount due GBP 44.00');
    const l = squeeze((await readBack(levyAndAllowance())).text);
    expect(l).toContain('Charge: Emergency services levy 20% 1.50');
    expect(l).toContain('Allowance: Loyalty discount 20% −5.00');
    expect(l).toContain('Allowances −5.00');
    expect(l).toContain('Charges 1.50');
    expect(l).toContain('Standard rate 20% 96.50 19.30');
    expect(l).toContain('Amount due GBP 115.80');
  });

  it('two rates: one breakdown row each, with the names of the taxes', async () => {
    const t = squeeze((await readBack(twoRates())).text);
    expect(t).toContain('VAT 20% 25.00 5.00');
    expect(t).toContain('VAT (reduced) 5% 33.33 1.67');
    expect(t).toContain('Calls, reduced rate 1 33.33 5% 33.33');
    expect(t).toContain('Amount due GBP 65.00');
  });

  it('not subject to VAT: no rate shown, the reason in the breakdown', async () => {
    const t = squeeze((await readBack(notSubjectToVat())).text);
    expect(t).toContain('Account fee 1 month 12.00 — 12.00');
    expect(t).toContain('Charge: Regulatory levy — 0.50');
    expect(t).toContain('Not subject to VAT 12.50 0.00');
    expect(t).toContain('VATEX-EU-O: Not subject to VAT');
    expect(t).toContain('Amount due GBP 12.50');
    expect(t).not.toContain('VAT ID: GB');
  });

  it('a credit note names the invoice it credits', async () => {
    const t = squeeze((await readBack(creditNote())).text);
    expect(t).toContain('CREDIT NOTE');
    expect(t).toContain('Credit note number CN-2026-000007');
    expect(t).toContain('Credits invoice INV-2026-000123');
    expect(t).toContain('Invoice date 2026-11-01');
    expect(t).toContain('Credit to');
    expect(t).toContain('Amount credited GBP 6.00');
    expect(t).toContain('Correction of the account fee billed twice.');
  });

  it('3,000 itemised calls paginate: the table header and "Page i of n" on every page, every call once', async () => {
    const calls = callRows(3000);
    const { pages, pageCount, text } = await readBack({ ...plainMonthly(), detail: 'calls', calls });
    expect(pageCount).toBeGreaterThan(40);
    expect(pages).toHaveLength(pageCount);
    pages.forEach((page, i) => {
      expect(squeeze(page)).toContain(`Page ${i + 1} of ${pageCount}`);
      expect(squeeze(page)).toContain('Northwind Telecom Ltd · Invoice INV-2026-000123');
      if (i > 0) {
        expect(squeeze(page)).toContain('Invoice INV-2026-000123 · Łódź Café Sp. z o.o.');
        expect(squeeze(page)).toMatch(/Date and time Number called Destination Duration Price \(GBP\)/);
      }
    });
    expect(squeeze(text)).toContain('Itemised calls (3,000)');
    // every call number appears exactly once, in order
    const numbers = [...text.matchAll(/\+4420794(\d{5})/g)].map((m) => Number(m[1]) - 60000);
    expect(numbers).toEqual(calls.map((_, i) => i));
    expect(squeeze(text)).toContain(`${calls[2999].startedAt} ${calls[2999].destinationNumber} ${calls[2999].destinationName}`);
  });

  it('hostile and very long user text: no crash, cut with an ellipsis, the page layout holds', async () => {
    const long = 'Przedsiębiorstwo Handlowo-Usługowe „Żółć” '.repeat(20);
    const word = 'X'.repeat(400);
    const draft: InvoiceDraft = {
      ...plainMonthly(),
      customer: {
        ...customerRu,
        name: `${long}\u0000\u202E`,
        addressLines: [word, `line\nwith\tbreaks\r\nand\u0007bell`, '\uD800 lone surrogate', '🙂 emoji'],
        city: long,
      },
      notes: [`${long}${word}`],
      lines: plainMonthly().lines.map((l) => ({ ...l, description: `${l.description} ${long}` })),
      detail: 'destinations',
      destinations: [{ destination: `${word} ${long}`, prefix: word, calls: 1, durationSeconds: 1, amount: '1.00' }],
    };
    const { text, pageCount } = await readBack(draft);
    expect(pageCount).toBe(1);
    const t = squeeze(text);
    expect(t).toContain('…');
    expect(t).toContain('line with breaks and bell');
    expect(t).toContain('lone surrogate');
    expect(t).toContain('Przedsiębiorstwo Handlowo-Usługowe „Żółć”');
    expect(t).toContain('Amount due GBP 35.82');
    expect(t).toContain('Page 1 of 1');
    // no line of the page is wider than an A4 line of text would be
    for (const line of text.split('\n')) expect(line.length).toBeLessThan(200);
  });
});

describe('document formatting', () => {
  it('formats decimals with grouping, minimum decimals and a real minus', () => {
    expect(formatDecimal('1234567.5', 2)).toBe('1,234,567.50');
    expect(formatDecimal('0.012300', 2)).toBe('0.0123');
    expect(formatDecimal('-5.00', 2)).toBe('−5.00');
    expect(formatDecimal('-0.00', 2)).toBe('0.00');
    expect(formatDecimal('12', 0)).toBe('12');
    expect(formatDecimal('007', 0)).toBe('7');
  });
  it('formats durations and quantities', () => {
    expect(formatDuration(59)).toBe('0:59');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatQuantity('3', 'MON')).toBe('3 month');
    expect(formatQuantity('-1', 'C62')).toBe('−1');
    expect(formatQuantity('1.5', 'XYZ')).toBe('1.5 XYZ');
  });
});
