import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** The two databases the platform runs on. */
export type Dialect = 'sqlite' | 'mysql';

type Connected = DataSource | EntityManager | QueryRunner;

/** Which database this is: the one place that asks. (MariaDB and MySQL are both 'mysql' here.) */
export function dialectOf(x: Connected): Dialect {
  const ds: DataSource = 'connection' in x ? x.connection : x;
  return ds.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
}

export const isSqlite = (x: Connected): boolean => dialectOf(x) === 'sqlite';

/**
 * True for a duplicate primary or unique key, recognised by the drivers' error codes (never the message,
 * which depends on the server's language): MariaDB/MySQL errno 1062 (ER_DUP_ENTRY), better-sqlite3's
 * SQLITE_CONSTRAINT_PRIMARYKEY / SQLITE_CONSTRAINT_UNIQUE. TypeORM wraps driver errors in a
 * QueryFailedError that carries the driver's error as `driverError` and copies its fields.
 */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; errno?: unknown; driverError?: unknown };
  if (e.errno === 1062 || e.code === 'ER_DUP_ENTRY') return true;
  if (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
  return e.driverError !== undefined && e.driverError !== err && isUniqueViolation(e.driverError);
}
