/**
 * Renders the README's sample invoice: the first page of a worked example (test/fixtures/invoices.ts)
 * with usage per destination, as docs/images/sample-invoice.png (pdfkit, then Debian's pdftoppm).
 *   npx ts-node --transpile-only scripts/sample-invoice.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destinationRows, plainMonthly } from '../test/fixtures/invoices';
import { renderInvoicePdf } from '../src/modules/invoicing/domain/invoice-pdf';
import { finaliseInvoice } from '../src/modules/invoicing/domain/invoice-totals';

async function main(): Promise<void> {
  const doc = finaliseInvoice({ ...plainMonthly(), detail: 'destinations', destinations: destinationRows() });
  const dir = mkdtempSync(join(tmpdir(), 'sample-invoice-'));
  try {
    writeFileSync(join(dir, 'invoice.pdf'), await renderInvoicePdf(doc));
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', join(dir, 'invoice.pdf'), join(__dirname, '..', 'docs', 'images', 'sample-invoice')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
