/**
 * `calls`: call control over HTTP (issue #9's performance item). The app runs in a process of its own
 * (lib/app-server.ts); this process sets the data up, drives the load and replays the app's own SQL
 * through the driver (the floor). See BENCHMARKS.md, "Call control".
 */
import type Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret } from '../../src/shared/secrets';
import { AppServer, type ProfileEntry } from '../lib/app-server';
import type { Statement } from '../lib/app';
import { createBenchDatabase, DbKind, openMysqlPool, openSqlite, type BenchDatabase } from '../lib/databases';
import { HttpClient, runConcurrently } from '../lib/http';
import { generateNumbers, generatePrefixes } from '../lib/prefixes';
import { CpuMeter, mariadbPid } from '../lib/proc-cpu';
import { Random } from '../lib/random';
import { ResultRow, row } from '../lib/report';
import { nowMs, percentile } from '../lib/stats';
import { writeDeckFile } from './deck-file';
import type { SectionContext } from './context';

const SECTION = 'calls';
export const AUTHORIZE_TARGET = 3_000;
export const AUTHORIZE_P99_MS = 20;
export const CDR_TARGET = 1_000;
export const BATCH_CDR_TARGET = 10_000;
const CONCURRENCY = 48;
const BATCH_SIZE = 500;
const BATCH_CONCURRENCY = 4;
/** Ids far from anything else the statements carry (amounts, durations), so a captured id is recognised by value. */
const RESELLER_ID_BASE = 900_000;
const CUSTOMER_ID_BASE = 1_000_000;
const CALL_ID_BASE = 100_000_000;
const DECK_SEED = 424242;
const CUSTOMER_CREDIT_MICROS = '100000000000'; // 100,000.00
const RESELLER_CREDIT_LIMIT_MICROS = '1000000000000000'; // 1,000,000,000.00

interface Shape {
  label: string;
  resellers: Array<{ id: number; auth: Record<string, string>; customers: number[] }>;
}

interface CallRef {
  customerId: number;
  callId: string;
  caller: string;
  called: string;
  auth: Record<string, string>;
}

/** A plain driver on the bench database: a mysql2 pool, or a better-sqlite3 connection. */
interface Driver {
  kind: DbKind;
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
  pool?: mysql.Pool;
  sqlite?: Database.Database;
}

function openDriver(db: BenchDatabase, connections: number): Driver {
  if (db.kind === 'mysql') {
    const pool = openMysqlPool(db, connections);
    return {
      kind: 'mysql',
      pool,
      query: async (sql, params = []) => (await pool.query(sql, params))[0] as Array<Record<string, unknown>>,
      close: () => pool.end(),
    };
  }
  const conn = openSqlite(db);
  const cache = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = conn.prepare(sql)));
    return s;
  };
  return {
    kind: 'sqlite',
    sqlite: conn,
    query: (sql, params = []) => {
      const s = prepared(sql);
      const values = params.map(sqliteValue);
      return Promise.resolve(s.reader ? (s.all(values) as Array<Record<string, unknown>>) : (s.run(values), []));
    },
    close: () => Promise.resolve(void conn.close()),
  };
}

const sqliteValue = (v: unknown): unknown =>
  typeof v === 'boolean' ? Number(v) : v instanceof Date ? v.toISOString() : isDateParam(v) ? v.date : v;
const mysqlValue = (v: unknown): unknown => (isDateParam(v) ? new Date(v.date) : v);
const isDateParam = (v: unknown): v is { date: string } => typeof v === 'object' && v !== null && 'date' in v;

export async function runCalls(ctx: SectionContext): Promise<ResultRow[]> {
  const kind = ctx.dbs[0];
  const q = ctx.quick;
  const perShape = q ? 1_000 : 10_000;
  const deckRows = q ? 10_000 : 100_000;
  const sizes = {
    warmup: q ? 500 : 3_000,
    // Sized for about a minute each at today's rates (see BENCHMARKS.md); the targets would take seconds.
    authorize: q ? 2_000 : 6_000,
    cdr: q ? 1_000 : 3_000,
    batch: q ? 5_000 : 20_000,
  };
  const rows: ResultRow[] = [];
  const db = await createBenchDatabase(kind);
  ctx.cleanup.push(() => db.drop());
  let app: AppServer | null = null;
  let driver: Driver | null = null;
  const profileDir = process.env.BENCH_PROFILE_DIR;
  try {
    const t0 = nowMs();
    app = await AppServer.start(db.url);
    driver = openDriver(db, CONCURRENCY);
    const admin = new HttpClient(app.baseUrl, app.adminHeaders);

    // --- Setup: the deck on the cost plan, a reseller plan with a markup shared with children, two trees.
    const deckFile = join(ctx.workDir, `calls-deck-${kind}.csv`);
    await writeDeckFile(deckFile, deckRows, DECK_SEED);
    const [{ id: costPlan }] = await driver.query('SELECT cost_plan_id AS id FROM system_settings WHERE id = 1');
    const imported = await admin.upload('PUT', `/api/v1/rate-plans/${Number(costPlan)}/rates`, deckFile, 'text/csv');
    if (imported.status !== 200) throw new Error(`deck import: ${imported.status} ${imported.body.slice(0, 300)}`);
    const resellerPlan = await postJson(admin, '/api/v1/rate-plans', {
      name: 'Reseller plan',
      sharing: 'children',
      precision: 4,
      markups: { outboundPerMinute: '50' },
    });
    if (kind === 'mysql') await driver.query(`ALTER TABLE calls AUTO_INCREMENT = ${CALL_ID_BASE}`);
    else await bumpSqliteSequence(driver, 'calls', CALL_ID_BASE);

    const shapes: Shape[] = [];
    let nextReseller = RESELLER_ID_BASE;
    let nextCustomer = CUSTOMER_ID_BASE;
    for (const [count, per] of [
      [1, perShape],
      [10, perShape / 10],
    ]) {
      const shape: Shape = { label: `${count} reseller${count > 1 ? 's' : ''} x ${per.toLocaleString('en-US')}`, resellers: [] };
      for (let r = 0; r < count; r++) {
        const id = ++nextReseller;
        const auth = await addReseller(driver, app, id, Number(resellerPlan.id));
        const ids = Array.from({ length: per }, () => ++nextCustomer);
        shape.resellers.push({ id, auth: auth.key, customers: ids });
        await addCustomers(driver, id, ids, auth.customerPlanId);
      }
      shapes.push(shape);
    }
    const totalCustomers = nextCustomer - CUSTOMER_ID_BASE;
    ctx.log(
      `calls/${kind}: ${deckRows.toLocaleString()}-prefix deck, 11 resellers, ${totalCustomers.toLocaleString()} customers set up in ${((nowMs() - t0) / 1000).toFixed(1)} s`,
    );
    rows.push(
      row(SECTION, kind, 'setup', (nowMs() - t0) / 1000, 's', {
        note:
          `system owner -> reseller(s) -> customers; cost plan ${deckRows.toLocaleString()} prefixes; reseller plan +50% per minute ` +
          `(system owner's, shared with children), customer plan +30% per minute (each reseller's own); customers prepaid with ` +
          `100,000.00 credited through ledger rows, own concurrent-call limit 1,000; resellers postpaid, credit limit 1e9`,
      }),
    );

    // --- The load. Numbers called: all inside the deck's prefixes.
    const prefixes = generatePrefixes(deckRows, DECK_SEED);
    const numbers = generateNumbers(prefixes, 50_000, 7, 0);
    const rnd = new Random(99);
    let seq = 0;
    // A call of a random customer of the shape (of one reseller when given: a batch comes from one switch).
    const newCall = (shape: Shape, reseller?: Shape['resellers'][number]): CallRef => {
      const r = reseller ?? rnd.pick(shape.resellers);
      return {
        customerId: rnd.pick(r.customers),
        callId: `bench-${++seq}-${rnd.digits(8)}@switch.example`,
        caller: `4416329${rnd.digits(5)}`,
        called: rnd.pick(numbers),
        auth: r.auth,
      };
    };
    const client = new HttpClient(app.baseUrl, {}, CONCURRENCY * 2);
    const mysqlPid = kind === 'mysql' ? mariadbPid() : null;
    const meter = () => new CpuMeter({ app: app!.pid, mariadb: mysqlPid, client: process.pid });

    // Warm-up (the first few thousand requests compile the request path), not measured.
    {
      const calls = Array.from({ length: sizes.warmup }, () => newCall(shapes[1]));
      await httpLoad(client, calls.length, CONCURRENCY, (i) => authorizeRequest(calls[i]));
      await httpLoad(client, calls.length, CONCURRENCY, (i) => cdrRequest(calls[i], rnd));
      const fresh = Array.from({ length: BATCH_SIZE * 4 }, (_, i) => newCall(shapes[1], shapes[1].resellers[Math.floor(i / BATCH_SIZE)]));
      await httpLoad(client, 4, BATCH_CONCURRENCY, (i) => batchRequest(fresh.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE), rnd));
    }

    const shapeRows: Array<{ shape: Shape; a: Measured; c: Measured; b: Measured; batchRate: number; tag: string }> = [];
    const captures: Record<string, { authorize: Statement[]; cdr: Statement[]; batch: Statement[]; template: Template }> = {};
    for (const [s, shape] of shapes.entries()) {
      const tag = s === 0 ? 'one reseller' : 'ten resellers';
      const label = `[${shape.label}]`;

      // Authorize.
      const calls = Array.from({ length: sizes.authorize }, () => newCall(shape));
      const a = await measured(app, meter(), () => httpLoad(client, calls.length, CONCURRENCY, (i) => authorizeRequest(calls[i])));
      ctx.log(`calls/${kind} ${label}: ${sizes.authorize} authorizes at ${a.load.rate.toFixed(0)}/s, ${a.load.errors} not allowed`);
      captures[tag] = { ...(await captureTemplates(app, driver, client, shape, newCall, rnd)) };

      // CDRs one by one, each ending an authorised call.
      const ended = calls.slice(0, sizes.cdr);
      const c = await measured(app, meter(), () => httpLoad(client, ended.length, CONCURRENCY, (i) => cdrRequest(ended[i], rnd)));
      ctx.log(`calls/${kind} ${label}: ${sizes.cdr} CDRs at ${c.load.rate.toFixed(0)}/s`);

      // CDR batches of fresh calls (not authorised: a switch uploading its CDRs).
      const batches = Math.ceil(sizes.batch / BATCH_SIZE);
      const fresh = Array.from({ length: batches * BATCH_SIZE }, (_, i) =>
        newCall(shape, shape.resellers[Math.floor(i / BATCH_SIZE) % shape.resellers.length]),
      );
      if (profileDir) await app.send({ cmd: 'profile-start' });
      const b = await measured(app, meter(), () =>
        httpLoad(client, batches, BATCH_CONCURRENCY, (i) => batchRequest(fresh.slice(i * BATCH_SIZE, (i + 1) * BATCH_SIZE), rnd)),
      );
      if (profileDir) await logProfile(ctx, app, join(profileDir, `calls-${kind}-${s}-batch.cpuprofile`));
      const batchRate = (b.load.count * BATCH_SIZE) / b.load.seconds;
      ctx.log(`calls/${kind} ${label}: ${fresh.length} CDRs in batches of ${BATCH_SIZE} at ${batchRate.toFixed(0)}/s`);

      // Profile a second, shorter authorize + CDR run when asked (BENCH_PROFILE_DIR).
      if (profileDir) {
        const more = Array.from({ length: Math.min(2_000, sizes.authorize) }, () => newCall(shape));
        await app.send({ cmd: 'profile-start' });
        await httpLoad(client, more.length, CONCURRENCY, (i) => authorizeRequest(more[i]));
        await logProfile(ctx, app, join(profileDir, `calls-${kind}-${s}-authorize.cpuprofile`));
        await app.send({ cmd: 'profile-start' });
        await httpLoad(client, more.length, CONCURRENCY, (i) => cdrRequest(more[i], rnd));
        await logProfile(ctx, app, join(profileDir, `calls-${kind}-${s}-cdr.cpuprofile`));
      }

      shapeRows.push({ shape, a, c, b, batchRate, tag });
    }

    if (process.env.BENCH_CALLS_STATEMENTS) {
      // The captured statements, for reading (BENCH_CALLS_STATEMENTS=<file>).
      writeFileSync(
        process.env.BENCH_CALLS_STATEMENTS,
        JSON.stringify(captures, (_, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v), 2),
      );
    }

    // The ledger after all of it.
    const differences = await app.send<number>({ cmd: 'verify-ledger' });
    ctx.log(`calls/${kind}: verify-ledger: ${differences === 0 ? 'the ledger is in order' : `${differences} customers differ`}`);

    // The floors: the captured statements replayed through the driver with fresh ids (after the ledger check:
    // the replayed balance writes carry the captured values, so the balances no longer add up afterwards).
    await app.close();
    app = null;
    for (const sr of shapeRows) {
      const cap = captures[sr.tag];
      const fa = await replayUnits(driver, cap.authorize, cap.template, sizes.authorize, CONCURRENCY, sr.shape, 'authorize');
      const fc = await replayUnits(driver, cap.cdr, cap.template, sizes.cdr, CONCURRENCY, sr.shape, 'cdr', fa.made);
      const fb = await replayUnits(
        driver,
        cap.batch,
        cap.template,
        Math.ceil(sizes.batch / BATCH_SIZE),
        BATCH_CONCURRENCY,
        sr.shape,
        'batch',
      );
      const fbRate = (fb.count * BATCH_SIZE) / fb.seconds;
      ctx.log(
        `calls/${kind} [${sr.shape.label}] floors: authorize ${fa.rate.toFixed(0)}/s, CDR ${fc.rate.toFixed(0)}/s, batch ${fbRate.toFixed(0)} CDRs/s (${fa.retries + fc.retries + fb.retries} deadlock retries)`,
      );
      const L = `[${sr.shape.label}]`;
      const auth = sr.a;
      rows.push(
        row(SECTION, kind, `authorize ${L} (${CONCURRENCY} in flight)`, auth.load.errors ? null : auth.load.rate, '/s', {
          target: { op: '>=', limit: AUTHORIZE_TARGET },
          baseline: fa.rate,
          note: auth.load.errors
            ? `${auth.load.errors} of ${auth.load.count} answered other than allowed, first: ${auth.load.firstError}`
            : `floor = the ${cap.authorize.length} statements of one authorize replayed through the driver, ${kind === 'mysql' ? `${CONCURRENCY} connections` : 'one connection'}`,
        }),
      );
      rows.push(row(SECTION, kind, `  authorize p50`, auth.load.p50, 'ms'));
      rows.push(row(SECTION, kind, `  authorize p99`, auth.load.p99, 'ms', { target: { op: '<', limit: AUTHORIZE_P99_MS } }));
      rows.push(...detailRows(kind, 'authorize', auth, 1, fa));
      const cdr = sr.c;
      rows.push(
        row(SECTION, kind, `CDR one by one ${L} (${CONCURRENCY} in flight)`, cdr.load.errors ? null : cdr.load.rate, '/s', {
          target: { op: '>=', limit: CDR_TARGET },
          baseline: fc.rate,
          note: cdr.load.errors
            ? `${cdr.load.errors} failed, first: ${cdr.load.firstError}`
            : `each ends an authorised call; floor = its ${cap.cdr.length} statements replayed`,
        }),
      );
      rows.push(row(SECTION, kind, `  CDR p50 / p99`, cdr.load.p50, 'ms', { note: `p99 ${cdr.load.p99.toFixed(1)} ms` }));
      rows.push(...detailRows(kind, 'CDR', cdr, 1, fc));
      const b = sr.b;
      rows.push(
        row(
          SECTION,
          kind,
          `CDRs in batches of ${BATCH_SIZE} ${L} (${BATCH_CONCURRENCY} batches in flight)`,
          b.load.errors ? null : sr.batchRate,
          '/s',
          {
            target: { op: '>=', limit: BATCH_CDR_TARGET },
            baseline: fbRate,
            note: b.load.errors
              ? `${b.load.errors} batches failed, first: ${b.load.firstError}`
              : `fresh calls (not authorised); floor = the ${cap.batch.length} statements of one batch replayed; batch p50 ${b.load.p50.toFixed(0)} ms`,
          },
        ),
      );
      rows.push(...detailRows(kind, 'batch', b, BATCH_SIZE, fb));
    }
    rows.push(
      row(SECTION, kind, 'verify-ledger after the run: customers whose balance differs', differences, '', {
        note: differences === 0 ? 'the ledger is in order' : 'THE LEDGER IS NOT IN ORDER',
      }),
    );
    client.close();
    admin.close();
    return rows;
  } finally {
    await app?.close();
    await driver?.close();
    await db.drop();
    ctx.cleanup.pop();
  }
}

interface LoadResult {
  count: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  firstError: string;
}

interface Measured {
  load: LoadResult;
  statements: number;
  cpu: Record<string, number | null>;
}

interface Floor {
  count: number;
  seconds: number;
  rate: number;
  retries: number;
  made: Array<{ customerId: number; ref: string; id: number }>;
}

function detailRows(kind: DbKind, what: string, m: Measured, perRequest: number, floor: Floor): ResultRow[] {
  const n = m.load.count;
  const out = [row(SECTION, kind, `  SQL statements per ${what} request`, m.statements / n, '')];
  const cpu = (name: string) => (m.cpu[name] === null ? null : m.cpu[name]! / n / (perRequest > 1 ? perRequest : 1));
  const unit = perRequest > 1 ? 'ms/CDR' : 'ms';
  const parts = ['app', 'mariadb', 'client'].filter((k) => m.cpu[k] !== null);
  const note = `${parts.map((k) => `${k} ${(m.cpu[k]! / 1000 / m.load.seconds).toFixed(2)} cores`).join(', ')} over ${m.load.seconds.toFixed(1)} s`;
  out.push(row(SECTION, kind, `  CPU per ${perRequest > 1 ? 'CDR' : 'request'}: app process`, cpu('app'), unit, { note }));
  if (m.cpu.mariadb !== null)
    out.push(row(SECTION, kind, `  CPU per ${perRequest > 1 ? 'CDR' : 'request'}: MariaDB server`, cpu('mariadb'), unit));
  out.push(row(SECTION, kind, `  CPU per ${perRequest > 1 ? 'CDR' : 'request'}: load generator`, cpu('client'), unit));
  if (floor.retries) out.push(row(SECTION, kind, `  floor: ${what} units retried after a deadlock`, floor.retries, ''));
  return out;
}

async function measured(app: AppServer, cpu: CpuMeter, fn: () => Promise<LoadResult>): Promise<Measured> {
  const before = await app.count();
  cpu.start();
  const load = await fn();
  const used = cpu.stop();
  return { load, statements: (await app.count()) - before, cpu: used };
}

interface RequestSpec {
  path: string;
  body: unknown;
  headers: Record<string, string>;
  /** null when the answer is what was expected, else why not. */
  check(status: number, body: string): string | null;
}

function authorizeRequest(c: CallRef): RequestSpec {
  return {
    path: '/api/v1/calls/authorize',
    body: { callId: c.callId, customerId: c.customerId, caller: c.caller, called: c.called, direction: 'outbound' },
    headers: c.auth,
    check: (status, body) => (status === 200 && body.startsWith('{"allowed":true') ? null : `${status} ${body.slice(0, 200)}`),
  };
}

function cdrBody(c: CallRef, rnd: Random): Record<string, unknown> {
  const started = Date.now() - 3_600_000 + rnd.int(0, 600_000);
  const answered = started + rnd.int(2_000, 20_000);
  return {
    callId: c.callId,
    customerId: c.customerId,
    caller: c.caller,
    called: c.called,
    direction: 'outbound',
    startedAt: new Date(started).toISOString(),
    answeredAt: new Date(answered).toISOString(),
    endedAt: new Date(answered + rnd.int(1, 600) * 1000).toISOString(),
  };
}

function cdrRequest(c: CallRef, rnd: Random): RequestSpec {
  return {
    path: '/api/v1/calls/cdrs',
    body: cdrBody(c, rnd),
    headers: c.auth,
    check: (status, body) => (status === 201 ? null : `${status} ${body.slice(0, 200)}`),
  };
}

function batchRequest(calls: CallRef[], rnd: Random): RequestSpec {
  return {
    path: '/api/v1/calls/cdrs/batch',
    body: calls.map((c) => cdrBody(c, rnd)),
    headers: calls[0].auth,
    check: (status, body) => (status === 200 ? null : `${status} ${body.slice(0, 200)}`),
  };
}

/** `count` requests, `concurrency` in flight; throughput over the whole run and latencies of each. */
async function httpLoad(client: HttpClient, count: number, concurrency: number, spec: (i: number) => RequestSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  const start = nowMs();
  await runConcurrently(count, concurrency, async (i) => {
    const s = spec(i);
    const res = await client.request('POST', s.path, s.body, s.headers);
    latencies.push(res.ms);
    const problem = s.check(res.status, res.body);
    if (problem) {
      errors++;
      firstError ||= problem;
    }
  });
  const seconds = (nowMs() - start) / 1000;
  return { count, seconds, rate: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, firstError };
}

async function postJson(
  client: HttpClient,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const res = await client.request('POST', path, body, headers);
  if (res.status !== 200 && res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

async function bumpSqliteSequence(driver: Driver, table: string, value: number): Promise<void> {
  const found = await driver.query('SELECT seq FROM sqlite_sequence WHERE name = ?', [table]);
  if (found.length) await driver.query('UPDATE sqlite_sequence SET seq = ? WHERE name = ?', [value, table]);
  else await driver.query('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [table, value]);
}

type Row = Record<string, unknown>;

/** Writes `values` as multi-row INSERTs of 500 rows. */
async function insertRows(driver: Driver, table: string, values: Row[]): Promise<void> {
  if (!values.length) return;
  const cols = Object.keys(values[0]);
  const qc = driver.kind === 'sqlite' ? '"' : '`';
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    const sql = `INSERT INTO ${table} (${cols.map((c) => `${qc}${c}${qc}`).join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`;
    await driver.query(
      sql,
      chunk.flatMap((r) => cols.map((c) => r[c])),
    );
  }
}

let customerTemplate: Row | null = null;

/** A customer row cloned from the system owner's (every column the app writes), with the given fields. */
async function customerRow(driver: Driver, fields: Row): Promise<Row> {
  if (!customerTemplate) {
    const [owner] = await driver.query('SELECT * FROM customers WHERE id = 1');
    customerTemplate = owner;
  }
  const r: Row = { ...customerTemplate, ...fields };
  for (const [k, v] of Object.entries(r)) if (typeof v === 'boolean') r[k] = Number(v);
  return r;
}

const instant = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

/** A reseller under the system owner with a logged-in administrator, its own customer plan and an API key. */
async function addReseller(
  driver: Driver,
  app: AppServer,
  id: number,
  resellerPlanId: number,
): Promise<{ key: Record<string, string>; customerPlanId: number }> {
  const now = instant();
  await insertRows(driver, 'customers', [
    await customerRow(driver, {
      id,
      parent_id: 1,
      path: `/1/${id}/`,
      depth: 1,
      name: `Reseller ${id}`,
      email: `reseller${id}@example.com`,
      account_number: `R${id}`,
      reseller: 1,
      prefix: null,
      rate_plan_id: resellerPlanId,
      billing_type: 'postpaid',
      credit_limit: RESELLER_CREDIT_LIMIT_MICROS,
      search_text: null,
      search_unindexed: 1,
      created_at: now,
      updated_at: now,
    }),
  ]);
  const username = `reseller${id}-admin`;
  const password = 'bench-reseller-password-1';
  await insertRows(driver, 'people', [
    {
      customer_id: id,
      username,
      display_name: 'Admin',
      email: null,
      role: 'administrator',
      password_hash: await hashSecret(password),
      created_at: now,
      updated_at: now,
    },
  ]);
  const anonymous = new HttpClient(app.baseUrl);
  const { token } = (await postJson(anonymous, '/api/v1/auth/token', { username, password })) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  const plan = await postJson(
    anonymous,
    '/api/v1/rate-plans',
    { name: `Customer plan ${id}`, precision: 4, markups: { outboundPerMinute: '30' } },
    auth,
  );
  const { secret } = (await postJson(anonymous, '/api/v1/api-keys', { name: 'switch' }, auth)) as { secret: string };
  anonymous.close();
  return { key: { authorization: `Bearer ${secret}` }, customerPlanId: Number(plan.id) };
}

/** Customers under the reseller, each credited: a ledger row and the balance row with the same amount. */
async function addCustomers(driver: Driver, resellerId: number, ids: number[], planId: number): Promise<void> {
  const now = instant();
  const customers: Row[] = [];
  for (const id of ids) {
    customers.push(
      await customerRow(driver, {
        id,
        parent_id: resellerId,
        path: `/1/${resellerId}/${id}/`,
        depth: 2,
        name: `Customer ${id}`,
        email: `customer${id}@example.com`,
        account_number: `C${id}`,
        reseller: 0,
        prefix: null,
        rate_plan_id: planId,
        billing_type: 'prepaid',
        max_concurrent_calls: 1000,
        credit_limit: '0',
        search_text: null,
        search_unindexed: 1,
        created_at: now,
        updated_at: now,
      }),
    );
  }
  await insertRows(driver, 'customers', customers);
  const currency = String(customerTemplate!.currency);
  await insertRows(
    driver,
    'ledger_transactions',
    ids.map((id) => ({
      customer_id: id,
      type: 'credit',
      amount: CUSTOMER_CREDIT_MICROS,
      currency,
      description: 'bench credit',
      created_at: now,
    })),
  );
  await insertRows(
    driver,
    'balances',
    ids.map((id) => ({ customer_id: id, balance: CUSTOMER_CREDIT_MICROS, updated_at: now })),
  );
}

// ---------------------------------------------------------------------------------------------------
// The floor: the statements of one request, replayed with fresh ids.

/** What a captured statement's values stand for, by value (ids are chosen far apart so that a value says what it is). */
interface Template {
  /** The captured requests' customers, refs and new call ids (in insertion order). */
  customers: Map<number, number>; // customer id -> its reseller
  refs: Map<string, number>; // call ref -> index
  callIds: Map<number, number>; // call id -> index in insertion order
  resellers: Set<number>;
}

async function captureTemplates(
  app: AppServer,
  driver: Driver,
  client: HttpClient,
  shape: Shape,
  newCall: (s: Shape, reseller?: Shape['resellers'][number]) => CallRef,
  rnd: Random,
): Promise<{ authorize: Statement[]; cdr: Statement[]; batch: Statement[]; template: Template }> {
  const one = newCall(shape);
  const fresh = Array.from({ length: BATCH_SIZE }, () => newCall(shape, shape.resellers[0]));
  const send = async (spec: RequestSpec) => {
    const res = await client.request('POST', spec.path, spec.body, spec.headers);
    const problem = spec.check(res.status, res.body);
    if (problem) throw new Error(`capture ${spec.path}: ${problem}`);
  };
  const authorize = await app.capture(() => send(authorizeRequest(one)));
  const cdr = await app.capture(() => send(cdrRequest(one, rnd)));
  const batch = await app.capture(() => send(batchRequest(fresh, rnd)));
  const all = [one, ...fresh];
  const resellerOf = new Map(shape.resellers.flatMap((r) => r.customers.map((c) => [c, r.id] as const)));
  const template: Template = {
    customers: new Map(all.map((c) => [c.customerId, resellerOf.get(c.customerId)!])),
    refs: new Map(all.map((c, i) => [c.callId, i])),
    callIds: new Map(),
    resellers: new Set(shape.resellers.map((r) => r.id)),
  };
  // The batch's new calls in insertion order (the one authorised call is index 0 of its own).
  const refs = fresh.map((c) => c.callId);
  const found = await driver.query(`SELECT id FROM calls WHERE call_ref IN (${refs.map(() => '?').join(', ')}) ORDER BY id`, refs);
  found.forEach((r, i) => template.callIds.set(Number(r.id), i));
  const [own] = await driver.query('SELECT id FROM calls WHERE call_ref = ?', [one.callId]);
  template.callIds.set(Number(own.id), 0);
  return { authorize, cdr, batch, template };
}

type Slot =
  { kind: 'customer'; of: number } | { kind: 'reseller'; of: number } | { kind: 'ref'; of: string } | { kind: 'call'; of: number };

/** Per statement, per parameter: what it stands for (null = keep the captured value). */
function slotsOf(statements: Statement[], t: Template): Array<Array<Slot | null>> {
  return statements.map((s) =>
    s.params.map((p): Slot | null => {
      if (typeof p === 'string' && t.refs.has(p)) return { kind: 'ref', of: p };
      const n = typeof p === 'number' ? p : typeof p === 'string' && /^\d{1,10}$/.test(p) ? Number(p) : NaN;
      if (Number.isNaN(n)) return null;
      if (t.customers.has(n)) return { kind: 'customer', of: n };
      if (t.resellers.has(n)) return { kind: 'reseller', of: n };
      if (t.callIds.has(n)) return { kind: 'call', of: n };
      return null;
    }),
  );
}

let floorSeq = 0;

/**
 * Runs `count` units, `concurrency` in flight: each unit is `statements` with the captured customer ids
 * replaced by random customers of the shape (a batch's customers each by one of the same reseller), call
 * refs by new ones and call ids by the ids the unit's own INSERT INTO calls made. For 'cdr' units, `ends`
 * names the calls (made by the authorize floor) each unit ends. A unit that deadlocks is run again.
 */
async function replayUnits(
  driver: Driver,
  statements: Statement[],
  t: Template,
  count: number,
  concurrency: number,
  shape: Shape,
  what: 'authorize' | 'cdr' | 'batch',
  ends: Floor['made'] = [],
): Promise<Floor> {
  const slots = slotsOf(statements, t);
  const rnd = new Random(555 + floorSeq);
  const resellerOf = new Map(shape.resellers.flatMap((r) => r.customers.map((c) => [c, r] as const)));
  const made: Floor['made'] = [];
  let retries = 0;
  const unit = async (i: number, run: (sql: string, params: unknown[]) => Promise<{ insertId?: number; rows?: number }>) => {
    const customers = new Map<number, number>();
    const refs = new Map<string, string>();
    const callIds = new Map<number, number>();
    const ended = what === 'cdr' ? ends[i % Math.max(1, ends.length)] : undefined;
    const pick = (templateCustomer: number): number => {
      let c = customers.get(templateCustomer);
      if (c === undefined) {
        if (ended) c = ended.customerId;
        else if (what === 'batch') c = rnd.pick(resellerOf.get(templateCustomer)!.customers);
        else c = rnd.pick(rnd.pick(shape.resellers).customers);
        customers.set(templateCustomer, c);
      }
      return c;
    };
    const firstCustomer = () => customers.values().next().value ?? pick([...t.customers.keys()][0]);
    const value = (slot: Slot | null, p: unknown): unknown => {
      if (!slot) return p;
      switch (slot.kind) {
        case 'customer':
          return pick(slot.of);
        case 'reseller':
          return what === 'batch' ? slot.of : resellerOf.get(firstCustomer())!.id;
        case 'ref': {
          let r = refs.get(slot.of);
          if (!r) refs.set(slot.of, (r = ended ? ended.ref : `floor-${++floorSeq}-${slot.of}`));
          return r;
        }
        case 'call':
          return ended ? ended.id : (callIds.get(slot.of) ?? p);
      }
    };
    let inserted = 0;
    for (const [k, s] of statements.entries()) {
      const params = s.params.map((p, j) => value(slots[k][j], p));
      const res = await run(s.sql, params);
      if (/^INSERT INTO [`"]?calls[`"]? /i.test(s.sql) && res.insertId !== undefined) {
        // New call ids: consecutive from the statement's first (InnoDB's consecutive lock mode; SQLite's one writer).
        const n = res.rows ?? 1;
        const templateIds = [...t.callIds.entries()].filter(([, idx]) => idx >= inserted && idx < inserted + n);
        for (const [tid, idx] of templateIds) callIds.set(tid, res.insertId + (idx - inserted));
        inserted += n;
        if (what === 'authorize') made.push({ customerId: firstCustomer(), ref: refs.values().next().value!, id: res.insertId });
      }
    }
  };

  const start = nowMs();
  if (driver.kind === 'sqlite') {
    const conn = driver.sqlite!;
    const cache = new Map<string, Database.Statement>();
    const run = (sql: string, params: unknown[]) => {
      let s = cache.get(sql);
      if (!s) cache.set(sql, (s = conn.prepare(sql)));
      const values = params.map(sqliteValue);
      if (s.reader) {
        s.all(values);
        return Promise.resolve({});
      }
      const r = s.run(values);
      return Promise.resolve({ insertId: Number(r.lastInsertRowid) - r.changes + 1, rows: r.changes });
    };
    for (let i = 0; i < count; i++) await unit(i, run);
  } else {
    const pool = driver.pool!;
    await runConcurrently(count, concurrency, async (i) => {
      for (let attempt = 1; ; attempt++) {
        const conn = await pool.getConnection();
        try {
          await unit(i, async (sql, params) => {
            const [r] = await conn.query(sql, params.map(mysqlValue));
            const h = r as { insertId?: number; affectedRows?: number };
            return Array.isArray(r) ? {} : { insertId: h.insertId, rows: h.affectedRows };
          });
          return;
        } catch (err) {
          await conn.query('ROLLBACK').catch(() => undefined);
          if (!/deadlock|lock wait/i.test(String((err as Error).message)) || attempt >= 5) throw err;
          retries++;
        } finally {
          conn.release();
        }
      }
    });
  }
  const seconds = (nowMs() - start) / 1000;
  return { count, seconds, rate: count / seconds, retries, made };
}

async function logProfile(ctx: SectionContext, app: AppServer, file: string): Promise<void> {
  const top = await app.send<ProfileEntry[]>({ cmd: 'profile-stop', file, top: 25 });
  ctx.log(`profile written to ${file}; self time, top ${top.length}:`);
  for (const e of top)
    ctx.log(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(6)} ms  ${e.functionName}  ${e.url}:${e.line}`);
}
