import { CustomerListSearch1764410000000 } from '../../src/database/migrations/1764410000000-customer-list-search';
import { searchTextOf } from '../../src/modules/customers/domain/customer-search';
import { testDatabaseKind, useFreshDataSource } from '../helpers/database';

/** The migration that adds the search text fills it for the customers already there, and undoes cleanly. */
describe(`customers: search text migration on ${testDatabaseKind()}`, () => {
  const fresh = useFreshDataSource();

  it('fills search_text for existing customers (in batches), marks the too-long ones, and goes back', async () => {
    const index = fresh.ds.migrations.findIndex((m) => m instanceof CustomerListSearch1764410000000);
    expect(index).toBeGreaterThan(0);
    await fresh.ds.runMigrations();
    for (let i = index; i < fresh.ds.migrations.length; i++) await fresh.ds.undoLastMigration();

    const now = new Date('2026-01-02T03:04:05.678Z');
    const cols =
      'parent_id, path, depth, type, name, description, email, account_number, deleted_account_number, billing_reference, timezone, billing_type, payment_type, currency, credit_limit, low_balance_threshold, balance, created_at, updated_at';
    const insert = (v: unknown[]) => fresh.ds.query(`INSERT INTO customers (${cols}) VALUES (${v.map(() => '?').join(', ')})`, v);
    const at = fresh.ds.options.type === 'better-sqlite3' ? '2026-01-02 03:04:05.678' : now;
    const fixed = ['UTC', 'prepaid', 'none', 'EUR', 0, 0, 0, at, at];
    await insert([null, '/1/', 0, 'normal', 'Root', null, 'root@example.com', null, null, null, ...fixed]);
    const rows: Array<{
      name: string;
      description: string | null;
      email: string;
      account: string | null;
      retired: string | null;
      ref: string | null;
    }> = [];
    for (let i = 0; i < 1203; i++) {
      rows.push({
        name: `Customer ${i} Ltd`,
        description: i % 100 === 7 ? 'd'.repeat(500) : i % 3 ? null : `Note ${i}`,
        email: `Mail${i}@Example.com`,
        account: i % 50 === 1 ? null : `ACC-${i}`,
        retired: i % 50 === 1 ? `OLD-${i}` : null,
        ref: i % 100 === 7 ? 'R'.repeat(100) : i % 5 ? null : `PO-${i}`,
      });
    }
    for (const r of rows) await insert([1, '/1/x/', 1, 'normal', r.name, r.description, r.email, r.account, r.retired, r.ref, ...fixed]);

    await fresh.ds.runMigrations();
    const after = (await fresh.ds.query(
      'SELECT name, description, email, account_number, deleted_account_number, billing_reference, search_text, search_unindexed FROM customers WHERE parent_id = 1 ORDER BY id',
    )) as Array<Record<string, string | null | number>>;
    expect(after).toHaveLength(rows.length);
    const wrong = after.filter((a) => {
      const expected = searchTextOf({
        name: String(a.name),
        description: a.description as string | null,
        email: String(a.email),
        accountNumber: a.account_number as string | null,
        deletedAccountNumber: a.deleted_account_number as string | null,
        billingReference: a.billing_reference as string | null,
      });
      return a.search_text !== expected || !!Number(a.search_unindexed) !== (expected === null);
    });
    expect(wrong).toEqual([]);
    // i = 7 is exactly 640 characters long and fits; 107, 207, ... do not.
    expect(after.filter((a) => a.search_text === null)).toHaveLength(11);
    expect(after[1].search_text).toBe('customer 1 ltd\u001fold-1\u001fmail1@example.com');

    // Back: the columns and indexes go, the old index returns. (Outside a transaction: TypeORM switches
    // SQLite's foreign keys off for the table rebuild only then, and the rows refer to each other.)
    for (let i = index; i < fresh.ds.migrations.length; i++) await fresh.ds.undoLastMigration({ transaction: 'none' });
    const columns = ((await fresh.ds.query('SELECT * FROM customers WHERE parent_id = 1 LIMIT 1')) as Array<Record<string, unknown>>)[0];
    expect(columns).not.toHaveProperty('search_text');
    await fresh.ds.runMigrations();
    expect(await fresh.ds.showMigrations()).toBe(false);
  });
});
