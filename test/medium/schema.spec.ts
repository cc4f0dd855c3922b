import { moneyTransformer } from '../../src/database/columns';
import { Money } from '../../src/shared/money';
import { testDatabaseKind, useFreshDataSource } from '../helpers/database';

describe(`schema on ${testDatabaseKind()}`, () => {
  const fresh = useFreshDataSource();

  it('migrates an empty database, and TypeORM then sees no difference between entities and schema', async () => {
    const applied = await fresh.ds.runMigrations();
    expect(applied.length).toBeGreaterThan(0);
    const pending = await fresh.ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('opens the database as the app needs it: SQLite in WAL mode with foreign keys and a 64 MiB page cache; MariaDB in utf8mb4', async () => {
    if (testDatabaseKind() === 'sqlite') {
      const pragma = async (name: string) => Object.values(((await fresh.ds.query(`PRAGMA ${name}`)) as Record<string, unknown>[])[0])[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('cache_size')).toBe(-65536);
    } else {
      const [row] = (await fresh.ds.query('SELECT @@character_set_connection AS cs, @@collation_connection AS co')) as {
        cs: string;
        co: string;
      }[];
      expect(row).toEqual({ cs: 'utf8mb4', co: 'utf8mb4_unicode_ci' });
    }
  });

  it('rolls every migration back and forward again', async () => {
    for (let i = 0; i < fresh.ds.migrations.length; i++) await fresh.ds.undoLastMigration();
    expect(await fresh.ds.showMigrations()).toBe(true);
    await fresh.ds.runMigrations();
    expect(await fresh.ds.showMigrations()).toBe(false);
  });

  it('round-trips extreme money values exactly through a BIGINT money column', async () => {
    const extremes = ['9007199254.740991', '-9007199254.740991', '0.000001', '-0.000001', '0.00', '123456789.123456', '-42.5'];
    await fresh.ds.query('CREATE TABLE money_probe (id integer PRIMARY KEY, amount bigint NOT NULL)');
    const transformer = moneyTransformer;
    for (const [i, text] of extremes.entries()) {
      await fresh.ds.query('INSERT INTO money_probe (id, amount) VALUES (?, ?)', [i + 1, transformer.to(Money.of(text))]);
    }
    const rows: Array<{ id: number; amount: string | number }> = await fresh.ds.query('SELECT id, amount FROM money_probe ORDER BY id');
    expect(rows.map((r) => transformer.from(r.amount).toString())).toEqual(extremes.map((t) => Money.of(t).toString()));
    // Sums in SQL stay exact too.
    const [{ total }] = await fresh.ds.query('SELECT SUM(amount) AS total FROM money_probe WHERE id > 2');
    expect(transformer.from(total).toString()).toBe(Money.of('123456746.623456').toString());
    await fresh.ds.query('DROP TABLE money_probe');
  });

  it('refuses amounts outside the exact range instead of storing a rounded one', () => {
    expect(() => Money.of('9007199254.740992').toMicros()).toThrow(/out of storable range/);
    expect(Money.parse('9007199254.740992')).toBeNull();
  });
});
