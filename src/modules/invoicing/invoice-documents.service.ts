import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { Clock } from '../../shared/clock';
import { NotFoundError } from '../../shared/errors';
import { isInSubtree, type Scope } from '../../shared/scope';
import { BillingApi } from '../billing/billing.api';
import { OutboxDispatcher } from '../notifications/notifications.api';
import { invoiceFileName } from './domain/document-files';
import { finaliseInvoice } from './domain/invoice-totals';
import type { InvoiceDocument } from './domain/invoice-document';
import { issuedDocumentDraft, type StoredInvoice, type StoredParty, type UsageDetail } from './domain/issued-document';
import { DocumentRenderer } from './document-renderer';
import type { InvoiceEntity } from './entities/invoice.entity';
import { INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';
import { InvoicesRepository } from './invoices.repository';

export type { DocumentFormat } from './document-render.worker';
import type { DocumentFormat } from './document-render.worker';

export interface RenderedDocument {
  filename: string;
  contentType: string;
  body: Buffer;
}

/** What the invoice run has in hand right after issuing an invoice: enough to render its documents without reading it back. */
export interface IssuedInvoice {
  invoice: InvoiceEntity;
  lines: StoredInvoice['lines'];
  /** The customer's time zone at issue (call times on the document are local). */
  timezone: string;
}

/**
 * The documents of an issued invoice or credit note: the PDF for people and the UBL 2.1 XML (EN 16931) for
 * accounting systems. They are rendered once from what the invoice stored (amounts, lines, the parties as
 * they were when it was issued) and the ledger rows marked with it (usage detail), and kept as issued in
 * `invoice_documents`: the invoice run archives both right after each invoice's transaction, and an
 * invoice without them (issued before the table existed, a credit note, a run killed between the commit
 * and the archive) gets each rendered and kept at its first download or email. Downloads and the
 * "invoice issued" email attachment then send the kept bytes.
 */
@Injectable()
export class InvoiceDocumentsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: InvoicesRepository,
    private readonly customers: CustomerDirectory,
    private readonly billing: BillingApi,
    private readonly dispatcher: OutboxDispatcher,
    private readonly renderer: DocumentRenderer,
    private readonly clock: Clock,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
  ) {}

  onModuleInit(): void {
    this.dispatcher.registerAttachments('invoice-issued', async (mail) => {
      const id = Number(mail.context.invoiceId);
      const format = mail.context.attachedFormat;
      if (!Number.isSafeInteger(id) || (format !== 'pdf' && format !== 'xml')) return [];
      const doc = await this.render(id, format);
      return doc ? [{ filename: doc.filename, content: doc.body, contentType: doc.contentType }] : [];
    });
  }

  /** A document of an invoice in the caller's tree (404 otherwise, as if it did not exist). */
  async download(scope: Scope, id: number, format: DocumentFormat): Promise<RenderedDocument> {
    const invoice = await this.repo.findInvoice(this.dataSource.manager, id);
    const customer = invoice && (await this.customers.find(this.dataSource.manager, invoice.customerId));
    if (!invoice || !customer || !isInSubtree(scope.customerPath, customer.path)) throw new NotFoundError('invoice');
    return this.documentOf(invoice, format, customer);
  }

  /** A document of an invoice (kept, or rendered and kept now); null when there is no such invoice. */
  async render(id: number, format: DocumentFormat): Promise<RenderedDocument | null> {
    const invoice = await this.repo.findInvoice(this.dataSource.manager, id);
    return invoice && this.documentOf(invoice, format);
  }

  /** Renders and keeps both documents of an invoice just issued (the invoice run, after its commit). */
  async archiveIssued(issued: IssuedInvoice): Promise<void> {
    const model = await this.model(issued.invoice, issued.lines, issued.timezone);
    const { pdf, xml } = await this.renderer.render(model, ['pdf', 'xml']);
    await this.repo.storeDocuments(
      this.dataSource.manager,
      issued.invoice.id,
      [
        { format: 'pdf', content: pdf },
        { format: 'xml', content: xml },
      ],
      this.clock.now(),
    );
  }

  private async documentOf(invoice: InvoiceEntity, format: DocumentFormat, customer?: CustomerRef | null): Promise<RenderedDocument> {
    const em = this.dataSource.manager;
    const head = { filename: invoiceFileName(invoice.documentType, invoice.number, format), contentType: CONTENT_TYPES[format] };
    const kept = await this.repo.storedDocument(em, invoice.id, format);
    if (kept) return { ...head, body: kept };
    const owner = customer === undefined ? await this.customers.find(em, invoice.customerId) : customer;
    const model = await this.model(invoice, await this.repo.lines(em, invoice.id), owner?.timezone ?? 'UTC');
    const body = (await this.renderer.render(model, [format]))[format];
    await this.repo.storeDocuments(em, invoice.id, [{ format, content: body }], this.clock.now());
    return { ...head, body };
  }

  /** The finished document model of an invoice (reads the usage detail and the credited invoice when it has them). */
  private async model(invoice: InvoiceEntity, lines: StoredInvoice['lines'], timezone: string): Promise<InvoiceDocument> {
    const em = this.dataSource.manager;
    const id = invoice.id;
    const credited = invoice.creditedInvoiceId ? await this.repo.findInvoice(em, invoice.creditedInvoiceId) : null;
    const usage: UsageDetail = {};
    if (invoice.documentType === 'invoice' && invoice.detail === 'destinations')
      usage.destinations = await this.billing.invoicedDestinations(em, invoice.customerId, id);
    if (invoice.documentType === 'invoice' && invoice.detail === 'calls') usage.calls = await this.billing.invoicedCalls(em, invoice.customerId, id);
    const parties = JSON.parse(invoice.parties) as { issuer: StoredParty; customer: StoredParty };
    const draft = issuedDocumentDraft(
      {
        documentType: invoice.documentType,
        number: invoice.number,
        issueDate: invoice.issueDate,
        dueDate: invoice.dueDate,
        periodStart: invoice.periodStart,
        periodEnd: invoice.periodEnd,
        currency: invoice.currency,
        detail: invoice.detail,
        total: invoice.totalAmount,
        settledAtIssue: settledAtIssue(invoice),
        lines,
        parties,
        credited: credited && { number: credited.number, issueDate: credited.issueDate, periodStart: credited.periodStart, periodEnd: credited.periodEnd },
      },
      usage,
      timezone,
      this.config.defaultCountry,
    );
    return finaliseInvoice(draft);
  }
}

const CONTENT_TYPES: Record<DocumentFormat, string> = { pdf: 'application/pdf', xml: 'application/xml' };

/** Whether the invoice was settled when it was issued (so its document shows nothing payable). */
function settledAtIssue(invoice: InvoiceEntity): boolean {
  return invoice.documentType === 'credit_note' || invoice.status === 'prepaid' || (invoice.status === 'paid' && invoice.dueDate === null);
}
