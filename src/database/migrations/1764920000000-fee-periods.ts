import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { int, timestamp, varchar } from '../migration-columns';

/**
 * Recurring fees (invoicing): one row per customer and billing period whose fees were posted to the
 * ledger, plus one row with period_start 'signup' for the sign-up fee. Its primary key is what makes
 * each period's fees posted exactly once, whichever instance's job gets there.
 */
export class FeePeriods1764920000000 implements MigrationInterface {
  name = 'FeePeriods1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'fee_periods',
        columns: [
          { ...int('customer_id'), isPrimary: true },
          { ...varchar('period_start', 10), isPrimary: true },
          int('lines', { default: 0 }),
          int('numbers', { default: 0 }),
          timestamp('posted_at'),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['customer_id'],
            referencedTableName: 'customers',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
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
    await q.dropTable('fee_periods', true, true, true);
  }
}
