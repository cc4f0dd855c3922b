import type Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { RunningApp, startApp, Statement } from '../lib/app';
import { createBenchDatabase, DbKind, openMysqlPool, openSqlite } from '../lib/databases';
import { createCustomersInWorker } from '../lib/create-customers-worker';
import { runConcurrently } from '../lib/http';
import { Random } from '../lib/random';
import { createBody, customerFields, FIRST, SECOND } from './customer-bodies';
import { notMeasured, ResultRow, row } from '../lib/report';
import { nowMs, percentile } from '../lib/stats';
import type { SectionContext } from './context';

const SECTION = 'customers';
export const CREATE_TARGET = 300;
export const P95_TARGET_MS = 50;
const CONCURRENCY = 8;

export async function runCustomers(ctx: SectionContext): Promise<ResultRow[]> {
  const kind = ctx.dbs[0];
  const rows: ResultRow[] = [];
  const apiCount = ctx.quick ? 1_000 : 10_000;
  const directCount = ctx.quick ? 9_000 : 90_000;
  const requests = ctx.quick ? 50 : 200;
  const warmupCount = ctx.quick ? 300 : 2_000;
  const createTarget = { op: '>=' as const, limit: CREATE_TARGET };
  const latencyTarget = { op: '<' as const, limit: P95_TARGET_MS };

  const db = await createBenchDatabase(kind);
  ctx.cleanup.push(() => db.drop());
  let app: RunningApp | null = null;
  try {
    app = await startApp(db.url);
    const [plan] = (await app.dataSource.query("SELECT id FROM rate_plans WHERE name = 'Default'")) as { id: number }[];
    const planId = Number(plan.id);
    const rnd = new Random(1234);

    // Is the endpoint there? (A 404 for the route itself, not a validation error.)
    const probe = await app.admin.request('POST', '/api/v1/customers', { type: 'normal' });
    if (probe.status === 404) {
      const why = 'POST /api/v1/customers answered 404: the customers API is not there yet';
      rows.push(notMeasured(SECTION, kind, 'create through the API', '/s', createTarget, why));
      return rows;
    }

    // 1. Create through the API, CONCURRENCY in flight, after a warm-up as a long-running server has had
    // (V8 compiles the request path's code over the first few thousand requests: a cold server spends about
    // twice the CPU per create). The warm-up's rate is printed too; its customers stay (present for the lists).
    // The client runs in a worker thread (create-customers-worker.ts).
    const admin = app.admin;
    const load = { baseUrl: app.baseUrl, headers: app.adminHeaders, concurrency: CONCURRENCY, ratePlanId: planId };
    const warmupFrom = apiCount + directCount + 10; // indices no other part uses (unique account numbers)
    const warmup = await createCustomersInWorker({ ...load, count: warmupCount, firstIndex: warmupFrom, seed: 1233 });
    ctx.log(`customers/${kind}: warm-up, ${warmupCount} creates at ${warmup.rate.toFixed(0)}/s (${warmup.failures} failed)`);
    const queriesBefore = app.queries.count;
    const measured = await createCustomersInWorker({ ...load, count: apiCount, firstIndex: 1, seed: 1234 });
    const { failures, firstError, doneAt, start } = measured;
    const apiSeconds = (Math.max(...doneAt) - start) / 1000;
    const apiRate = (apiCount - failures) / apiSeconds;
    const statementsPerCreate = (app.queries.count - queriesBefore) / apiCount;
    ctx.log(
      `customers/${kind}: ${apiCount - failures} created through the API in ${apiSeconds.toFixed(1)} s (${failures} failed${firstError ? `: ${firstError}` : ''})`,
    );
    const window = Math.min(1000, Math.floor(apiCount / 5));
    const rateOver = (from: number, to: number) => ((to - from) / (doneAt[to - 1] - (from === 0 ? start : doneAt[from - 1]))) * 1000;

    // One more create, recorded, to see which statements a create sends.
    const { statements } = await app.queries.capture(() =>
      admin.request('POST', '/api/v1/customers', createBody(apiCount + 1, rnd, planId)),
    );
    const templateId = Number(((await app.dataSource.query('SELECT MAX(id) AS id FROM customers')) as { id: number | string }[])[0].id);
    const insertedTables = [...new Set(statements.map((s) => /^INSERT INTO [`"]?(\w+)/i.exec(s.sql)?.[1]).filter((t): t is string => !!t))];
    ctx.log(`customers/${kind}: one create = ${statements.length} statements; inserts into ${insertedTables.join(', ')}`);

    // 2. Baseline: the same rows, cloned from what the API wrote, inserted through the driver.
    const direct = await directInserts(ctx, kind, db, app, templateId, insertedTables, directCount, apiCount + 2);
    ctx.log(`customers/${kind}: ${directCount} inserted through the driver in ${direct.seconds.toFixed(1)} s`);
    admin.resetConnections(); // the server closed them while the driver was busy
    const [{ n }] = (await app.dataSource.query('SELECT COUNT(*) AS n FROM customers WHERE parent_id = 1')) as { n: number | string }[];
    const present = Number(n);

    rows.push(
      row(
        SECTION,
        kind,
        `create through the API (${CONCURRENCY} in flight, ${apiCount.toLocaleString()})`,
        failures ? null : apiRate,
        '/s',
        {
          target: createTarget,
          baseline: directCount / direct.seconds,
          note: failures
            ? `${failures} creates failed, first: ${firstError}`
            : `baseline = the same rows (${insertedTables.join(', ')}) inserted through the driver, one transaction per customer`,
        },
      ),
    );
    rows.push(row(SECTION, kind, `  API creates/s, cold server (warm-up, first ${warmupCount.toLocaleString()})`, warmup.rate, '/s'));
    rows.push(row(SECTION, kind, `  API creates/s, first ${window}`, rateOver(0, window), '/s'));
    rows.push(row(SECTION, kind, `  API creates/s, last ${window}`, rateOver(apiCount - window, apiCount), '/s'));
    rows.push(row(SECTION, kind, '  SQL statements per API create', statementsPerCreate, ''));
    rows.push(row(SECTION, kind, `direct driver inserts (${directCount.toLocaleString()}, baseline)`, directCount / direct.seconds, '/s'));

    // 3. Reads with `present` customers, once the database has caught up with the bulk load just made
    // (MariaDB purges the old row versions of 100,000 transactions in the background for a while: that
    // is the load's cost, not the reads').
    const settled = await settle(app, kind);
    if (settled !== null) ctx.log(`customers/${kind}: waited ${settled.toFixed(1)} s for the database to settle after the load`);
    const pages = Math.max(1, Math.ceil(present / 50));
    const listRnd = new Random(77);
    const diskReadsBefore = await bufferPoolDiskReads(app, kind);
    const list = await latencies(app, requests, () => `/api/v1/customers?page=${listRnd.int(1, pages)}&pageSize=50`);
    const terms = searchTerms(new Random(78), apiCount + directCount);
    let t = 0;
    const search = await latencies(app, requests, () => `/api/v1/customers?search=${encodeURIComponent(terms[t++ % terms.length])}`);
    const diskReads = diskReadsBefore === null ? null : (await bufferPoolDiskReads(app, kind))! - diskReadsBefore;
    const label = `${present.toLocaleString()} customers`;
    const listStatements = (
      await app.queries.capture(() => app!.admin.request('GET', `/api/v1/customers?page=${Math.ceil(pages / 2)}&pageSize=50`))
    ).statements;
    const searchStatements = (await app.queries.capture(() => app!.admin.request('GET', '/api/v1/customers?search=harbour'))).statements;
    for (const [name, r] of [
      ['list ?page=N&pageSize=50', list],
      ['search ?search=<term>', search],
    ] as const) {
      rows.push(row(SECTION, kind, `${name} p50 (${label})`, r.p50, 'ms'));
      rows.push(
        row(SECTION, kind, `${name} p95`, r.p95, 'ms', {
          target: latencyTarget,
          note: r.errors ? `${r.errors} non-200 answers, first: ${r.firstError}` : undefined,
        }),
      );
      rows.push(row(SECTION, kind, `${name} p99`, r.p99, 'ms'));
      rows.push(row(SECTION, kind, `  SQL statements per ${name.split(' ')[0]} request`, r.statements, ''));
    }

    if (diskReads !== null) {
      // Pages MariaDB had to read from disk (not in its buffer pool) during the list and search requests: a
      // read figure with many of them measured the buffer pool's size (128 MB by default), not the queries.
      rows.push(row(SECTION, kind, `  InnoDB pages read from disk during the ${2 * requests} reads`, diskReads, ''));
    }

    // Where the time goes: each SELECT of one create / list / search, re-run through the driver at full size.
    for (const [what, captured] of [
      ['create', statements],
      ['list (middle page)', listStatements],
      ['search "harbour"', searchStatements],
    ] as const) {
      const timed = await timeSelects(kind, db, captured);
      const total = timed.reduce((a, t) => a + t.ms, 0);
      rows.push(
        row(SECTION, kind, `  ${what}: time in its ${timed.length} SELECTs (driver, ${present.toLocaleString()} customers)`, total, 'ms'),
      );
      for (const t of timed.slice(0, 2)) {
        rows.push(row(SECTION, kind, `    slowest: ${t.label}`, t.ms, 'ms', { note: `${t.sql.slice(0, 160)} ... plan: ${t.plan}` }));
      }
    }
    return rows;
  } finally {
    await app?.close();
    await db.drop();
    ctx.cleanup.pop();
  }
}

function searchTerms(rnd: Random, count: number): string[] {
  const terms: string[] = [];
  for (let i = 0; i < 500; i++) {
    const k = rnd.next();
    if (k < 0.4)
      terms.push(rnd.pick(FIRST).toLowerCase()); // a common word: ~1 in 40 names
    else if (k < 0.6)
      terms.push(`${rnd.pick(FIRST)} ${rnd.pick(SECOND)}`); // two words: ~1 in 1,200
    else if (k < 0.8)
      terms.push(`ACC${String(rnd.int(1, count)).padStart(7, '0')}`); // one account number
    else if (k < 0.9)
      terms.push(`customer${rnd.int(0, 996)}.example`); // an email domain: ~1 in 1,000
    else terms.push(`nomatch${rnd.int(0, 1e6)}`); // nothing
  }
  return terms;
}

/** MariaDB's count of pages read from disk into the buffer pool so far (server-wide); null on SQLite. */
async function bufferPoolDiskReads(app: RunningApp, kind: DbKind): Promise<number | null> {
  if (kind !== 'mysql') return null;
  const rows = (await app.dataSource.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'")) as { Value: string }[];
  return Number(rows[0]?.Value ?? 0);
}

/**
 * On MariaDB, waits (at most a minute) until InnoDB has purged the history the bulk load left behind;
 * the seconds waited, or null when there was nothing to wait for.
 */
async function settle(app: RunningApp, kind: DbKind): Promise<number | null> {
  if (kind !== 'mysql') return null;
  const start = nowMs();
  const historyLength = async () =>
    Number(((await app.dataSource.query("SHOW GLOBAL STATUS LIKE 'Innodb_history_list_length'")) as { Value: string }[])[0]?.Value ?? 0);
  while ((await historyLength()) > 1000 && nowMs() - start < 60_000) await new Promise((r) => setTimeout(r, 500));
  return (nowMs() - start) / 1000;
}

async function latencies(app: RunningApp, count: number, path: () => string) {
  const samples: number[] = [];
  let errors = 0;
  let firstError = '';
  for (let i = 0; i < 20; i++) await app.admin.request('GET', path()); // warm-up
  const before = app.queries.count;
  for (let i = 0; i < count; i++) {
    const res = await app.admin.request('GET', path());
    if (res.status !== 200) {
      errors++;
      firstError ||= `${res.status} ${res.body.slice(0, 200)}`;
    }
    samples.push(res.ms);
  }
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    statements: (app.queries.count - before) / count,
    errors,
    firstError,
  };
}

/** Median time of each SELECT (re-run 7 times through the driver) with its plan, slowest first. */
async function timeSelects(kind: DbKind, db: Awaited<ReturnType<typeof createBenchDatabase>>, statements: Statement[]) {
  const selects = statements.filter((s) => /^\s*SELECT/i.test(s.sql));
  const out: { label: string; sql: string; ms: number; plan: string }[] = [];
  const label = (sql: string) => {
    const from = /FROM\s+[`"]?(\w+)[`"]?/i.exec(sql)?.[1] ?? '?';
    const where = /WHERE\s+(.{0,70})/i.exec(sql)?.[1]?.replace(/[`"]/g, '') ?? '';
    return `${/COUNT\(/i.test(sql.slice(0, 40)) ? 'COUNT ' : ''}${from} WHERE ${where}`;
  };
  const params = (p: unknown[]) =>
    p.map((v) => (typeof v === 'boolean' ? Number(v) : v instanceof Date && kind === 'sqlite' ? v.toISOString() : v));
  if (kind === 'sqlite') {
    const conn = openSqlite(db);
    try {
      for (const s of selects) {
        const stmt = conn.prepare(s.sql);
        const times: number[] = [];
        for (let i = 0; i < 7; i++) {
          const t = nowMs();
          stmt.all(params(s.params));
          times.push(nowMs() - t);
        }
        const plan = (conn.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(params(s.params)) as { detail: string }[])
          .map((p) => p.detail)
          .join('; ');
        out.push({ label: label(s.sql), sql: s.sql, ms: percentile(times, 50), plan });
      }
    } finally {
      conn.close();
    }
  } else {
    const pool = openMysqlPool(db, 1);
    try {
      for (const s of selects) {
        const times: number[] = [];
        for (let i = 0; i < 7; i++) {
          const t = nowMs();
          await pool.query(s.sql, params(s.params));
          times.push(nowMs() - t);
        }
        const [plan] = await pool.query(`EXPLAIN ${s.sql}`, params(s.params));
        const planText = (plan as { table: string; type: string; key: string | null; rows: string | number; Extra: string | null }[])
          .map((p) => `${p.table}: ${p.type} key=${p.key ?? 'none'} rows~${p.rows}${p.Extra ? ` (${p.Extra})` : ''}`)
          .join('; ');
        out.push({ label: label(s.sql), sql: s.sql, ms: percentile(times, 50), plan: planText });
      }
    } finally {
      await pool.end();
    }
  }
  return out.sort((a, b) => b.ms - a.ms);
}

type Row = Record<string, unknown>;
interface TemplateTable {
  table: string;
  rows: Row[];
}

/**
 * Reads back the rows one API create wrote (customer, its person, tokens, outbox email, audit entry,
 * ...), so that the baseline writes exactly the same rows, only with new ids and new unique values.
 */
async function readTemplate(
  query: (sql: string, p?: unknown[]) => Promise<unknown>,
  customerId: number,
  tables: string[],
): Promise<TemplateTable[]> {
  const out: TemplateTable[] = [];
  let personIds: number[] = [];
  for (const table of tables) {
    let rows: Row[];
    if (table === 'customers') rows = (await query('SELECT * FROM customers WHERE id = ?', [customerId])) as Row[];
    else {
      const probe = (await query(`SELECT * FROM ${table} LIMIT 1`)) as Row[];
      const cols = probe.length ? Object.keys(probe[0]) : [];
      if (cols.includes('customer_id')) rows = (await query(`SELECT * FROM ${table} WHERE customer_id = ?`, [customerId])) as Row[];
      else if (cols.includes('person_id') && personIds.length) {
        rows = (await query(`SELECT * FROM ${table} WHERE person_id IN (${personIds.map(() => '?').join(',')})`, personIds)) as Row[];
      } else rows = [];
    }
    if (table === 'people') personIds = rows.map((r) => Number(r.id));
    out.push({ table, rows });
  }
  return out;
}

function cloneRow(
  table: string,
  template: Row,
  from: { id: number; strings: [string, string][] },
  to: { id: number; personId?: number },
): Row {
  const r: Row = {};
  for (const [col, value] of Object.entries(template)) {
    if (col === 'id') {
      if (table === 'customers') r.id = to.id;
      continue; // auto-increment
    }
    let v = value;
    if (table === 'customers' && col === 'path') v = `/1/${to.id}/`;
    else if ((col === 'customer_id' || col === 'entity_id') && Number(v) === from.id) v = to.id;
    else if (col === 'person_id' && to.personId !== undefined) v = to.personId;
    else if (typeof v === 'string') {
      if (/hash|token/.test(col) && v.length >= 16) v = randomBytes(v.length).toString('hex').slice(0, v.length);
      else for (const [a, b] of from.strings) v = (v as string).split(a).join(b);
    }
    r[col] = v;
  }
  return r;
}

async function directInserts(
  ctx: SectionContext,
  kind: DbKind,
  db: Awaited<ReturnType<typeof createBenchDatabase>>,
  app: RunningApp,
  templateId: number,
  tables: string[],
  count: number,
  firstIndex: number,
): Promise<{ seconds: number }> {
  const template = await readTemplate(app.dataSource.query.bind(app.dataSource), templateId, tables);
  const customerRow = template.find((t) => t.table === 'customers')!.rows[0];
  const rnd = new Random(4321);
  const tf = { name: String(customerRow.name), email: String(customerRow.email), account: String(customerRow.account_number) };
  const firstId = templateId + 1;
  const plan = (i: number) => {
    const f = customerFields(firstIndex + i, rnd);
    return {
      id: firstId + i,
      strings: [
        [tf.email, f.email],
        [tf.name, f.name],
        [tf.account, f.accountNumber],
        // customers.search_text holds them lower-cased (CustomersRepository keeps it).
        [tf.name.toLowerCase(), f.name.toLowerCase()],
        [tf.account.toLowerCase(), f.accountNumber.toLowerCase()],
      ] as [string, string][],
    };
  };
  const q = kind === 'sqlite' ? '"' : '`';
  const insertSql = (table: string, r: Row) =>
    `INSERT INTO ${table} (${Object.keys(r)
      .map((c) => `${q}${c}${q}`)
      .join(',')}) VALUES (${Object.keys(r)
      .map(() => '?')
      .join(',')})`;
  const rowsFor = (i: number) => {
    const p = plan(i);
    return {
      p,
      build: (personId?: number) =>
        template.map((t) => ({
          table: t.table,
          rows: t.rows.map((r) => cloneRow(t.table, r, { id: templateId, strings: p.strings }, { id: p.id, personId })),
        })),
    };
  };

  const start = nowMs();
  if (kind === 'sqlite') {
    const conn: Database.Database = openSqlite(db);
    try {
      const stmts = new Map<string, Database.Statement>();
      const run = (sql: string, values: unknown[]) => {
        let s = stmts.get(sql);
        if (!s) stmts.set(sql, (s = conn.prepare(sql)));
        return s.run(values.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
      };
      const one = conn.transaction((i: number) => {
        const { build } = rowsFor(i);
        let personId: number | undefined;
        for (const t of build(undefined)) {
          for (const r of t.rows) {
            if (personId !== undefined && 'person_id' in r) r.person_id = personId;
            const res = run(insertSql(t.table, r), Object.values(r));
            if (t.table === 'people') personId = Number(res.lastInsertRowid);
          }
        }
      });
      for (let i = 0; i < count; i++) one(i);
    } finally {
      conn.close();
    }
  } else {
    const pool: mysql.Pool = openMysqlPool(db, CONCURRENCY);
    try {
      await runConcurrently(count, CONCURRENCY, async (i) => {
        const { build } = rowsFor(i);
        const conn = await pool.getConnection();
        try {
          await conn.beginTransaction();
          let personId: number | undefined;
          for (const t of build(undefined)) {
            for (const r of t.rows) {
              if (personId !== undefined && 'person_id' in r) r.person_id = personId;
              const [res] = await conn.execute(insertSql(t.table, r), Object.values(r) as never[]);
              if (t.table === 'people') personId = (res as { insertId: number }).insertId;
            }
          }
          await conn.commit();
        } catch (err) {
          await conn.rollback();
          throw err;
        } finally {
          conn.release();
        }
      });
    } finally {
      await pool.end();
    }
  }
  const seconds = (nowMs() - start) / 1000;
  ctx.log(`customers/${kind}: baseline rows per customer: ${template.map((t) => `${t.table} ${t.rows.length}`).join(', ')}`);
  return { seconds };
}
