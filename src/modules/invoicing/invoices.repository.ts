import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { isSqlite } from '../../database/dialect';
import { insertRow } from '../../database/insert-row';
import { sqlInstant } from '../../database/sql-instant';
import { Money } from '../../shared/money';
import type { SortOrder } from '../../shared/http/list-query';
import { pageParams } from '../../shared/pagination';
import type { InvoiceSort } from './dto/invoicing.dto';
import type { InvoiceStatus } from './domain/invoice-status';
import { InvoiceLineEntity } from './entities/invoice-line.entity';
import { InvoiceRunEntity } from './entities/invoice-run.entity';
import { InvoiceEntity } from './entities/invoice.entity';

export interface InvoiceFilter {
  /** Invoices of the customers in a subtree: CustomerDirectory.subtreeIdsSql() and its `:subtree` pattern. */
  subtree: { sql: string; pattern: string };
  customerId?: number;
  status?: InvoiceStatus;
  periodStart?: string;
  type?: 'invoice' | 'credit_note';
  /** Default: newest first (by id). */
  sort?: SortOrder<InvoiceSort>;
  page?: number;
  pageSize?: number;
}

/** Sort column → entity property. */
const INVOICE_SORT_PROPERTIES: Record<InvoiceSort, string> = {
  number: 'number',
  customerId: 'customerId',
  issueDate: 'issueDate',
  dueDate: 'dueDate',
  total: 'totalAmount',
  status: 'status',
};

/** A document of an issued invoice as it was rendered (table invoice_documents). */
export interface StoredDocument {
  format: 'pdf' | 'xml';
  content: Buffer;
}

/** Invoicing's SQL on its own tables (invoice_runs, invoices, invoice_lines, invoice_number_counters, invoice_documents). */
@Injectable()
export class InvoicesRepository {
  constructor(private readonly dataSource: DataSource) {}

  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /** The exclusive end of the customer's last invoiced period: where its next period starts. */
  async lastPeriodEnd(em: EntityManager, customerId: number): Promise<string | null> {
    const [row] = (await em.query(
      "SELECT MAX(period_end) AS period_end FROM invoices WHERE customer_id = ? AND document_type = 'invoice'",
      [customerId],
    )) as Array<{ period_end: string | null }>;
    return row?.period_end ?? null;
  }

  async invoiceForPeriod(em: EntityManager, customerId: number, periodStart: string): Promise<number | null> {
    const [row] = (await em.query(
      "SELECT id FROM invoices WHERE customer_id = ? AND document_type = 'invoice' AND period_start = ?",
      [customerId, periodStart],
    )) as Array<{ id: unknown }>;
    return row ? Number(row.id) : null;
  }

  /**
   * The issuer's next invoice number, taken inside the invoice's transaction: one upsert that creates the
   * counter or moves it on, and locks its row until COMMIT (a rolled-back invoice gives its number back,
   * so numbers have no gaps; parallel issuers queue on the row, so none repeats).
   */
  async takeNumber(em: EntityManager, issuerCustomerId: number, defaultPrefix: string): Promise<string> {
    const upsert = isSqlite(em)
      ? 'INSERT INTO invoice_number_counters (issuer_customer_id, prefix, next_number) VALUES (?, ?, 2) ' +
        'ON CONFLICT (issuer_customer_id) DO UPDATE SET next_number = next_number + 1'
      : 'INSERT INTO invoice_number_counters (issuer_customer_id, prefix, next_number) VALUES (?, ?, 2) ' +
        'ON DUPLICATE KEY UPDATE next_number = next_number + 1';
    await em.query(upsert, [issuerCustomerId, defaultPrefix]);
    const [row] = (await em.query('SELECT prefix, next_number FROM invoice_number_counters WHERE issuer_customer_id = ?', [
      issuerCustomerId,
    ])) as Array<{ prefix: string; next_number: unknown }>;
    return `${row.prefix}${String(Number(row.next_number) - 1).padStart(6, '0')}`;
  }

  /** The stored document of an invoice in one format, or null when it has not been rendered yet. */
  async storedDocument(em: EntityManager, invoiceId: number, format: StoredDocument['format']): Promise<Buffer | null> {
    const [row] = (await em.query('SELECT content FROM invoice_documents WHERE invoice_id = ? AND format = ?', [invoiceId, format])) as Array<{
      content: Buffer;
    }>;
    return row ? Buffer.from(row.content) : null;
  }

  /**
   * Keeps an invoice's rendered documents. Rendering is deterministic, so when two processes render the
   * same document at once (the run and a download), the first row stays and the second is ignored.
   */
  async storeDocuments(em: EntityManager, invoiceId: number, docs: readonly StoredDocument[], now: Date): Promise<void> {
    if (!docs.length) return;
    const insert = isSqlite(em) ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
    await em.query(
      `${insert} INTO invoice_documents (invoice_id, format, content, created_at) VALUES ${docs.map(() => '(?, ?, ?, ?)').join(', ')}`,
      docs.flatMap((d) => [invoiceId, d.format, d.content, sqlInstant(now)]),
    );
  }

  insertInvoice(em: EntityManager, row: Omit<InvoiceEntity, 'id'>): Promise<number> {
    return insertRow(em, InvoiceEntity, row);
  }

  async insertLines(em: EntityManager, rows: ReadonlyArray<Omit<InvoiceLineEntity, 'id'>>): Promise<void> {
    if (rows.length) await em.insert(InvoiceLineEntity, rows as InvoiceLineEntity[]);
  }

  findInvoice(em: EntityManager, id: number): Promise<InvoiceEntity | null> {
    return em.findOne(InvoiceEntity, { where: { id } });
  }

  /**
   * Reads an invoice and, on MariaDB, locks its row to the end of the transaction, so payments, credit
   * notes and status changes of one invoice queue instead of overwriting each other (SQLite runs one
   * transaction at a time).
   */
  lockInvoice(em: EntityManager, id: number): Promise<InvoiceEntity | null> {
    if (isSqlite(em)) return em.findOneBy(InvoiceEntity, { id });
    return em.findOne(InvoiceEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async updateInvoice(em: EntityManager, id: number, changes: Partial<Omit<InvoiceEntity, 'id'>>): Promise<void> {
    await em.update(InvoiceEntity, { id }, changes);
  }

  /** Invoices waiting for payment whose due date is before `date` (the overdue job's candidates), oldest first. */
  dueBefore(em: EntityManager, date: string): Promise<InvoiceEntity[]> {
    return em
      .createQueryBuilder(InvoiceEntity, 'i')
      .where("i.status IN ('due', 'payment_refused') AND i.dueDate < :date", { date })
      .orderBy('i.dueDate', 'ASC')
      .addOrderBy('i.id', 'ASC')
      .getMany();
  }

  /** What credit notes referencing each invoice credited, by invoice id (invoices without any are left out). */
  async creditedAmounts(em: EntityManager, invoiceIds: readonly number[]): Promise<Map<number, Money>> {
    const out = new Map<number, Money>();
    if (!invoiceIds.length) return out;
    const rows = (await em.query(
      `SELECT credited_invoice_id AS id, SUM(total_amount) AS total FROM invoices WHERE credited_invoice_id IN (${invoiceIds.map(() => '?').join(', ')}) GROUP BY credited_invoice_id`,
      [...invoiceIds],
    )) as Array<{ id: unknown; total: unknown }>;
    for (const r of rows) out.set(Number(r.id), Money.fromMicros(typeof r.total === 'number' ? r.total : String(r.total)));
    return out;
  }

  /** The credit notes that reference an invoice, oldest first. */
  creditNotesFor(em: EntityManager, invoiceId: number): Promise<InvoiceEntity[]> {
    return em.find(InvoiceEntity, { where: { creditedInvoiceId: invoiceId, documentType: 'credit_note' }, order: { id: 'ASC' } });
  }

  /** Lines of several invoices, by invoice id. */
  async linesOf(em: EntityManager, invoiceIds: readonly number[]): Promise<Map<number, InvoiceLineEntity[]>> {
    const out = new Map<number, InvoiceLineEntity[]>();
    if (!invoiceIds.length) return out;
    const rows = await em.find(InvoiceLineEntity, { where: { invoiceId: In([...invoiceIds]) }, order: { invoiceId: 'ASC', position: 'ASC' } });
    for (const r of rows) out.set(r.invoiceId, [...(out.get(r.invoiceId) ?? []), r]);
    return out;
  }

  lines(em: EntityManager, invoiceId: number): Promise<InvoiceLineEntity[]> {
    return em.find(InvoiceLineEntity, { where: { invoiceId }, order: { position: 'ASC' } });
  }

  async list(filter: InvoiceFilter): Promise<{ items: InvoiceEntity[]; total: number }> {
    const { skip, pageSize: take } = pageParams(filter);
    const q = this.reader.createQueryBuilder(InvoiceEntity, 'i');
    q.where(`i.customerId IN (${filter.subtree.sql})`, { subtree: filter.subtree.pattern });
    if (filter.customerId !== undefined) q.andWhere('i.customerId = :customerId', { customerId: filter.customerId });
    if (filter.status) q.andWhere('i.status = :status', { status: filter.status });
    if (filter.periodStart) q.andWhere('i.periodStart = :periodStart', { periodStart: filter.periodStart });
    if (filter.type) q.andWhere('i.documentType = :type', { type: filter.type });
    if (filter.sort) {
      const dir = filter.sort.descending ? 'DESC' : 'ASC';
      q.orderBy(`i.${INVOICE_SORT_PROPERTIES[filter.sort.column]}`, dir).addOrderBy('i.id', dir);
    } else q.orderBy('i.id', 'DESC');
    const [items, total] = await q.skip(skip).take(take).getManyAndCount();
    return { items, total };
  }

  // ---- runs --------------------------------------------------------------------------------------

  insertRun(em: EntityManager, row: Omit<InvoiceRunEntity, 'id'>): Promise<number> {
    return insertRow(em, InvoiceRunEntity, row);
  }

  findRun(id: number): Promise<InvoiceRunEntity | null> {
    return this.reader.findOne(InvoiceRunEntity, { where: { id } });
  }

  async updateRun(id: number, changes: Partial<Omit<InvoiceRunEntity, 'id'>>): Promise<void> {
    await this.reader.update(InvoiceRunEntity, { id }, changes);
  }

  listRuns(page?: number, pageSize?: number): Promise<[InvoiceRunEntity[], number]> {
    const { skip, pageSize: take } = pageParams({ page, pageSize });
    return this.reader.findAndCount(InvoiceRunEntity, { order: { id: 'DESC' }, skip, take });
  }

  /** Runs still marked running whose heartbeat stopped before `staleBefore` (their process died): failed. */
  async failStaleRuns(staleBefore: Date, now: Date): Promise<void> {
    await this.reader.update(
      InvoiceRunEntity,
      { status: 'running', heartbeatAt: LessThan(staleBefore) },
      { status: 'failed', error: 'interrupted', finishedAt: now },
    );
  }

  /** Whether a scheduled run for `runDate` completed or is under way (its heartbeat still beating). */
  async scheduledRunExists(runDate: string, liveAfter: Date): Promise<boolean> {
    const runs = await this.reader.find(InvoiceRunEntity, { where: { runDate, trigger: 'schedule' } });
    return runs.some((r) => r.status === 'completed' || (r.status === 'running' && r.heartbeatAt >= liveAfter));
  }
}
