import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RunningApp, startApp } from '../lib/app';
import { BenchDatabase, createBenchDatabase, DbKind, openMysqlPool, openSqlite } from '../lib/databases';
import { collectGarbage, kernelPeakRssMb, mb, RssSampler } from '../lib/memory';
import { notMeasured, ResultRow, row } from '../lib/report';
import { nowMs } from '../lib/stats';
import type { SectionContext } from './context';
import { decimalToMicros, DECK_HEADER } from './deck-file';

const SECTION = 'deck';
export const IMPORT_SECONDS_TARGET = 60;
/**
 * "Memory stays flat": the import must stream. The validator keeps one short key per row for duplicate
 * detection (~45 MB per 1M rows in a compact key table, see compact-key-table.ts); anything that holds the file, all
 * parsed rows or all rows' objects would go far beyond this.
 */
export const RSS_DELTA_TARGET_MB = 300;

// prettier-ignore
const RATE_COLUMNS = [
  'deck_id', 'plan_id', 'prefix', 'destination', 'direction', 'connect_fee', 'included_seconds', 'per_minute', 'first_block',
  'increment', 'minimum_charge', 'per_message', 'days', 'start_time', 'end_time', 'priority', 'valid_from', 'valid_until',
];
const BATCH = 1000;

async function* deckRows(file: string): AsyncGenerator<string[]> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      if (line !== DECK_HEADER) throw new Error('unexpected deck header');
      header = false;
      continue;
    }
    if (line !== '') yield line.split(',');
  }
}

/** Baseline: the same rows straight into `rates` through the driver, 1,000-row INSERTs, one transaction. */
async function driverInsert(
  kind: DbKind,
  db: BenchDatabase,
  file: string,
  planId: number,
): Promise<{ seconds: number; rows: number; peakMb: number }> {
  const sampler = new RssSampler(100).start();
  const start = nowMs();
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  let count = 0;
  const values = (deckId: number, f: string[]) => [
    deckId,
    planId,
    f[0],
    f[1],
    f[8],
    decimalToMicros(f[2]),
    Number(f[3]),
    decimalToMicros(f[4]),
    Number(f[5]),
    Number(f[6]),
    decimalToMicros(f[7]),
    '0',
    null,
    null,
    null,
    0,
    null,
    null,
  ];
  const tuples = (n: number) =>
    Array(n)
      .fill(`(${RATE_COLUMNS.map(() => '?').join(',')})`)
      .join(',');
  const insertSql = (n: number) => `INSERT INTO rates (${RATE_COLUMNS.join(',')}) VALUES ${tuples(n)}`;
  if (kind === 'sqlite') {
    const conn = openSqlite(db);
    try {
      const full = conn.prepare(insertSql(BATCH));
      conn.exec('BEGIN');
      const deckId = Number(
        conn
          .prepare(
            "INSERT INTO rate_decks (plan_id, effective_from, rate_count, version, source, created_at) VALUES (?, ?, 0, 0, 'import', ?)",
          )
          .run(planId, now, now).lastInsertRowid,
      );
      let batch: unknown[] = [];
      let n = 0;
      for await (const f of deckRows(file)) {
        batch.push(...values(deckId, f));
        if (++n === BATCH) {
          full.run(batch);
          count += n;
          batch = [];
          n = 0;
        }
      }
      if (n) conn.prepare(insertSql(n)).run(batch);
      count += n;
      conn.prepare('UPDATE rate_decks SET rate_count = ? WHERE id = ?').run(count, deckId);
      conn.exec('COMMIT');
    } finally {
      conn.close();
    }
  } else {
    const pool = openMysqlPool(db, 1);
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const [res] = await conn.query(
        "INSERT INTO rate_decks (plan_id, effective_from, rate_count, version, source, created_at) VALUES (?, ?, 0, 0, 'import', ?)",
        [planId, now, now],
      );
      const deckId = (res as { insertId: number }).insertId;
      let batch: unknown[] = [];
      let n = 0;
      for await (const f of deckRows(file)) {
        batch.push(...values(deckId, f));
        if (++n === BATCH) {
          await conn.query(insertSql(BATCH), batch);
          count += n;
          batch = [];
          n = 0;
        }
      }
      if (n) await conn.query(insertSql(n), batch);
      count += n;
      await conn.query('UPDATE rate_decks SET rate_count = ? WHERE id = ?', [count, deckId]);
      await conn.commit();
    } finally {
      conn.release();
      await pool.end();
    }
  }
  const seconds = (nowMs() - start) / 1000;
  return { seconds, rows: count, peakMb: sampler.stop().peakMb };
}

interface ImportRun {
  status: number;
  body: string;
  seconds: number;
  stored: number;
  mem: ReturnType<RssSampler['stop']>;
  hwm: number | null;
  afterRssMb: number;
  afterHeapMb: number;
}

/** PUT the file to the plan's rates, sampling RSS every 100 ms; then a full GC to see what is kept. */
async function measureImport(app: RunningApp, planId: number, file: string): Promise<ImportRun> {
  collectGarbage();
  const sampler = new RssSampler(100).start();
  const start = nowMs();
  const res = await app.admin.upload('PUT', `/api/v1/rate-plans/${planId}/rates`, file, 'text/csv');
  const seconds = (nowMs() - start) / 1000;
  const mem = sampler.stop();
  const hwm = kernelPeakRssMb();
  collectGarbage();
  const after = process.memoryUsage();
  const [{ n }] = (await app.dataSource.query('SELECT COUNT(*) AS n FROM rates WHERE plan_id = ?', [planId])) as { n: number | string }[];
  return {
    status: res.status,
    body: res.body,
    seconds,
    stored: Number(n),
    mem,
    hwm,
    afterRssMb: mb(after.rss),
    afterHeapMb: mb(after.heapUsed),
  };
}

export async function runDeck(ctx: SectionContext, deckFile: string, smallDeckFile?: string): Promise<ResultRow[]> {
  const kind = ctx.dbs[0];
  const rows: ResultRow[] = [];
  const target = { op: '<' as const, limit: IMPORT_SECONDS_TARGET };

  // Baseline on a database of its own, so that the import starts on an empty `rates` table too.
  const baseDb = await createBenchDatabase(kind);
  ctx.cleanup.push(() => baseDb.drop());
  let baseline: { seconds: number; rows: number; peakMb: number };
  try {
    const app = await startApp(baseDb.url); // migrations and the first-start rows
    const planId = await planIdByName(app, 'Carrier costs');
    await app.close();
    baseline = await driverInsert(kind, baseDb, deckFile, planId);
    ctx.log(`deck/${kind}: baseline ${baseline.rows.toLocaleString()} rows in ${baseline.seconds.toFixed(1)} s`);
  } finally {
    await baseDb.drop();
    ctx.cleanup.pop();
  }

  const db = await createBenchDatabase(kind);
  ctx.cleanup.push(() => db.drop());
  try {
    const app = await startApp(db.url);
    try {
      const planId = await planIdByName(app, 'Carrier costs');
      const path = `/api/v1/rate-plans/${planId}/rates`;
      // Is the import there yet? An empty body is a bad deck (400) for a real endpoint, 404 for no route.
      const probe = await app.admin.request('PUT', path, undefined, { 'content-type': 'text/csv', 'content-length': '0' });
      if (probe.status === 404) {
        const why = `PUT ${path} (text/csv) answered 404: the import endpoint is not there yet`;
        rows.push(notMeasured(SECTION, kind, `import ${baseline.rows.toLocaleString()} rows over HTTP`, 's', target, why));
        rows.push(row(SECTION, kind, 'baseline: driver INSERTs (1,000 rows each, 1 transaction)', baseline.seconds, 's'));
        return rows;
      }

      // A tenth-size deck first (into the other plan): warms the code up and gives the memory slope.
      let small: ImportRun | null = null;
      if (smallDeckFile) {
        small = await measureImport(app, await planIdByName(app, 'Default'), smallDeckFile);
        ctx.log(
          `deck/${kind}: small deck answered ${small.status} in ${small.seconds.toFixed(1)} s, ${small.stored} rows, RSS +${small.mem.deltaMb.toFixed(0)} MB`,
        );
      }

      const run = await measureImport(app, planId, deckFile);
      ctx.log(`deck/${kind}: import answered ${run.status} in ${run.seconds.toFixed(1)} s: ${run.body.slice(0, 300)}`);
      const ok = run.status >= 200 && run.status < 300 && run.stored === baseline.rows;
      const label = `import ${baseline.rows.toLocaleString()} rows: PUT text/csv, streamed from disk`;
      if (!ok) {
        rows.push(
          notMeasured(
            SECTION,
            kind,
            label,
            's',
            target,
            `import failed: HTTP ${run.status}, ${run.stored} rows stored, body ${run.body.slice(0, 200)}`,
          ),
        );
      } else {
        rows.push(
          row(SECTION, kind, label, run.seconds, 's', {
            target,
            baseline: baseline.seconds,
            higherIsBetter: false,
            note: 'baseline = the same rows inserted through the driver, 1,000-row INSERTs in one transaction (no validation)',
          }),
        );
        rows.push(row(SECTION, kind, '  import rows/s', baseline.rows / run.seconds, '/s', { baseline: baseline.rows / baseline.seconds }));
      }
      const m = run.mem;
      rows.push(
        row(SECTION, kind, 'peak RSS during import (100 ms samples)', m.peakMb, 'MB', {
          note: `start ${m.startMb.toFixed(0)} MB, ${m.samples} samples; kernel VmHWM of the process ${run.hwm?.toFixed(0) ?? '?'} MB`,
        }),
      );
      rows.push(
        row(SECTION, kind, 'RSS growth over start (peak - start)', m.deltaMb, 'MB', {
          target: { op: '<', limit: RSS_DELTA_TARGET_MB },
          higherIsBetter: false,
        }),
      );
      if (small) {
        const smallRows = small.stored;
        rows.push(row(SECTION, kind, `  same for a ${smallRows.toLocaleString()}-row deck`, small.mem.deltaMb, 'MB'));
        const slope = ((m.deltaMb - small.mem.deltaMb) * 1024 * 1024) / Math.max(1, baseline.rows - smallRows);
        rows.push(row(SECTION, kind, '  RSS growth per extra row (flat = 0)', slope, 'B/row'));
      }
      rows.push(row(SECTION, kind, '  JS heap used: peak - start', m.peakHeapMb - m.startHeapMb, 'MB'));
      rows.push(
        row(SECTION, kind, '  after the import and a full GC: RSS - start', run.afterRssMb - m.startMb, 'MB', {
          note: `JS heap after GC - start: ${(run.afterHeapMb - m.startHeapMb).toFixed(0)} MB (what the app keeps)`,
        }),
      );
      rows.push(row(SECTION, kind, 'baseline: peak RSS during the driver insert', baseline.peakMb, 'MB'));
      return rows;
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
    ctx.cleanup.pop();
  }
}

async function planIdByName(app: RunningApp, name: string): Promise<number> {
  const found = (await app.dataSource.query('SELECT id FROM rate_plans WHERE name = ?', [name])) as { id: number }[];
  if (!found.length) throw new Error(`no "${name}" plan: did the first-start bootstrap change?`);
  return Number(found[0].id);
}
