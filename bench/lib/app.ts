import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { HttpClient } from './http';

export const BENCH_ADMIN = { username: 'admin', password: 'bench-admin-password-1' };

export interface RunningApp {
  app: NestExpressApplication;
  dataSource: DataSource;
  baseUrl: string;
  /** Client with the system owner administrator's bearer token. */
  admin: HttpClient;
  /** That client's headers, for a load generator in another thread. */
  adminHeaders: Record<string, string>;
  /** Counts the SQL statements TypeORM sends (to spot N+1 queries per request). */
  queries: QueryCounter;
  close(): Promise<void>;
}

export interface Statement {
  sql: string;
  params: unknown[];
}

export class QueryCounter {
  count = 0;
  recording: Statement[] | null = null;

  /** Records the statements sent while `fn` runs. */
  async capture<T>(fn: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
    const statements: Statement[] = [];
    this.recording = statements;
    try {
      return { result: await fn(), statements };
    } finally {
      this.recording = null;
    }
  }
}

/** The real application (createApp from src/app.factory.ts) on `databaseUrl`, listening on a free port. */
export async function startApp(databaseUrl: string): Promise<RunningApp> {
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: BENCH_ADMIN.username,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    SMTP_URL: '',
    // Request logging would measure pino, not the app; production runs it at info, see BENCHMARKS.md.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  });
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataSource = app.get(DataSource);

  const queries = new QueryCounter();
  const logger = dataSource.logger;
  const original = logger.logQuery.bind(logger);
  logger.logQuery = (query, parameters, queryRunner) => {
    queries.count++;
    queries.recording?.push({ sql: query, params: Array.isArray(parameters) ? parameters : [] });
    return original(query, parameters, queryRunner);
  };

  const anonymous = new HttpClient(baseUrl);
  const login = await anonymous.request('POST', '/api/v1/auth/token', { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password });
  anonymous.close();
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${login.body}`);
  const token = (JSON.parse(login.body) as { token: string }).token;
  const adminHeaders = { authorization: `Bearer ${token}` };
  const admin = new HttpClient(baseUrl, adminHeaders);
  return {
    app,
    dataSource,
    baseUrl,
    admin,
    adminHeaders,
    queries,
    close: async () => {
      admin.close();
      await app.close();
    },
  };
}
