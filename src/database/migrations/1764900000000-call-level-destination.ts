import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { varchar } from '../migration-columns';

/**
 * Call levels keep the destination name of the rate they were priced with (billing), so that invoices can
 * group usage by destination even after the rate deck that priced a call has been replaced.
 */
export class CallLevelDestination1764900000000 implements MigrationInterface {
  name = 'CallLevelDestination1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('call_levels', new TableColumn(varchar('destination', 100, { nullable: true })));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('call_levels', 'destination');
  }
}
