import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { int, timestamp, varchar } from '../migration-columns';

/**
 * Leases of background jobs (src/shared/jobs): an instance runs a job only while its row names it as
 * holder and `lease_until` has not passed; a holder that dies is taken over once it has.
 */
export class JobLeases1764600000000 implements MigrationInterface {
  name = 'JobLeases1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'job_leases',
        columns: [
          { ...varchar('name', 100), isPrimary: true },
          varchar('holder', 200, { nullable: true }),
          timestamp('lease_until', { nullable: true }),
          timestamp('heartbeat_at', { nullable: true }),
          timestamp('last_started_at', { nullable: true }),
          timestamp('last_finished_at', { nullable: true }),
          varchar('last_error', 1000, { nullable: true }),
          int('runs', { default: 0 }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('job_leases', true);
  }
}
