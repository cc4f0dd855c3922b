import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { NotFoundError } from '../../shared/errors';
import { isInSubtree, type Scope } from '../../shared/scope';
import { BillingApi } from '../billing/billing.api';
import { OutboxDispatcher } from '../notifications/notifications.api';
import { invoiceFileName } from './domain/document-files';
import { finaliseInvoice } from './domain/invoice-totals';
import { renderInvoicePdf } from './domain/invoice-pdf';
import { issuedDocumentDraft, type StoredParty, type UsageDetail } from './domain/issued-document';
import { renderUblInvoice } from './domain/ubl-invoice';
import type { InvoiceEntity } from './entities/invoice.entity';
import { INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';
import { InvoicesRepository } from './invoices.repository';

export type DocumentFormat = 'pdf' | 'xml';

export interface RenderedDocument {
  filename: string;
  contentType: string;
  body: Buffer;
}

/**
 * The documents of an issued invoice or credit note: the PDF for people and the UBL 2.1 XML (EN 16931) for
 * accounting systems, rendered on demand from what the invoice stored (amounts, lines, the parties as
 * they were when it was issued) and the ledger rows marked with it (usage detail), so the same invoice
 * always gives the same document. Also attaches the chosen format to the "invoice issued" email.
 */
@Injectable()
export class InvoiceDocumentsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: InvoicesRepository,
    private readonly customers: CustomerDirectory,
    private readonly billing: BillingApi,
    private readonly dispatcher: OutboxDispatcher,
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
    return this.renderInvoice(invoice, customer, format);
  }

  /** Renders a document of an invoice; null when there is no such invoice. */
  async render(id: number, format: DocumentFormat): Promise<RenderedDocument | null> {
    const invoice = await this.repo.findInvoice(this.dataSource.manager, id);
    if (!invoice) return null;
    return this.renderInvoice(invoice, await this.customers.find(this.dataSource.manager, invoice.customerId), format);
  }

  private async renderInvoice(invoice: InvoiceEntity, customer: CustomerRef | null, format: DocumentFormat): Promise<RenderedDocument> {
    const em = this.dataSource.manager;
    const id = invoice.id;
    const [lines, credited] = await Promise.all([
      this.repo.lines(em, id),
      invoice.creditedInvoiceId ? this.repo.findInvoice(em, invoice.creditedInvoiceId) : Promise.resolve(null),
    ]);
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
      customer?.timezone ?? 'UTC',
      this.config.defaultCountry,
    );
    const doc = finaliseInvoice(draft);
    const filename = invoiceFileName(invoice.documentType, invoice.number, format);
    if (format === 'pdf') return { filename, contentType: 'application/pdf', body: await renderInvoicePdf(doc) };
    return { filename, contentType: 'application/xml', body: Buffer.from(renderUblInvoice(doc), 'utf8') };
  }
}

/** Whether the invoice was settled when it was issued (so its document shows nothing payable). */
function settledAtIssue(invoice: InvoiceEntity): boolean {
  return invoice.documentType === 'credit_note' || invoice.status === 'prepaid' || (invoice.status === 'paid' && invoice.dueDate === null);
}
