import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { bigint, bool, id, int, timestamp, varchar } from '../migration-columns';

const toCustomer = (column: string) =>
  new TableForeignKey({
    columnNames: [column],
    referencedTableName: 'customers',
    referencedColumnNames: ['id'],
    onDelete: 'RESTRICT',
    onUpdate: 'NO ACTION',
  });

/**
 * Top-up requests (billing): raised by the automatic top-up on low balance, paid by card or decided by
 * the parent under Commerce » Requests. `open_customer_id` holds the customer's id while a request is
 * pending and NULL afterwards; its unique index allows one open request per customer on both databases
 * (neither MariaDB nor SQLite counts NULLs as duplicates; MariaDB has no partial indexes).
 */
export class TopUpRequests1764810000000 implements MigrationInterface {
  name = 'TopUpRequests1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'topup_requests',
        columns: [
          id(),
          int('customer_id'),
          int('parent_id', { nullable: true }),
          int('open_customer_id', { nullable: true }),
          varchar('customer_name', 200),
          varchar('account_number', 40, { nullable: true }),
          bigint('amount'),
          varchar('currency', 3),
          bigint('balance_at_request'),
          varchar('status', 10),
          varchar('channel', 10),
          bool('automatic', { default: false }),
          varchar('provider', 20, { nullable: true }),
          varchar('provider_reference', 100, { nullable: true }),
          int('attempts', { default: 0 }),
          varchar('reason', 500, { nullable: true }),
          int('decided_by_person_id', { nullable: true }),
          int('ledger_transaction_id', { nullable: true }),
          timestamp('created_at'),
          timestamp('decided_at', { nullable: true }),
        ],
        indices: [
          new TableIndex({ name: 'IDX_topup_requests_parent', columnNames: ['parent_id', 'status', 'id'] }),
          new TableIndex({ name: 'IDX_topup_requests_customer', columnNames: ['customer_id', 'id'] }),
          new TableIndex({ name: 'UQ_topup_requests_open', columnNames: ['open_customer_id'], isUnique: true }),
        ],
        foreignKeys: [toCustomer('customer_id'), toCustomer('parent_id')],
      }),
      false,
      true,
      true,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('topup_requests', true, true, true);
  }
}
