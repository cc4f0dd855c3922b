import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, bool, id, int, timestamp, varchar } from '../migration-columns';

/**
 * Charges on a customer (invoicing): one-off (debited when added) or recurring (debited at each billing
 * period start, in advance, until ended), with the sale amount and what it costs the parent.
 * `charge_postings` has one row per recurring charge and period posted: its primary key makes each
 * posting happen once.
 */
export class CustomerCharges1764930000000 implements MigrationInterface {
  name = 'CustomerCharges1764930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'customer_charges',
        columns: [
          id(),
          int('customer_id'),
          varchar('description', 200),
          bigint('amount'),
          bigint('cost', { default: 0 }),
          varchar('currency', 3),
          bool('recurring', { default: false }),
          int('created_by_person_id', { nullable: true }),
          timestamp('created_at'),
          timestamp('ended_at', { nullable: true }),
        ],
        indices: [new TableIndex({ name: 'IDX_customer_charges_customer', columnNames: ['customer_id', 'id'] })],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['customer_id'], referencedTableName: 'customers', referencedColumnNames: ['id'], onDelete: 'RESTRICT', onUpdate: 'NO ACTION' }),
        ],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'charge_postings',
        columns: [
          { ...int('charge_id'), isPrimary: true },
          { ...varchar('period_start', 10), isPrimary: true },
          int('ledger_transaction_id', { nullable: true }),
          timestamp('posted_at'),
        ],
        foreignKeys: [
          new TableForeignKey({ columnNames: ['charge_id'], referencedTableName: 'customer_charges', referencedColumnNames: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }),
        ],
      }),
      false,
      true,
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('charge_postings', true, true, true);
    await q.dropTable('customer_charges', true, true, true);
  }
}
