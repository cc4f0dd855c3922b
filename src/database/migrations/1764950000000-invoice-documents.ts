import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { int, timestamp, varchar } from '../migration-columns';

/**
 * The documents of issued invoices and credit notes, kept as issued (invoicing): the PDF and the UBL XML
 * are rendered once, by the invoice run right after the invoice's transaction (or at the first download
 * of an older invoice), and from then on downloads and emails send these bytes. An issued invoice must
 * not change; keeping the bytes also keeps it from changing with a later template or font.
 * MEDIUMBLOB on MariaDB (BLOB stops at 64 KiB; a PDF with thousands of itemised calls is larger).
 */
export class InvoiceDocuments1764950000000 implements MigrationInterface {
  name = 'InvoiceDocuments1764950000000';

  async up(q: QueryRunner): Promise<void> {
    const blob = q.connection.options.type === 'better-sqlite3' ? 'blob' : 'mediumblob';
    await q.createTable(
      new Table({
        name: 'invoice_documents',
        columns: [
          { ...int('invoice_id'), isPrimary: true },
          { ...varchar('format', 8), isPrimary: true },
          { name: 'content', type: blob, isNullable: false },
          timestamp('created_at'),
        ],
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('invoice_documents', true, true, true);
  }
}
