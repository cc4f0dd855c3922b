import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { Clock } from '../../src/shared/clock';
import { createTestDatabase, TestDatabase } from './database';
import { OpenApiResponseValidator, type OpenApiDoc } from './openapi-validator';

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestApp {
  app: NestExpressApplication;
  /** Requests to the app; every answer of the JSON API is checked against the OpenAPI document. */
  http: TestAgent;
  /** The checker behind `http`, for agents made elsewhere (`t.contract.wrap(agent)`). */
  contract: OpenApiResponseValidator;
  dataSource: DataSource;
  clock: Clock;
  /** Bearer token of the system owner's administrator. */
  adminToken: string;
  /** Authorization header for the system owner's administrator. */
  auth: { Authorization: string };
  databaseUrl: string;
  close(): Promise<void>;
}

/** The whole application on a fresh database, as main.ts builds it, for e2e and medium tests. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db: TestDatabase = await createTestDatabase();
  Object.assign(process.env, { DATABASE_URL: db.url, ADMIN_USERNAME, ADMIN_PASSWORD, SMTP_URL: '', ...env });
  const app = await createApp();
  await app.init();
  const raw = request(app.getHttpServer());
  const contract = new OpenApiResponseValidator((await raw.get('/api/docs-json').expect(200)).body as OpenApiDoc);
  const http = contract.wrap(raw);
  const res = await http.post('/api/v1/auth/token').send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD });
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
  const adminToken = res.body.token as string;
  return {
    app,
    http,
    contract,
    dataSource: app.get(DataSource),
    clock: app.get(Clock),
    adminToken,
    auth: { Authorization: `Bearer ${adminToken}` },
    databaseUrl: db.url,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

/** Logs in and returns an Authorization header. */
export async function loginHeader(t: TestApp, username: string, password: string): Promise<{ Authorization: string }> {
  const res = await t.http.post('/api/v1/auth/token').send({ username, password });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { Authorization: `Bearer ${res.body.token as string}` };
}
