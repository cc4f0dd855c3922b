import { Injectable } from '@nestjs/common';
import { CustomerDirectory } from '../../shared/customer-directory';
import { NotFoundError } from '../../shared/errors';
import { Money } from '../../shared/money';
import type { Page } from '../../shared/pagination';
import { subtreePattern, type Scope } from '../../shared/scope';
import { INVOICE_SORTS, type InvoiceDto, type InvoiceQuery } from './dto/invoicing.dto';
import { sortOrder } from '../../shared/http/list-query';
import type { InvoiceLineEntity } from './entities/invoice-line.entity';
import type { InvoiceEntity } from './entities/invoice.entity';
import { InvoicesRepository } from './invoices.repository';

/**
 * Reading invoices. Tenancy: the invoices of the customers in the caller's subtree, its own included
 * (those its parent issued to it); anything else answers 404 as if it did not exist.
 */
@Injectable()
export class InvoicesService {
  constructor(
    private readonly repo: InvoicesRepository,
    private readonly customers: CustomerDirectory,
  ) {}

  async list(scope: Scope, query: InvoiceQuery): Promise<Page<InvoiceDto>> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    if (query.customerId !== undefined) await this.customers.findInScope(this.repo.reader, scope, query.customerId, { includeDeleted: true });
    const { items, total } = await this.repo.list({
      subtree: { sql: this.customers.subtreeIdsSql(), pattern: subtreePattern(scope.customerPath) },
      customerId: query.customerId,
      status: query.status,
      periodStart: query.periodStart,
      type: query.type,
      sort: query.sort ? sortOrder(query.sort, INVOICE_SORTS, 'number') : undefined,
      page,
      pageSize,
    });
    const ids = items.map((i) => i.id);
    const [lines, credited] = await Promise.all([this.repo.linesOf(this.repo.reader, ids), this.repo.creditedAmounts(this.repo.reader, ids)]);
    return { items: items.map((i) => toInvoiceDto(i, lines.get(i.id) ?? [], credited.get(i.id))), page, pageSize, total };
  }

  async get(scope: Scope, id: number): Promise<InvoiceDto> {
    const invoice = await this.repo.findInvoice(this.repo.reader, id);
    if (!invoice) throw new NotFoundError('invoice');
    const customer = await this.customers.find(this.repo.reader, invoice.customerId);
    if (!customer || !customer.path.startsWith(scope.customerPath)) throw new NotFoundError('invoice');
    const [lines, credited] = await Promise.all([this.repo.lines(this.repo.reader, id), this.repo.creditedAmounts(this.repo.reader, [id])]);
    return toInvoiceDto(invoice, lines, credited.get(id));
  }
}

/** The columns of an invoice list exported as CSV (no lines: each invoice's PDF/XML has them), in this order. */
export const INVOICE_CSV_HEADER = [
  'id',
  'type',
  'number',
  'customer_id',
  'issuer_id',
  'period_start',
  'period_end',
  'issue_date',
  'due_date',
  'currency',
  'status',
  'net_total',
  'tax_total',
  'total',
  'paid_amount',
  'credited_amount',
  'credited_invoice_id',
];
export function invoiceCsvRow(i: InvoiceDto): string[] {
  const v = (x: unknown) => (x === null || x === undefined ? '' : String(x));
  return [
    String(i.id),
    i.type,
    i.number,
    String(i.customerId),
    String(i.issuerId),
    v(i.periodStart),
    v(i.periodEnd),
    i.issueDate,
    v(i.dueDate),
    i.currency,
    i.status,
    i.netTotal,
    i.taxTotal,
    i.total,
    i.paidAmount,
    i.creditedAmount,
    v(i.creditedInvoiceId),
  ];
}

export function toInvoiceDto(i: InvoiceEntity, lines: readonly InvoiceLineEntity[], credited = Money.ZERO): InvoiceDto {
  return {
    id: i.id,
    type: i.documentType,
    number: i.number,
    customerId: i.customerId,
    issuerId: i.issuerCustomerId,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    issuedAt: i.createdAt.toISOString(),
    issueDate: i.issueDate,
    dueDate: i.dueDate,
    currency: i.currency,
    status: i.status,
    netTotal: i.netAmount.toString(),
    taxTotal: i.taxAmount.toString(),
    total: i.totalAmount.toString(),
    paidAmount: i.paidAmount.toString(),
    creditedAmount: credited.toString(),
    creditedInvoiceId: i.creditedInvoiceId,
    // Taxes come with issue #12; until then no tax is charged on invoices.
    taxes: [],
    lines: lines.map((l) => ({
      category: l.category,
      description: l.description,
      quantity: l.quantity.toString(),
      amount: l.amount.toString(),
    })),
  };
}
