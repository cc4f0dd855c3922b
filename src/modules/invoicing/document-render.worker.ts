/**
 * Renders the documents of a finished invoice model: what `DocumentRenderer` runs in its worker threads
 * (and in its own thread when INVOICE_RENDER_THREADS is 0). Pure: a model in, bytes out, no database.
 */
import type { InvoiceDocument } from './domain/invoice-document';
import { renderInvoicePdf } from './domain/invoice-pdf';
import { renderUblInvoice } from './domain/ubl-invoice';

export type DocumentFormat = 'pdf' | 'xml';

export interface RenderTask {
  doc: InvoiceDocument;
  formats: readonly DocumentFormat[];
}

/** The rendered formats; buffers arrive from a worker as plain Uint8Arrays. */
export type RenderResult = Partial<Record<DocumentFormat, Uint8Array>>;

export default async function renderDocuments(task: RenderTask): Promise<RenderResult> {
  const out: RenderResult = {};
  for (const format of task.formats) {
    out[format] = format === 'pdf' ? await renderInvoicePdf(task.doc) : Buffer.from(renderUblInvoice(task.doc), 'utf8');
  }
  return out;
}
