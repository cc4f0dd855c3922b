import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** INSERT statements by table and column list, per data source (identifier quoting differs per driver). */
const statements = new WeakMap<DataSource, Map<string, string>>();

/**
 * One INSERT of the columns `row` sets, values converted exactly as TypeORM's insert() does (column
 * transformers, then the driver), but as a fixed statement with placeholders: no query building, no
 * read-back of generated columns (MariaDB: `RETURNING`), and better-sqlite3 reuses the prepared
 * statement (TypeORM writes numbers into the SQL text on SQLite, so every id makes a new statement).
 * For the rows written on hot paths (a customer create writes five); returns the generated id.
 */
export async function insertRow<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, row: Partial<T>): Promise<number> {
  const dataSource = em.connection;
  const meta = dataSource.getMetadata(target);
  const columns = meta.columns.filter((c) => c.getEntityValue(row) !== undefined);
  const key = `${meta.tableName}:${columns.map((c) => c.databaseName).join(',')}`;
  let cache = statements.get(dataSource);
  if (!cache) statements.set(dataSource, (cache = new Map()));
  let sql = cache.get(key);
  if (!sql) {
    const q = (name: string) => dataSource.driver.escape(name);
    sql = `INSERT INTO ${q(meta.tableName)} (${columns.map((c) => q(c.databaseName)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    cache.set(key, sql);
  }
  const values = columns.map((c) => dataSource.driver.preparePersistentValue(c.getEntityValue(row), c) as unknown);
  return insertedId(await em.query(sql, values));
}

/** The generated id from a raw INSERT result (mysql2: `insertId`; TypeORM's better-sqlite3 driver: the id itself). */
function insertedId(raw: unknown): number {
  const id = typeof raw === 'object' && raw !== null && 'insertId' in raw ? (raw as { insertId: number | string }).insertId : raw;
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`no generated id in the INSERT result: ${String(id)}`);
  return n;
}
