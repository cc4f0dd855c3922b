import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { int, timestamp } from '../migration-columns';

/**
 * Throttle buckets hold a slot per attempt being checked (`pending`, issue #13: at most the limit of
 * attempts is ever checked) and say when they mean nothing any more (`expires_at`: the window and the
 * block have both passed), so that a job can prune them (issue #15). The counters are transient: the
 * rows there are dropped rather than given a made-up expiry (their windows start again).
 */
export class ThrottleSlots1764830000000 implements MigrationInterface {
  name = 'ThrottleSlots1764830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM throttle_buckets');
    await q.addColumns('throttle_buckets', [new TableColumn(int('pending', { default: 0 })), new TableColumn(timestamp('expires_at'))]);
    await q.createIndex('throttle_buckets', new TableIndex({ name: 'IDX_throttle_buckets_expires_at', columnNames: ['expires_at'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('throttle_buckets', 'IDX_throttle_buckets_expires_at');
    await q.dropColumns('throttle_buckets', ['pending', 'expires_at']);
  }
}
