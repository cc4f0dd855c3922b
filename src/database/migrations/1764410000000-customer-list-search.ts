import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { isSqlite } from '../dialect';
import { bool, varchar } from '../migration-columns';

/** As in src/modules/customers/domain/customer-search.ts when this migration was written (a migration never changes). */
const SEARCH_TEXT_MAX = 640;
const SEPARATOR = '\u001f';
const BATCH = 500;

interface Row {
  id: number | string;
  name: string;
  account_number: string | null;
  deleted_account_number: string | null;
  email: string;
  description: string | null;
  billing_reference: string | null;
}

function searchText(r: Row): string | null {
  const text = [r.name, r.account_number ?? r.deleted_account_number, r.email, r.description, r.billing_reference]
    .filter((v): v is string => v !== null && v !== undefined && v !== '')
    .map((v) => v.toLowerCase())
    .join(SEPARATOR);
  return text.length <= SEARCH_TEXT_MAX ? text : null;
}

/**
 * Customer lists and searches that read one index instead of the table:
 * - `search_text` (lower-cased searched fields) and `search_unindexed`, filled here for existing rows;
 * - IDX_customers_parent_live (parent_id, deleted_at, name, id, search_text) replaces
 *   IDX_customers_parent_name: a parent's live children in list order, with what a search compares;
 * - IDX_customers_search_unindexed finds the few rows whose text is not in the index;
 * - on SQLite, IDX_customers_parent_account is rebuilt with COLLATE NOCASE, so that account numbers are
 *   unique ignoring case in the database (MariaDB's collation already does that) and the check before an
 *   insert is an index lookup.
 */
export class CustomerListSearch1764410000000 implements MigrationInterface {
  name = 'CustomerListSearch1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('customers', [
      new TableColumn(varchar('search_text', SEARCH_TEXT_MAX, { nullable: true })),
      new TableColumn(bool('search_unindexed', { default: true })),
    ]);
    for (let after = 0; ;) {
      const rows = (await q.query(
        'SELECT id, name, account_number, deleted_account_number, email, description, billing_reference FROM customers WHERE id > ? ORDER BY id LIMIT ?',
        [after, BATCH],
      )) as Row[];
      if (!rows.length) break;
      const texts = rows.map(searchText);
      const ids = rows.map((r) => Number(r.id));
      await q.query(
        `UPDATE customers SET search_text = CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END, ` +
          `search_unindexed = CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${ids.map(() => '?').join(', ')})`,
        [...ids.flatMap((id, i) => [id, texts[i]]), ...ids.flatMap((id, i) => [id, texts[i] === null ? 1 : 0]), ...ids],
      );
      after = ids[ids.length - 1];
    }
    await q.createIndex(
      'customers',
      new TableIndex({ name: 'IDX_customers_parent_live', columnNames: ['parent_id', 'deleted_at', 'name', 'id', 'search_text'] }),
    );
    await q.dropIndex('customers', 'IDX_customers_parent_name');
    await q.createIndex('customers', new TableIndex({ name: 'IDX_customers_search_unindexed', columnNames: ['search_unindexed'] }));
    if (isSqlite(q)) {
      // Last: TypeORM rebuilds SQLite tables for some changes and would then lose the collation.
      await q.query('DROP INDEX "IDX_customers_parent_account"');
      await q.query('CREATE UNIQUE INDEX "IDX_customers_parent_account" ON "customers" ("parent_id", "account_number" COLLATE NOCASE)');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (isSqlite(q)) {
      await q.query('DROP INDEX "IDX_customers_parent_account"');
      await q.query('CREATE UNIQUE INDEX "IDX_customers_parent_account" ON "customers" ("parent_id", "account_number")');
    }
    await q.dropIndex('customers', 'IDX_customers_search_unindexed');
    await q.dropIndex('customers', 'IDX_customers_parent_live');
    await q.createIndex('customers', new TableIndex({ name: 'IDX_customers_parent_name', columnNames: ['parent_id', 'name'] }));
    await q.dropColumn('customers', 'search_unindexed');
    await q.dropColumn('customers', 'search_text');
  }
}
