import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { int, varchar } from '../migration-columns';

/**
 * Included call seconds per billing period (billing): how many of a level's included seconds its calls
 * used in the period starting `included_period`, kept on the balance row that every CDR already locks.
 */
export class IncludedSeconds1764940000000 implements MigrationInterface {
  name = 'IncludedSeconds1764940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('balances', [
      new TableColumn(int('included_used', { default: 0 })),
      new TableColumn(varchar('included_period', 10, { nullable: true })),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('balances', 'included_period');
    await q.dropColumn('balances', 'included_used');
  }
}
