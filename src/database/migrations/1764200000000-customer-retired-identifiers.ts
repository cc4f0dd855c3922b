import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { varchar } from '../migration-columns';

/**
 * A soft-deleted customer gives up its account number and prefix (so they can be reused: both are
 * unique among live customers) and keeps them here, so an undelete can restore them if still free.
 */
export class CustomerRetiredIdentifiers1764200000000 implements MigrationInterface {
  name = 'CustomerRetiredIdentifiers1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('customers', [
      new TableColumn(varchar('deleted_account_number', 32, { nullable: true })),
      new TableColumn(varchar('deleted_prefix', 16, { nullable: true })),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('customers', 'deleted_prefix');
    await q.dropColumn('customers', 'deleted_account_number');
  }
}
