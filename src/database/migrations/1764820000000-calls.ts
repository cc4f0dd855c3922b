import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, bool, id, int, text, timestamp, varchar } from '../migration-columns';

const toCustomer = (column = 'customer_id') =>
  new TableForeignKey({
    columnNames: [column],
    referencedTableName: 'customers',
    referencedColumnNames: ['id'],
    onDelete: 'RESTRICT',
    onUpdate: 'NO ACTION',
  });

/**
 * Call control (billing): `calls` (one row per call id and customer: authorised, then ended or expired),
 * `call_levels` (per level of the tree: the reservation while the call is up, the charge when it ended),
 * `daily_limit_locks` (customers the daily spend limit locked, to unlock at their next midnight), and on
 * `balances` what call control keeps under the balance row's lock: the amount reserved by calls in
 * progress, their number, and the day's call spending.
 */
export class Calls1764820000000 implements MigrationInterface {
  name = 'Calls1764820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE balances ADD COLUMN reserved bigint NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE balances ADD COLUMN active_calls integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE balances ADD COLUMN spent_today bigint NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE balances ADD COLUMN spent_day varchar(10) NULL');

    await q.createTable(
      new Table({
        name: 'calls',
        columns: [
          id(),
          int('customer_id'),
          varchar('call_ref', 128),
          int('switch_customer_id'),
          varchar('direction', 8),
          varchar('caller', 40),
          varchar('called', 32),
          varchar('status', 10),
          timestamp('authorized_at', { nullable: true }),
          timestamp('expires_at', { nullable: true }),
          int('max_duration', { nullable: true }),
          timestamp('started_at', { nullable: true }),
          timestamp('answered_at', { nullable: true }),
          timestamp('ended_at', { nullable: true }),
          int('duration', { nullable: true }),
          varchar('billing_reference', 100, { nullable: true }),
          varchar('authorize_hash', 64, { nullable: true }),
          varchar('cdr_hash', 64, { nullable: true }),
          text('result', { nullable: true }),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({ name: 'IDX_calls_customer_ref', columnNames: ['customer_id', 'call_ref'], isUnique: true }),
          new TableIndex({ name: 'IDX_calls_status_expires', columnNames: ['status', 'expires_at'] }),
          new TableIndex({ name: 'IDX_calls_customer_started', columnNames: ['customer_id', 'started_at'] }),
        ],
        foreignKeys: [toCustomer(), toCustomer('switch_customer_id')],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'call_levels',
        columns: [
          { ...int('call_id'), isPrimary: true },
          { ...int('customer_id'), isPrimary: true },
          int('depth'),
          varchar('kind', 8),
          bool('counted', { default: false }),
          bigint('reserved', { default: 0 }),
          bigint('amount', { nullable: true }),
          varchar('currency', 3, { nullable: true }),
          bigint('original_amount', { nullable: true }),
          varchar('original_currency', 3, { nullable: true }),
          varchar('exchange_rate', 40, { nullable: true }),
          int('rate_plan_id', { nullable: true }),
          int('rate_id', { nullable: true }),
        ],
        indices: [new TableIndex({ name: 'IDX_call_levels_customer', columnNames: ['customer_id', 'call_id'] })],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['call_id'],
            referencedTableName: 'calls',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          }),
          toCustomer(),
        ],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'daily_limit_locks',
        columns: [{ ...int('customer_id'), isPrimary: true }, varchar('day', 10), timestamp('locked_at')],
        foreignKeys: [toCustomer()],
      }),
      false,
      true,
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('daily_limit_locks', true, true, true);
    await q.dropTable('call_levels', true, true, true);
    await q.dropTable('calls', true, true, true);
    for (const c of ['spent_day', 'spent_today', 'active_calls', 'reserved']) await q.query(`ALTER TABLE balances DROP COLUMN ${c}`);
  }
}
