import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { TEMPLATES_DIR } from '../../../shared/paths';
import { formatDecimal, formatDuration, formatQuantity, taxCategoryLabel } from './document-format';
import { printableText } from './document-text';
import { amountDigits, type InvoiceDocument, type Party } from './invoice-document';

/**
 * A finished document (`finaliseInvoice`) as a PDF for people: issuer and customer with their tax
 * references, number, dates and period, the lines, the VAT breakdown and totals, how and when to pay,
 * then the usage detail the customer chose ('destinations' or 'calls'). Tables continue over as many
 * pages as they need with their header repeated; every page says "Page i of n".
 *
 * Fonts (`documentFonts`): a document whose every character is in WinAnsi (Western European text, the
 * usual case) is set in the PDF standard fonts Helvetica and Helvetica-Bold, which every PDF reader has
 * built in: nothing to embed or subset, about a tenth of the time of an embedded TrueType font. Any
 * other document ("Łódź", Cyrillic, the real minus sign of a negative amount) embeds DejaVu Sans from
 * templates/fonts, so it never depends on the fonts of the reader's machine. Every text
 * from users goes through `printableText` and is cut to its column with an ellipsis (or wrapped to a
 * few lines), so no value, however long or strange, can push the layout apart.
 */

const FONTS_DIR = join(TEMPLATES_DIR, 'fonts');

interface FontPair {
  regular: string;
  bold: string;
  /** TrueType files to embed, or none for the PDF standard fonts. */
  files?: { regular: string; bold: string };
}

export const STANDARD_FONTS: FontPair = { regular: 'Helvetica', bold: 'Helvetica-Bold' };
export const EMBEDDED_FONTS: FontPair = {
  regular: 'DejaVuSans',
  bold: 'DejaVuSans-Bold',
  files: { regular: join(FONTS_DIR, 'DejaVuSans.ttf'), bold: join(FONTS_DIR, 'DejaVuSans-Bold.ttf') },
};

/**
 * The characters of Windows-1252 (WinAnsiEncoding, the encoding of the PDF standard fonts): printable
 * ASCII, Latin-1 and the 27 typographic characters of 0x80-0x9F. Line breaks and tabs are allowed since
 * `printableText` turns them into spaces.
 */
const WIN_ANSI_ONLY = /^[\t\n\r\x20-\x7E\xA0-\xFF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*$/;
/** A negative decimal among the document's values: printed with U+2212, which WinAnsi lacks. */
const NEGATIVE_VALUE = /"-\d/;

/**
 * Standard fonts when every text the document can print is WinAnsi and it prints no minus sign,
 * embedded DejaVu Sans otherwise.
 * Checked on the whole model (every string the renderer can print comes from it or from this file's
 * labels, which are WinAnsi), so a single "ł" anywhere embeds the Unicode font for the whole document.
 */
export function documentFonts(doc: InvoiceDocument): FontPair {
  const json = JSON.stringify(doc);
  // Allowances are stored positive and printed negated, so they need the minus sign too.
  const printsMinus = NEGATIVE_VALUE.test(json) || doc.allowanceCharges.some((a) => a.kind === 'allowance');
  return WIN_ANSI_ONLY.test(json) && !printsMinus ? STANDARD_FONTS : EMBEDDED_FONTS;
}

const PAGE = { width: 595.28, height: 841.89 }; // A4
const MARGIN = 42;
const FOOTER_HEIGHT = 28;
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN - FOOTER_HEIGHT;
const GREY = '#555555';
const RULE = '#bbbbbb';
const SHADE = '#eeeeee';

type Align = 'left' | 'right';

interface Column {
  header: string;
  width: number;
  align: Align;
}

interface TextStyle {
  size?: number;
  bold?: boolean;
  color?: string;
}

const TITLES = { invoice: 'Invoice', credit_note: 'Credit note' } as const;

class Writer {
  y = MARGIN;
  private continuation: (() => void) | null = null;

  constructor(
    readonly pdf: PDFKit.PDFDocument,
    private readonly doc: InvoiceDocument,
    private readonly fonts: FontPair,
  ) {}

  font(style: TextStyle = {}): void {
    this.pdf
      .font(style.bold ? this.fonts.bold : this.fonts.regular)
      .fontSize(style.size ?? 9)
      .fillColor(style.color ?? 'black');
  }

  /** The longest prefix of `text` that fits `width` in the current font, with an ellipsis when cut. */
  fit(text: string, width: number): string {
    if (this.pdf.widthOfString(text) <= width) return text;
    const chars = Array.from(text);
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.pdf.widthOfString(`${chars.slice(0, mid).join('')}…`) <= width) lo = mid;
      else hi = mid - 1;
    }
    return `${chars.slice(0, lo).join('').trimEnd()}…`;
  }

  /** One line of text at (x, y), cut to `width`, aligned in it. Never breaks lines or pages by itself. */
  cell(value: string, x: number, y: number, width: number, align: Align = 'left', style: TextStyle = {}): void {
    this.font(style);
    const text = this.fit(printableText(value), width);
    const dx = align === 'right' ? width - this.pdf.widthOfString(text) : 0;
    this.pdf.text(text, x + dx, y, { lineBreak: false });
  }

  /** Word-wrapped lines of `value` in `width`, at most `maxLines` (the last one cut with an ellipsis). */
  wrap(value: string, width: number, maxLines: number, style: TextStyle = {}): string[] {
    this.font(style);
    const words = printableText(value).split(' ').filter(Boolean);
    const lines: string[] = [];
    let current = '';
    for (const word of words) {
      const candidate = current ? `${current} ${word}` : word;
      if (this.pdf.widthOfString(candidate) <= width) {
        current = candidate;
        continue;
      }
      if (current) lines.push(current);
      current = word;
      // A single word wider than the column is cut into pieces that fit.
      while (this.pdf.widthOfString(current) > width) {
        const piece = this.fit(current, width).replace(/…$/, '');
        const taken = Array.from(piece).length || 1;
        lines.push(Array.from(current).slice(0, taken).join(''));
        current = Array.from(current).slice(taken).join('');
      }
    }
    if (current) lines.push(current);
    if (lines.length > maxLines) {
      const kept = lines.slice(0, maxLines);
      kept[maxLines - 1] = this.fit(`${kept[maxLines - 1]} ${lines.slice(maxLines).join(' ')}`, width);
      return kept;
    }
    return lines;
  }

  paragraph(value: string, x: number, width: number, maxLines: number, style: TextStyle = {}): void {
    const size = style.size ?? 9;
    for (const line of this.wrap(value, width, maxLines, style)) {
      this.ensure(size + 3);
      this.cell(line, x, this.y, width, 'left', style);
      this.y += size + 3;
    }
  }

  /** Room for `height` more points on this page, or a new page (with the running table header, if any). */
  ensure(height: number): void {
    if (this.y + height <= BOTTOM) return;
    this.pdf.addPage();
    this.y = MARGIN;
    this.cell(`${TITLES[this.doc.type]} ${this.doc.number} · ${this.doc.customer.name}`, MARGIN, this.y, CONTENT_WIDTH, 'left', { size: 8, color: GREY });
    this.y += 18;
    this.continuation?.();
  }

  rule(y: number, color = RULE): void {
    this.pdf
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + CONTENT_WIDTH, y)
      .lineWidth(0.5)
      .strokeColor(color)
      .stroke();
  }

  /** A table whose header is drawn again at the top of every page it continues on. */
  table(columns: Column[], rows: Iterable<string[]>, size = 8.5): void {
    const rowHeight = size + 4.5;
    const drawHeader = () => {
      this.pdf.rect(MARGIN, this.y - 2, CONTENT_WIDTH, rowHeight + 3).fill(SHADE);
      let x = MARGIN + 3;
      for (const c of columns) {
        this.cell(c.header, x, this.y + 1, c.width - 6, c.align, { size, bold: true });
        x += c.width;
      }
      this.y += rowHeight + 4;
    };
    this.ensure(3 * rowHeight);
    drawHeader();
    this.continuation = drawHeader;
    for (const row of rows) {
      this.ensure(rowHeight);
      let x = MARGIN + 3;
      columns.forEach((c, i) => {
        this.cell(row[i] ?? '', x, this.y, c.width - 6, c.align, { size });
        x += c.width;
      });
      this.y += rowHeight;
    }
    this.continuation = null;
    this.rule(this.y);
    this.y += 6;
  }

  heading(text: string): void {
    this.ensure(40);
    this.y += 8;
    this.cell(text, MARGIN, this.y, CONTENT_WIDTH, 'left', { size: 11, bold: true });
    this.y += 17;
  }
}

/** Column widths that fill the page: `flex` takes what the fixed ones leave. */
function columns(spec: [string, number | 'flex', Align][]): Column[] {
  const fixed = spec.reduce((sum, [, w]) => sum + (w === 'flex' ? 0 : w), 0);
  return spec.map(([header, width, align]) => ({ header, width: width === 'flex' ? CONTENT_WIDTH - fixed : width, align }));
}

function partyLines(p: Party): string[] {
  return [
    ...p.addressLines,
    [p.postcode, p.city].filter((s) => s && s.trim() !== '').join(' '),
    [p.countrySubdivision, regionName(p.countryCode)].filter((s) => s && s.trim() !== '').join(', '),
  ].filter((s) => printableText(s) !== '');
}

function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

function partyReferences(p: Party, issuer: boolean): string[] {
  return [
    p.vatId ? `VAT ID: ${p.vatId}` : '',
    issuer && p.taxRegistrationId ? `Tax number: ${p.taxRegistrationId}` : '',
    p.legalRegistrationId ? `Company no.: ${p.legalRegistrationId}` : '',
  ].filter(Boolean);
}

/** The PDF of a finished document. */
export function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: `${TITLES[doc.type]} ${printableText(doc.number)}`,
      Author: printableText(doc.issuer.name),
      Subject: `${TITLES[doc.type]} for ${printableText(doc.customer.name)}, ${doc.periodStart} to ${doc.periodEnd}`,
      CreationDate: new Date(`${doc.issueDate}T00:00:00Z`),
    },
  });
  const fonts = documentFonts(doc);
  if (fonts.files) {
    pdf.registerFont(fonts.regular, fonts.files.regular);
    pdf.registerFont(fonts.bold, fonts.files.bold);
  }
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const w = new Writer(pdf, doc, fonts);
  const digits = amountDigits(doc.currencyDigits);
  const money = (value: string) => formatDecimal(value, digits);
  const half = CONTENT_WIDTH / 2;

  // Issuer (left) and title with the document's facts (right).
  let y = MARGIN;
  w.cell(doc.issuer.name, MARGIN, y, half - 10, 'left', { size: 14, bold: true });
  y += 20;
  for (const line of [...partyLines(doc.issuer), ...partyReferences(doc.issuer, true), doc.issuer.email ?? '', doc.issuer.phone ?? ''].filter(Boolean)) {
    w.cell(line, MARGIN, y, half - 10, 'left', { size: 8.5, color: GREY });
    y += 11;
  }
  const leftBottom = y;
  const rx = MARGIN + half + 10;
  const rw = half - 10;
  y = MARGIN;
  w.cell(TITLES[doc.type].toUpperCase(), rx, y, rw, 'right', { size: 18, bold: true });
  y += 28;
  const facts: [string, string][] = [
    [doc.type === 'invoice' ? 'Invoice number' : 'Credit note number', doc.number],
    ['Issue date', doc.issueDate],
    ...(doc.dueDate ? [['Due date', doc.dueDate] as [string, string]] : []),
    ['Period', `${doc.periodStart} – ${doc.periodEnd}`],
    ...(doc.buyerReference ? [['Your reference', doc.buyerReference] as [string, string]] : []),
    ...(doc.invoiceReference
      ? [['Credits invoice', doc.invoiceReference.number] as [string, string], ['Invoice date', doc.invoiceReference.issueDate] as [string, string]]
      : []),
    ['Currency', doc.currency],
  ];
  for (const [label, value] of facts) {
    w.cell(label, rx, y, rw * 0.42, 'left', { size: 9, color: GREY });
    w.cell(value, rx + rw * 0.42, y, rw * 0.58, 'right', { size: 9, bold: label.endsWith('number') || label === 'Due date' });
    y += 13;
  }
  w.y = Math.max(leftBottom, y) + 14;

  // Customer.
  w.cell(doc.type === 'invoice' ? 'Bill to' : 'Credit to', MARGIN, w.y, half, 'left', { size: 8, color: GREY });
  w.y += 12;
  for (const line of w.wrap(doc.customer.name, half - 10, 2, { size: 11, bold: true })) {
    w.cell(line, MARGIN, w.y, half - 10, 'left', { size: 11, bold: true });
    w.y += 14;
  }
  for (const line of [...partyLines(doc.customer), ...partyReferences(doc.customer, false), doc.customer.email ?? ''].filter(Boolean)) {
    w.cell(line, MARGIN, w.y, half - 10, 'left', { size: 9 });
    w.y += 12;
  }
  w.y += 14;

  // Lines, then document-level allowances and charges.
  w.table(
    columns([
      ['Description', 'flex', 'left'],
      ['Quantity', 70, 'right'],
      ['Unit price', 80, 'right'],
      ['VAT', 55, 'right'],
      [`Amount (${doc.currency})`, 90, 'right'],
    ]),
    [
      ...doc.lines.map((l) => [
        l.periodStart && l.periodEnd ? `${l.description} (${l.periodStart} – ${l.periodEnd})` : l.description,
        formatQuantity(l.quantity, l.unitCode),
        formatDecimal(l.unitPrice, digits),
        l.tax.category === 'O' ? '—' : `${formatDecimal(l.tax.percent, 0)}%`,
        money(l.netAmount),
      ]),
      ...doc.allowanceCharges.map((ac) => [
        `${ac.kind === 'charge' ? 'Charge' : 'Allowance'}: ${ac.reason}`,
        '',
        '',
        ac.tax.category === 'O' ? '—' : `${formatDecimal(ac.tax.percent, 0)}%`,
        ac.kind === 'charge' ? money(ac.amount) : money(`-${ac.amount}`),
      ]),
    ],
  );

  // VAT breakdown (left) and totals (right), kept together on one page.
  const t = doc.totals;
  const totals: [string, string, boolean][] = [
    ['Net total of lines', money(t.lineExtension), false],
    ...(doc.allowanceCharges.some((a) => a.kind === 'allowance') ? [['Allowances', money(`-${t.allowances}`), false] as [string, string, boolean]] : []),
    ...(doc.allowanceCharges.some((a) => a.kind === 'charge') ? [['Charges', money(t.charges), false] as [string, string, boolean]] : []),
    ['Total excluding VAT', money(t.taxExclusive), false],
    ['VAT', money(t.tax), false],
    [`Total including VAT`, `${doc.currency} ${money(t.taxInclusive)}`, true],
    ...(/^0(\.0+)?$/.test(t.prepaid) ? [] : [['Already paid', money(`-${t.prepaid}`), false] as [string, string, boolean]]),
    [doc.type === 'invoice' ? 'Amount due' : 'Amount credited', `${doc.currency} ${money(t.payable)}`, true],
  ];
  const breakdownHeight = 16 + doc.taxBreakdown.length * 24;
  w.ensure(Math.max(breakdownHeight, totals.length * 15) + 20);
  w.y += 6;
  const top = w.y;
  const bx = MARGIN;
  const bw = half + 20;
  w.cell('VAT breakdown', bx, w.y, bw, 'left', { size: 8, bold: true, color: GREY });
  w.cell('Taxable', bx + bw * 0.5, w.y, bw * 0.25, 'right', { size: 8, bold: true, color: GREY });
  w.cell('VAT', bx + bw * 0.75, w.y, bw * 0.25 - 10, 'right', { size: 8, bold: true, color: GREY });
  w.y += 13;
  for (const row of doc.taxBreakdown) {
    w.cell(taxCategoryLabel(row), bx, w.y, bw * 0.5, 'left', { size: 8.5 });
    w.cell(money(row.taxableAmount), bx + bw * 0.5, w.y, bw * 0.25, 'right', { size: 8.5 });
    w.cell(money(row.taxAmount), bx + bw * 0.75, w.y, bw * 0.25 - 10, 'right', { size: 8.5 });
    w.y += 11;
    const reason = [row.exemptionReasonCode, row.exemptionReason].filter(Boolean).join(': ');
    if (reason) {
      w.cell(reason, bx + 8, w.y, bw - 18, 'left', { size: 7.5, color: GREY });
      w.y += 11;
    }
    w.y += 2;
  }
  const breakdownBottom = w.y;
  w.y = top;
  const tx = MARGIN + half + 40;
  const tw = CONTENT_WIDTH - half - 40;
  for (const [label, value, strong] of totals) {
    if (strong) w.rule(w.y - 3);
    w.cell(label, tx, w.y, tw * 0.55, 'left', { size: strong ? 10 : 9, bold: strong });
    w.cell(value, tx + tw * 0.55, w.y, tw * 0.45, 'right', { size: strong ? 10 : 9, bold: strong });
    w.y += strong ? 16 : 13;
  }
  w.y = Math.max(w.y, breakdownBottom) + 16;

  // Payment and notes.
  const payment: string[] = [];
  if (doc.dueDate && doc.type === 'invoice') payment.push(`Please pay ${doc.currency} ${money(t.payable)} by ${doc.dueDate}.`);
  if (doc.paymentTerms) payment.push(doc.paymentTerms);
  const pm = doc.paymentMeans;
  if (pm?.accountId) {
    payment.push(
      [`Account: ${pm.accountId}`, pm.bic ? `BIC: ${pm.bic}` : '', pm.accountName ? `Account holder: ${pm.accountName}` : '', pm.paymentId ? `Reference: ${pm.paymentId}` : '']
        .filter(Boolean)
        .join(' · '),
    );
  } else if (pm?.paymentId) payment.push(`Reference: ${pm.paymentId}`);
  if (payment.length > 0 || (doc.notes ?? []).length > 0) {
    w.ensure(40);
    w.cell('Payment', MARGIN, w.y, CONTENT_WIDTH, 'left', { size: 8, bold: true, color: GREY });
    w.y += 12;
    for (const p of [...payment, ...(doc.notes ?? [])]) w.paragraph(p, MARGIN, CONTENT_WIDTH, 4, { size: 9 });
  }

  // Usage detail.
  if (doc.detail === 'destinations' && doc.destinations && doc.destinations.length > 0) {
    w.heading('Usage by destination');
    w.table(
      columns([
        ['Destination', 'flex', 'left'],
        ['Prefix', 70, 'left'],
        ['Calls', 55, 'right'],
        ['Duration', 70, 'right'],
        [`Amount (${doc.currency})`, 90, 'right'],
      ]),
      doc.destinations.map((d) => [d.destination, d.prefix ?? '', String(d.calls), formatDuration(d.durationSeconds), formatDecimal(d.amount, digits)]),
    );
  }
  if (doc.detail === 'calls' && doc.calls && doc.calls.length > 0) {
    const calls = doc.calls;
    // One number of decimals for the whole price column (call prices keep the plan's precision, up to 6).
    const priceDecimals = calls.reduce((max, c) => Math.max(max, (/\.(\d*?)0*$/.exec(c.price)?.[1] ?? '').length), digits);
    w.heading(`Itemised calls (${calls.length.toLocaleString('en')})`);
    w.table(
      columns([
        ['Date and time', 105, 'left'],
        ['Number called', 110, 'left'],
        ['Destination', 'flex', 'left'],
        ['Duration', 60, 'right'],
        [`Price (${doc.currency})`, 75, 'right'],
      ]),
      (function* () {
        for (const c of calls) yield [c.startedAt, c.destinationNumber, c.destinationName, formatDuration(c.durationSeconds), formatDecimal(c.price, Math.min(priceDecimals, 6))];
      })(),
      8,
    );
  }

  // Footer on every page, once the page count is known.
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const fy = PAGE.height - MARGIN - 10;
    w.rule(fy - 6);
    w.cell(`${doc.issuer.name} · ${TITLES[doc.type]} ${doc.number}`, MARGIN, fy, CONTENT_WIDTH * 0.7, 'left', { size: 7.5, color: GREY });
    w.cell(`Page ${i - range.start + 1} of ${range.count}`, MARGIN + CONTENT_WIDTH * 0.7, fy, CONTENT_WIDTH * 0.3, 'right', { size: 7.5, color: GREY });
  }
  pdf.end();
  return done;
}
