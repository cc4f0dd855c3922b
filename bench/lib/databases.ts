import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type DbKind = 'sqlite' | 'mysql';

export const MYSQL_SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

function mysqlServer(): { host: string; port: number; user: string; password: string } {
  const u = new URL(MYSQL_SERVER_URL);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password || ''),
  };
}

/** A fresh database for one bench part: a temp SQLite file, or a `bench_<random>` MariaDB database. */
export interface BenchDatabase {
  kind: DbKind;
  /** DATABASE_URL for the app. */
  url: string;
  /** SQLite file path (sqlite only). */
  file?: string;
  /** MariaDB database name (mysql only). */
  name?: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(kind: DbKind): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'billing-bench-'));
    const file = join(dir, 'bench.sqlite');
    return { kind, url: `sqlite:${file}`, file, drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
  }
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const server = mysqlServer();
  const admin = await mysql.createConnection(server);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(MYSQL_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    name,
    drop: async () => {
      const c = await mysql.createConnection(server);
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** A plain driver connection to the bench database (no TypeORM), for baselines. */
export function openSqlite(db: BenchDatabase): Database.Database {
  const conn = new Database(db.file!);
  // The same settings as the app (src/database/data-source-options.ts), so the baseline is comparable.
  conn.pragma('journal_mode = WAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 10000');
  conn.pragma('synchronous = NORMAL');
  return conn;
}

export function openMysqlPool(db: BenchDatabase, connectionLimit = 8): mysql.Pool {
  return mysql.createPool({
    ...mysqlServer(),
    database: db.name,
    connectionLimit,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
}

export async function serverVersions(): Promise<{ sqlite: string; mysql: string | null }> {
  const mem = new Database(':memory:');
  const sqlite = (mem.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  mem.close();
  let version: string | null = null;
  try {
    const c = await mysql.createConnection(mysqlServer());
    const [rows] = await c.query('SELECT VERSION() AS v');
    version = String((rows as Array<{ v: string }>)[0].v);
    await c.end();
  } catch {
    version = null;
  }
  return { sqlite, mysql: version };
}
