import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, bool, id, int, timestamp, varchar } from '../migration-columns';

const foreignKey = (column: string, table: string) =>
  new TableForeignKey({
    columnNames: [column],
    referencedTableName: table,
    referencedColumnNames: ['id'],
    onDelete: 'RESTRICT',
    onUpdate: 'NO ACTION',
  });

/**
 * Vouchers (billing): `voucher_batches` (a reseller's batch: value, currency, count, serial length,
 * expiry, locked) and `vouchers` (one row per serial, unique across batches; redeemed at most once).
 */
export class Vouchers1764800000000 implements MigrationInterface {
  name = 'Vouchers1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'voucher_batches',
        columns: [
          id(),
          int('owner_customer_id'),
          varchar('name', 100),
          bigint('value'),
          varchar('currency', 3),
          int('count'),
          int('serial_length'),
          timestamp('expires_at', { nullable: true }),
          bool('locked'),
          int('created_by_person_id', { nullable: true }),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_voucher_batches_owner', columnNames: ['owner_customer_id', 'id'] })],
        foreignKeys: [foreignKey('owner_customer_id', 'customers')],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'vouchers',
        columns: [
          id(),
          int('batch_id'),
          varchar('serial', 32),
          timestamp('redeemed_at', { nullable: true }),
          int('redeemed_by_customer_id', { nullable: true }),
          int('ledger_transaction_id', { nullable: true }),
        ],
        indices: [
          new TableIndex({ name: 'IDX_vouchers_serial', columnNames: ['serial'], isUnique: true }),
          new TableIndex({ name: 'IDX_vouchers_batch', columnNames: ['batch_id', 'id'] }),
          new TableIndex({ name: 'IDX_vouchers_batch_redeemed', columnNames: ['batch_id', 'redeemed_at'] }),
        ],
        foreignKeys: [
          foreignKey('batch_id', 'voucher_batches'),
          foreignKey('redeemed_by_customer_id', 'customers'),
          foreignKey('ledger_transaction_id', 'ledger_transactions'),
        ],
      }),
      false,
      true,
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('vouchers', true, true, true);
    await q.dropTable('voucher_batches', true, true, true);
  }
}
