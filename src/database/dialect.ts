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
