import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { extname, join } from 'node:path';
import Piscina from 'piscina';
import type { InvoiceDocument } from './domain/invoice-document';
import renderDocuments, { type DocumentFormat, type RenderResult, type RenderTask } from './document-render.worker';
import { INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';

/** Compiled, the worker is a .js file next to this one; under ts-jest/ts-node it is the .ts source. */
const WORKER_FILE = join(__dirname, `document-render.worker${extname(__filename)}`);

/**
 * Renders invoice documents (PDF and UBL XML) in INVOICE_RENDER_THREADS worker threads (piscina), so the
 * invoice run's transactions keep this thread while the documents use the other cores. 0 threads renders
 * in this thread. The pool starts at the first document and its idle threads end after a minute.
 */
@Injectable()
export class DocumentRenderer implements OnModuleDestroy {
  private readonly logger = new Logger('DocumentRenderer');
  private pool: Piscina<RenderTask, RenderResult> | null = null;

  constructor(@Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig) {}

  async render<F extends DocumentFormat>(doc: InvoiceDocument, formats: readonly F[]): Promise<Record<F, Buffer>> {
    const task: RenderTask = { doc, formats };
    const result = this.config.renderThreads === 0 ? await renderDocuments(task) : await this.workers().run(task);
    const out = {} as Record<F, Buffer>;
    for (const format of formats) {
      const bytes = result[format];
      if (!bytes) throw new Error(`the ${format} document was not rendered`);
      out[format] = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return out;
  }

  /** Worker threads running now (0 before the first document, when idle long enough, or with 0 threads configured). */
  get workerThreads(): number {
    return this.pool?.threads.length ?? 0;
  }

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  private workers(): Piscina<RenderTask, RenderResult> {
    if (!this.pool) {
      this.pool = new Piscina<RenderTask, RenderResult>({
        filename: WORKER_FILE,
        minThreads: 0,
        maxThreads: this.config.renderThreads,
        idleTimeout: 60_000,
        // The TypeScript source (tests) is compiled in the worker by ts-node, as jest compiles it here.
        execArgv: WORKER_FILE.endsWith('.ts') ? ['--require', 'ts-node/register/transpile-only'] : [],
      });
      this.logger.log(`document rendering on up to ${this.config.renderThreads} worker thread(s)`);
    }
    return this.pool;
  }
}
