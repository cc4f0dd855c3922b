import { Ledger1764700000000 } from '../../src/database/migrations/1764700000000-ledger';
import { BillingBalances } from '../../src/modules/billing/billing.api';
import { Money } from '../../src/shared/money';
import { testDatabaseKind, useFreshDataSource } from '../helpers/database';

/**
 * The migration that moves the balance off the customers row: customers with a balance before it keep
 * it, as a balance row and an opening-balance transaction, so the ledger matches from the start; the
 * down migration puts the balances back on the customers rows.
 */
describe(`billing: ledger migration on ${testDatabaseKind()}`, () => {
  const fresh = useFreshDataSource();
  const sqlite = testDatabaseKind() === 'sqlite';

  /** The balance column of customers, by id (before the migration, or after its down). */
  const customerBalances = async () =>
    new Map(
      ((await fresh.ds.query('SELECT id, balance FROM customers ORDER BY id')) as Array<{ id: unknown; balance: unknown }>).map((r) => [
        Number(r.id),
        Money.fromMicros(r.balance as string).toString(),
      ]),
    );

  it('keeps every balance, as a balance row and an opening-balance adjustment, drops customers.balance, and goes back', async () => {
    const index = fresh.ds.migrations.findIndex((m) => m instanceof Ledger1764700000000);
    expect(index).toBeGreaterThan(0);
    await fresh.ds.runMigrations();
    for (let i = index; i < fresh.ds.migrations.length; i++) await fresh.ds.undoLastMigration();

    // Customers as the platform had them before the ledger: the balance on the row.
    const at = sqlite ? '2026-01-02 03:04:05.678' : new Date('2026-01-02T03:04:05.678Z');
    const cols =
      'parent_id, path, depth, type, name, email, timezone, billing_type, payment_type, currency, credit_limit, low_balance_threshold, balance, deleted_at, created_at, updated_at';
    const insert = async (parentId: number | null, name: string, currency: string, balance: string, deleted = false) => {
      await fresh.ds.query(
        `INSERT INTO customers (${cols}) VALUES (${cols
          .split(',')
          .map(() => '?')
          .join(', ')})`,
        [
          parentId,
          '/pending/',
          parentId === null ? 0 : 1,
          'normal',
          name,
          `${name.toLowerCase()}@example.com`,
          'UTC',
          'prepaid',
          'none',
          currency,
          0,
          0,
          Money.of(balance).toMicros(),
          deleted ? at : null,
          at,
          at,
        ],
      );
      const [{ id }] = (await fresh.ds.query('SELECT MAX(id) AS id FROM customers')) as Array<{ id: unknown }>;
      await fresh.ds.query('UPDATE customers SET path = ? WHERE id = ?', [parentId === null ? `/${id}/` : `/1/${id}/`, id]);
      return Number(id);
    };
    const root = await insert(null, 'Root', 'EUR', '0');
    const rich = await insert(root, 'Rich', 'EUR', '12.345678');
    const owing = await insert(root, 'Owing', 'USD', '-3.50');
    const none = await insert(root, 'None', 'EUR', '0.00');
    const gone = await insert(root, 'Gone', 'GBP', '1.00', true);
    const before = await customerBalances();

    await fresh.ds.runMigrations();
    expect(await fresh.ds.showMigrations()).toBe(false);

    // Every customer keeps its balance, in a balance row of its own.
    const balances = await new BillingBalances().balancesOf(fresh.ds.manager, [root, rich, owing, none, gone]);
    expect(new Map([...balances].map(([id, m]) => [id, m.toString()]))).toEqual(before);
    expect(Number(((await fresh.ds.query('SELECT COUNT(*) AS n FROM balances')) as Array<{ n: unknown }>)[0].n)).toBe(5);
    // A non-zero balance is one opening-balance adjustment in the customer's currency.
    const ledger = (await fresh.ds.query(
      'SELECT customer_id, type, amount, currency, description, reference, actor_person_id FROM ledger_transactions ORDER BY customer_id',
    )) as Array<Record<string, unknown>>;
    expect(
      ledger.map((r) => ({ ...r, customer_id: Number(r.customer_id), amount: Money.fromMicros(r.amount as string).toString() })),
    ).toEqual([
      {
        customer_id: rich,
        type: 'adjustment',
        amount: '12.345678',
        currency: 'EUR',
        description: 'Opening balance',
        reference: null,
        actor_person_id: null,
      },
      {
        customer_id: owing,
        type: 'adjustment',
        amount: '-3.50',
        currency: 'USD',
        description: 'Opening balance',
        reference: null,
        actor_person_id: null,
      },
      {
        customer_id: gone,
        type: 'adjustment',
        amount: '1.00',
        currency: 'GBP',
        description: 'Opening balance',
        reference: null,
        actor_person_id: null,
      },
    ]);
    // The ledger matches the balances.
    expect(await new BillingBalances().verify(fresh.ds.manager)).toEqual([]);
    // The balance is no longer a column of customers.
    const row = ((await fresh.ds.query('SELECT * FROM customers WHERE id = ?', [rich])) as Array<Record<string, unknown>>)[0];
    expect(row).not.toHaveProperty('balance');
    if (sqlite) {
      // Dropped in place: the indexes built COLLATE NOCASE by earlier migrations are still so.
      const indexes = (await fresh.ds.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ('IDX_customers_parent_account', 'IDX_people_username', 'IDX_sip_accounts_username')",
      )) as Array<{ name: string; sql: string }>;
      expect(indexes).toHaveLength(3);
      for (const i of indexes) expect(i.sql).toMatch(/COLLATE NOCASE/);
    }

    // Back: the balances return to the customers rows (a posting made after the migration included).
    await fresh.ds.query('UPDATE balances SET balance = balance + 500000 WHERE customer_id = ?', [none]);
    // The later migrations first (they build on the ledger), then the ledger's.
    for (let i = index; i < fresh.ds.migrations.length; i++) await fresh.ds.undoLastMigration();
    expect(await customerBalances()).toEqual(new Map([...before, [none, '0.50']]));
    const tables = sqlite
      ? ((await fresh.ds.query(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('balances', 'ledger_transactions', 'idempotency_keys')",
        )) as unknown[])
      : ((await fresh.ds.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ('balances', 'ledger_transactions', 'idempotency_keys')",
        )) as unknown[]);
    expect(tables).toEqual([]);
    await fresh.ds.runMigrations();
    expect(await new BillingBalances().verify(fresh.ds.manager)).toEqual([]);
  });
});
