import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/config/config';
import { dataSourceOptions, detectDatabaseFlavour } from '../../src/database/data-source-options';

/** Which database the suite runs on: TEST_DATABASE_URL=mysql://... for MariaDB, else SQLite files. */
export const testDatabaseKind = (): 'sqlite' | 'mysql' => (process.env.TEST_DATABASE_URL?.startsWith('mysql') ? 'mysql' : 'sqlite');

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for one test file: its own SQLite file or its own MariaDB database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.TEST_DATABASE_URL;
  if (base && base.startsWith('mysql')) {
    const cfg = parseDatabaseUrl(base);
    if (cfg.type !== 'mysql') throw new Error('unreachable');
    const name = `t_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(5).toString('hex')}`;
    const admin = await mysql.createConnection({ host: cfg.host, port: cfg.port, user: cfg.username, password: cfg.password });
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const c = await mysql.createConnection({ host: cfg.host, port: cfg.port, user: cfg.username, password: cfg.password });
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'billing-test-'));
  return { url: `sqlite:${join(dir, 'db.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A data source on `url` opened exactly as the app opens one (options, MariaDB detection), not migrated. */
export async function openDataSource(url: string): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(await detectDatabaseFlavour(parseDatabaseUrl(url))));
  return ds.initialize();
}

/**
 * A fresh database for the enclosing `describe`, opened as the app opens it and not migrated (for
 * schema and migration tests); dropped after it. Use `fresh.ds` inside the tests.
 */
export function useFreshDataSource(): { readonly ds: DataSource } {
  let db: TestDatabase | undefined;
  let ds: DataSource | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource(db.url);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });
  return {
    get ds(): DataSource {
      if (!ds) throw new Error('useFreshDataSource: the data source is only there inside the tests');
      return ds;
    },
  };
}
