import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { isSqlite } from '../dialect';
import { bigint, id, int, text, timestamp, varchar } from '../migration-columns';

const toCustomer = () =>
  new TableForeignKey({
    columnNames: ['customer_id'],
    referencedTableName: 'customers',
    referencedColumnNames: ['id'],
    onDelete: 'RESTRICT',
    onUpdate: 'NO ACTION',
  });

/** "2026-01-01 00:00:00.000": how `datetime` columns hold an instant (UTC) on both databases. */
const sqlInstant = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

/**
 * The ledger (billing): `balances` (one row per customer) and `ledger_transactions` (append-only), and the
 * kernel's `idempotency_keys`. The balance moves off the customers row: every customer gets a balance row
 * with its `customers.balance`, and a non-zero one an "opening balance" adjustment, so that from the start
 * each balance is the sum of its transactions; then `customers.balance` is dropped.
 *
 * The column is dropped with a plain ALTER TABLE on both databases (SQLite >= 3.35 drops it in place):
 * TypeORM's dropColumn rebuilds an SQLite table and would lose its COLLATE NOCASE indexes.
 */
export class Ledger1764700000000 implements MigrationInterface {
  name = 'Ledger1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'balances',
        columns: [{ ...int('customer_id'), isPrimary: true }, bigint('balance'), timestamp('updated_at')],
        foreignKeys: [toCustomer()],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'ledger_transactions',
        columns: [
          id(),
          int('customer_id'),
          varchar('type', 20),
          bigint('amount'),
          varchar('currency', 3),
          bigint('original_amount', { nullable: true }),
          varchar('original_currency', 3, { nullable: true }),
          varchar('exchange_rate', 40, { nullable: true }),
          varchar('description', 500),
          varchar('reference', 100, { nullable: true }),
          int('actor_person_id', { nullable: true }),
          int('call_id', { nullable: true }),
          int('invoice_id', { nullable: true }),
          timestamp('created_at'),
        ],
        indices: [new TableIndex({ name: 'IDX_ledger_transactions_customer', columnNames: ['customer_id', 'id'] })],
        foreignKeys: [toCustomer()],
      }),
      false,
      true,
      true,
    );
    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { ...varchar('principal', 40), isPrimary: true },
          { ...varchar('key_hash', 64), isPrimary: true },
          varchar('idempotency_key', 255),
          varchar('request_hash', 64),
          int('response_status'),
          text('response_body'),
          timestamp('created_at'),
        ],
      }),
    );

    const now = sqlInstant(new Date());
    await q.query('INSERT INTO balances (customer_id, balance, updated_at) SELECT id, balance, ? FROM customers', [now]);
    await q.query(
      'INSERT INTO ledger_transactions (customer_id, type, amount, currency, description, created_at) ' +
        "SELECT id, 'adjustment', balance, currency, 'Opening balance', ? FROM customers WHERE balance <> 0 ORDER BY id",
      [now],
    );
    await q.query('ALTER TABLE customers DROP COLUMN balance');
  }

  async down(q: QueryRunner): Promise<void> {
    // Added in place like it was dropped (SQLite needs a default for a NOT NULL column added so).
    await q.query('ALTER TABLE customers ADD COLUMN balance bigint NOT NULL DEFAULT 0');
    await q.query('UPDATE customers SET balance = COALESCE((SELECT b.balance FROM balances b WHERE b.customer_id = customers.id), 0)');
    if (!isSqlite(q)) await q.query('ALTER TABLE customers ALTER COLUMN balance DROP DEFAULT');
    await q.dropTable('idempotency_keys', true);
    await q.dropTable('ledger_transactions', true, true, true);
    await q.dropTable('balances', true, true, true);
  }
}
