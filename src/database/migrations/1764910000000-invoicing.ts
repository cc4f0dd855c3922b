import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, id, int, text, timestamp, varchar } from '../migration-columns';

const toCustomer = (column: string) =>
  new TableForeignKey({
    columnNames: [column],
    referencedTableName: 'customers',
    referencedColumnNames: ['id'],
    onDelete: 'RESTRICT',
    onUpdate: 'NO ACTION',
  });

/**
 * Invoicing: invoice runs (progress and history), invoices and credit notes with their lines, and one
 * number counter row per issuing customer (gapless numbers: the counter moves in the same transaction as
 * the invoice it numbers, so a rolled-back invoice gives its number back).
 *
 * `UQ_invoices_period` is the last line of defence against double billing: one invoice per customer and
 * period, whatever runs it (credit notes have no period, and NULLs never collide on either database).
 */
export class Invoicing1764910000000 implements MigrationInterface {
  name = 'Invoicing1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'invoice_runs',
        columns: [
          id(),
          varchar('run_date', 10),
          varchar('status', 10),
          varchar('trigger', 10),
          int('started_by_person_id', { nullable: true }),
          int('customers_total', { default: 0 }),
          int('customers_done', { default: 0 }),
          int('invoices_created', { default: 0 }),
          int('invoices_existing', { default: 0 }),
          int('failures', { default: 0 }),
          varchar('error', 500, { nullable: true }),
          timestamp('started_at'),
          timestamp('heartbeat_at'),
          timestamp('finished_at', { nullable: true }),
        ],
        indices: [new TableIndex({ name: 'IDX_invoice_runs_status', columnNames: ['status', 'id'] })],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'invoices',
        columns: [
          id(),
          varchar('document_type', 12),
          varchar('number', 40),
          int('issuer_customer_id'),
          int('customer_id'),
          int('run_id', { nullable: true }),
          varchar('period_start', 10, { nullable: true }),
          varchar('period_end', 10, { nullable: true }),
          varchar('issue_date', 10),
          varchar('due_date', 10, { nullable: true }),
          varchar('currency', 3),
          varchar('status', 16),
          varchar('detail', 16),
          varchar('format', 8),
          bigint('net_amount'),
          bigint('tax_amount'),
          bigint('total_amount'),
          bigint('paid_amount', { default: 0 }),
          int('credited_invoice_id', { nullable: true }),
          text('parties'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'UQ_invoices_period', columnNames: ['customer_id', 'document_type', 'period_start'], isUnique: true }),
          new TableIndex({ name: 'UQ_invoices_number', columnNames: ['issuer_customer_id', 'number'], isUnique: true }),
          new TableIndex({ name: 'IDX_invoices_issuer', columnNames: ['issuer_customer_id', 'status', 'id'] }),
          new TableIndex({ name: 'IDX_invoices_customer', columnNames: ['customer_id', 'id'] }),
        ],
        foreignKeys: [toCustomer('issuer_customer_id'), toCustomer('customer_id')],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'invoice_lines',
        columns: [
          id(),
          int('invoice_id'),
          int('position'),
          varchar('category', 20),
          varchar('description', 200),
          bigint('quantity'),
          varchar('unit_code', 3),
          bigint('amount'),
        ],
        indices: [new TableIndex({ name: 'IDX_invoice_lines_invoice', columnNames: ['invoice_id', 'position'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['invoice_id'],
            referencedTableName: 'invoices',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
        ],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'invoice_number_counters',
        columns: [
          { name: 'issuer_customer_id', type: 'integer', isPrimary: true },
          varchar('prefix', 20),
          int('next_number'),
        ],
        foreignKeys: [toCustomer('issuer_customer_id')],
      }),
      false,
      true,
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('invoice_number_counters', true, true, true);
    await q.dropTable('invoice_lines', true, true, true);
    await q.dropTable('invoices', true, true, true);
    await q.dropTable('invoice_runs', true, true, true);
  }
}
