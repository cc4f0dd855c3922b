import { plainMonthly, twoRates } from '../../../test/fixtures/invoices';
import { DocumentRenderer } from './document-renderer';
import type { InvoiceDocument } from './domain/invoice-document';
import { renderInvoicePdf } from './domain/invoice-pdf';
import { finaliseInvoice } from './domain/invoice-totals';
import { renderUblInvoice } from './domain/ubl-invoice';
import { loadInvoicingConfig } from './invoicing.config';

const renderer = (threads: number) => new DocumentRenderer(loadInvoicingConfig({ INVOICE_RENDER_THREADS: String(threads) }));

describe('DocumentRenderer: PDF and XML in worker threads or in this thread, the same bytes', () => {
  const inWorkers = renderer(1);
  afterAll(() => inWorkers.onModuleDestroy());

  it('a worker thread renders exactly what this thread renders', async () => {
    const inline = renderer(0);
    for (const draft of [plainMonthly(), twoRates()]) {
      const doc = finaliseInvoice(draft);
      const a = await inWorkers.render(doc, ['pdf', 'xml']);
      const b = await inline.render(doc, ['pdf', 'xml']);
      expect(Buffer.isBuffer(a.pdf) && Buffer.isBuffer(a.xml)).toBe(true);
      expect(Buffer.compare(a.pdf, b.pdf)).toBe(0);
      expect(Buffer.compare(a.pdf, await renderInvoicePdf(doc))).toBe(0);
      expect(a.xml.toString('utf8')).toBe(renderUblInvoice(doc));
    }
    expect(inWorkers.workerThreads).toBe(1);
    expect(inline.workerThreads).toBe(0);
  }, 60_000);

  it('renders only the formats asked for', async () => {
    const only = await inWorkers.render(finaliseInvoice(plainMonthly()), ['xml']);
    expect(Object.keys(only)).toEqual(['xml']);
  }, 60_000);

  it('a document that cannot be rendered rejects with its error, and the pool goes on working', async () => {
    const broken = { ...finaliseInvoice(plainMonthly()), lines: null } as unknown as InvoiceDocument;
    await expect(inWorkers.render(broken, ['pdf'])).rejects.toThrow();
    const again = await inWorkers.render(finaliseInvoice(plainMonthly()), ['pdf']);
    expect(again.pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 60_000);

  it('INVOICE_RENDER_THREADS is checked', () => {
    expect(() => loadInvoicingConfig({ INVOICE_RENDER_THREADS: '-1' })).toThrow(/INVOICE_RENDER_THREADS/);
    expect(() => loadInvoicingConfig({ INVOICE_RENDER_THREADS: 'two' })).toThrow(/INVOICE_RENDER_THREADS/);
    expect(() => loadInvoicingConfig({ INVOICE_RUN_CONCURRENCY: '0' })).toThrow(/INVOICE_RUN_CONCURRENCY/);
    expect(loadInvoicingConfig({}).renderThreads).toBeGreaterThanOrEqual(1);
    expect(loadInvoicingConfig({}).runConcurrency).toBe(4);
  });
});
