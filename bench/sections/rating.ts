import type Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import { buildPrefixIndex, PrefixIndex } from '../../src/modules/rate-plans/domain/prefix-index';
import { priceCall } from '../../src/modules/rate-plans/domain/price-call';
import { RateDefinition } from '../../src/modules/rate-plans/domain/rate';
import { selectRate } from '../../src/modules/rate-plans/domain/rate-selection';
import { Money } from '../../src/shared/money';
import { BenchDatabase, createBenchDatabase, DbKind, openMysqlPool, openSqlite } from '../lib/databases';
import { collectGarbage } from '../lib/memory';
import { destinationName, generateNumbers, generatePrefixes } from '../lib/prefixes';
import { Random } from '../lib/random';
import { ResultRow, row } from '../lib/report';
import { nowMs, opsPerSecond } from '../lib/stats';
import type { SectionContext } from './context';

const SECTION = 'rating';
export const LOOKUP_TARGET = 200_000;
const TIME_ZONE = 'Europe/Berlin';

/** The rate pools: decks repeat a few hundred distinct prices, and sharing Money objects keeps the heap honest. */
function moneyPool(rnd: Random, n: number, maxMicros: number): Money[] {
  return Array.from({ length: n }, () => Money.fromMicros(rnd.int(0, maxMicros)));
}

const BILLING = [
  { firstBlock: 1, increment: 1 },
  { firstBlock: 30, increment: 6 },
  { firstBlock: 60, increment: 60 },
  { firstBlock: 60, increment: 1 },
];

export function buildRates(prefixes: readonly string[], seed = 99): RateDefinition[] {
  const rnd = new Random(seed);
  const perMinute = moneyPool(rnd, 500, 900_000);
  const connect = moneyPool(rnd, 20, 50_000);
  return prefixes.map((prefix) => {
    const billing = BILLING[rnd.int(0, BILLING.length - 1)];
    return {
      prefix,
      destination: destinationName(prefix),
      direction: 'outbound',
      connectFee: rnd.next() < 0.7 ? Money.ZERO : rnd.pick(connect),
      includedSeconds: 0,
      perMinute: rnd.pick(perMinute),
      firstBlock: billing.firstBlock,
      increment: billing.increment,
      minimumCharge: Money.ZERO,
      perMessage: Money.ZERO,
      days: null,
      startTime: null,
      endTime: null,
      priority: rnd.next() < 0.05 ? 1 : 0,
      validFrom: null,
      validUntil: null,
    };
  });
}

/** Call start times spread over a week, so the time-zone conversion of selectRate is not cached away. */
function callTimes(count: number): Date[] {
  const rnd = new Random(5);
  const base = Date.UTC(2026, 10, 23);
  return Array.from({ length: count }, () => new Date(base + rnd.int(0, 7 * 86_400_000)));
}

export async function runRating(ctx: SectionContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const deckSize = ctx.quick ? 200_000 : 1_000_000;
  let t = nowMs();
  const prefixes = generatePrefixes(deckSize);
  const numbers = generateNumbers(prefixes, 200_000);
  const times = callTimes(4096);
  ctx.log(`rating: ${prefixes.length.toLocaleString()} prefixes generated in ${((nowMs() - t) / 1000).toFixed(1)} s`);

  t = nowMs();
  const rates = buildRates(prefixes);
  const index = buildPrefixIndex(rates);
  const buildSeconds = (nowMs() - t) / 1000;
  rows.push(row(SECTION, 'memory', `build ${deckSize.toLocaleString()} rate objects + PrefixIndex`, buildSeconds, 's'));

  // In process: longest prefix + rate selection, as the call path does it.
  const found = inProcessLookups(index, numbers, times, ctx.quick ? 1000 : 3000);
  const lookupOnly = opsPerSecond(ctx.quick ? 500 : 1500, (it) =>
    chunk(numbers.length, it, (i) => {
      index.matches(numbers[i]);
    }),
  );

  // The app's own rate cache (rate-index-cache.ts): what a call's rating really runs per plan level.
  const appCache = await appCacheLookups(ctx, rates, numbers, times);

  // Price calculation on the selected rates.
  const selected = numbers.map((n, i) => selectRate(index.matches(n), times[i & 4095], TIME_ZONE, 'outbound')).filter((r) => r !== null);
  const rnd = new Random(11);
  const durations = Array.from({ length: 4096 }, () => rnd.int(1, 1800));
  let sink = 0;
  const pricing = opsPerSecond(ctx.quick ? 500 : 2000, (it) =>
    chunk(selected.length, it, (i) => {
      sink += priceCall(selected[i], durations[i & 4095], true, 4).isZero() ? 0 : 1;
    }),
  );
  if (sink < 0) ctx.log('unreachable');

  // The common way: one SQL query per number on an indexed prefix column, on each database.
  const sql: Record<string, { perSecond: number; concurrent?: number; loadSeconds: number; agree: number }> = {};
  for (const kind of ctx.dbs) {
    sql[kind] = await sqlLookups(ctx, kind, rates, numbers, index, times);
  }

  const lookupTarget = { op: '>=' as const, limit: LOOKUP_TARGET };
  if (ctx.dbs.length === 0) {
    rows.push(row(SECTION, 'memory', 'lookup + selectRate, in process', found.perSecond, '/s', { target: lookupTarget }));
  }
  for (const kind of ctx.dbs) {
    const r = sql[kind];
    rows.push(
      row(SECTION, kind, 'lookup + selectRate in process (baseline: 1 SQL query per number)', found.perSecond, '/s', {
        target: lookupTarget,
        baseline: r.perSecond,
        note: `baseline = indexed SQL lookup, one query at a time; ${r.agree.toFixed(1)}% of sampled numbers got the same prefix both ways`,
      }),
    );
    if (r.concurrent !== undefined) {
      rows.push(row(SECTION, kind, 'SQL lookup, 8 queries in flight (8 connections)', r.concurrent, '/s'));
    }
    rows.push(row(SECTION, kind, `load ${deckSize.toLocaleString()} rows + index (driver, batches)`, r.loadSeconds, 's'));
  }
  rows.push(row(SECTION, 'memory', 'PrefixIndex.matches only (no selectRate)', lookupOnly.perSecond, '/s'));
  rows.push(
    appCache.perSecond === null
      ? row(SECTION, 'memory', 'app rate cache: CompactDeck.candidates + selectRate', null, '/s', { note: appCache.note })
      : row(SECTION, 'memory', 'app rate cache: CompactDeck.candidates + selectRate', appCache.perSecond, '/s', {
          target: { op: '>=', limit: LOOKUP_TARGET },
          note: `the path RatingService takes per plan level (src/modules/rate-plans/rate-index-cache.ts); ${appCache.note}`,
        }),
  );
  rows.push(row(SECTION, 'memory', `numbers with a rate (of ${numbers.length.toLocaleString()})`, found.matched, ''));
  rows.push(row(SECTION, 'memory', 'priceCall', pricing.perSecond, '/s'));
  return rows;
}

interface CompactDeckLike {
  add(raw: Record<string, unknown>): void;
  seal(): void;
  candidates(number: string, direction: 'outbound' | 'inbound'): RateDefinition[][];
}

/**
 * Loaded at run time by path so that the bench still builds if that in-progress file changes shape;
 * a missing or different class is reported as not measured.
 */
async function appCacheLookups(
  ctx: SectionContext,
  rates: RateDefinition[],
  numbers: string[],
  times: Date[],
): Promise<{ perSecond: number | null; note: string }> {
  let CompactDeck: new (deckId: number, capacity: number) => CompactDeckLike;
  try {
    const modulePath = '../../src/modules/rate-plans/rate-index-cache.js';
    CompactDeck = ((await import(modulePath)) as { CompactDeck: typeof CompactDeck }).CompactDeck;
    if (typeof CompactDeck !== 'function') throw new Error('no CompactDeck export');
  } catch (err) {
    return { perSecond: null, note: `rate-index-cache.ts not usable: ${(err as Error).message}` };
  }
  const t = nowMs();
  const deck = new CompactDeck(1, rates.length);
  rates.forEach((r, i) =>
    deck.add({
      id: i + 1,
      deck_id: 1,
      plan_id: 1,
      prefix: r.prefix,
      destination: r.destination,
      direction: r.direction,
      connect_fee: r.connectFee.toMicros(),
      included_seconds: r.includedSeconds,
      per_minute: r.perMinute.toMicros(),
      first_block: r.firstBlock,
      increment: r.increment,
      minimum_charge: r.minimumCharge.toMicros(),
      per_message: r.perMessage.toMicros(),
      days: r.days,
      start_time: r.startTime,
      end_time: r.endTime,
      priority: r.priority,
      valid_from: null,
      valid_until: null,
    }),
  );
  deck.seal();
  const build = (nowMs() - t) / 1000;
  collectGarbage();
  const r = opsPerSecond(ctx.quick ? 1000 : 3000, (it) =>
    chunk(numbers.length, it, (i) => {
      selectRate(deck.candidates(numbers[i], 'outbound'), times[i & 4095], TIME_ZONE, 'outbound');
    }),
  );
  return { perSecond: r.perSecond, note: `deck built from ${rates.length.toLocaleString()} rows in ${build.toFixed(1)} s` };
}

const CHUNK = 10_000;

/** Runs `fn` over the `iteration`-th chunk of 0..length-1 (wrapping); returns the chunk size. */
function chunk(length: number, iteration: number, fn: (i: number) => void): number {
  const from = (iteration * CHUNK) % length;
  const to = Math.min(length, from + CHUNK);
  for (let i = from; i < to; i++) fn(i);
  return to - from;
}

function inProcessLookups(index: PrefixIndex<RateDefinition>, numbers: string[], times: Date[], minMs: number) {
  let matched = 0;
  for (let i = 0; i < numbers.length; i++) if (selectRate(index.matches(numbers[i]), times[i & 4095], TIME_ZONE, 'outbound')) matched++;
  collectGarbage();
  const r = opsPerSecond(minMs, (it) =>
    chunk(numbers.length, it, (i) => {
      selectRate(index.matches(numbers[i]), times[i & 4095], TIME_ZONE, 'outbound');
    }),
  );
  return { perSecond: r.perSecond, matched };
}

/** All prefixes of a number, shortest first: what the IN list of the common query holds. */
function prefixesOf(number: string, max = 12): string[] {
  const out: string[] = [];
  for (let l = 1; l <= Math.min(max, number.length); l++) out.push(number.slice(0, l));
  return out;
}

const lookupSql = (n: number) =>
  `SELECT id, prefix, destination, per_minute, connect_fee FROM bench_lookup_rates WHERE prefix IN (${Array(n).fill('?').join(',')}) ` +
  'ORDER BY LENGTH(prefix) DESC, priority DESC LIMIT 1';

const TABLE_DDL = (kind: DbKind) =>
  `CREATE TABLE bench_lookup_rates (
     id ${kind === 'sqlite' ? 'INTEGER PRIMARY KEY' : 'INT AUTO_INCREMENT PRIMARY KEY'},
     prefix VARCHAR(20) NOT NULL,
     destination VARCHAR(100) NOT NULL,
     priority INT NOT NULL,
     connect_fee BIGINT NOT NULL,
     per_minute BIGINT NOT NULL,
     first_block INT NOT NULL,
     increment INT NOT NULL
   )`;

const rowValues = (r: RateDefinition) => [
  r.prefix,
  r.destination,
  r.priority,
  r.connectFee.toMicros(),
  r.perMinute.toMicros(),
  r.firstBlock,
  r.increment,
];
const INSERT_HEAD =
  'INSERT INTO bench_lookup_rates (prefix, destination, priority, connect_fee, per_minute, first_block, increment) VALUES ';

async function sqlLookups(
  ctx: SectionContext,
  kind: DbKind,
  rates: RateDefinition[],
  numbers: string[],
  index: PrefixIndex<RateDefinition>,
  times: Date[],
): Promise<{ perSecond: number; concurrent?: number; loadSeconds: number; agree: number }> {
  const db: BenchDatabase = await createBenchDatabase(kind);
  ctx.cleanup.push(() => db.drop());
  try {
    const expected = (n: string, i: number) => selectRate(index.matches(n), times[i & 4095], TIME_ZONE, 'outbound')?.prefix ?? null;
    const sample = numbers.slice(0, 2000);
    if (kind === 'sqlite') {
      const conn = openSqlite(db);
      try {
        const t = nowMs();
        conn.exec(TABLE_DDL(kind));
        const batch = 500; // SQLite's default limit is 32766 variables per statement
        const stmt = conn.prepare(INSERT_HEAD + Array(batch).fill('(?,?,?,?,?,?,?)').join(','));
        conn.transaction(() => {
          for (let i = 0; i + batch <= rates.length; i += batch) stmt.run(rates.slice(i, i + batch).flatMap(rowValues));
          const rest = rates.length % batch;
          if (rest) conn.prepare(INSERT_HEAD + Array(rest).fill('(?,?,?,?,?,?,?)').join(',')).run(rates.slice(-rest).flatMap(rowValues));
        })();
        conn.exec('CREATE INDEX idx_bench_lookup_prefix ON bench_lookup_rates (prefix)');
        conn.exec('ANALYZE');
        const loadSeconds = (nowMs() - t) / 1000;
        ctx.log(`rating: sqlite table loaded in ${loadSeconds.toFixed(1)} s`);
        const stmts = new Map<number, Database.Statement>();
        const lookup = (n: string) => {
          const ps = prefixesOf(n);
          let s = stmts.get(ps.length);
          if (!s) stmts.set(ps.length, (s = conn.prepare(lookupSql(ps.length))));
          return s.get(ps) as { prefix: string } | undefined;
        };
        const agree = (sample.filter((n, i) => (lookup(n)?.prefix ?? null) === expected(n, i)).length / sample.length) * 100;
        const plan = conn.prepare(`EXPLAIN QUERY PLAN ${lookupSql(12)}`).all(prefixesOf('491701234567')) as { detail: string }[];
        ctx.log(`rating: sqlite plan: ${plan.map((p) => p.detail).join(' | ')}`);
        let i = 0;
        const r = opsPerSecond(ctx.quick ? 1000 : 3000, () => {
          for (let k = 0; k < 1000; k++) lookup(numbers[i++ % numbers.length]);
          return 1000;
        });
        return { perSecond: r.perSecond, loadSeconds, agree };
      } finally {
        conn.close();
      }
    }
    const pool: mysql.Pool = openMysqlPool(db, 8);
    try {
      const t = nowMs();
      await pool.query(TABLE_DDL(kind));
      const batch = 1000;
      const conn = await pool.getConnection();
      try {
        await conn.beginTransaction();
        for (let i = 0; i < rates.length; i += batch) {
          const chunk = rates.slice(i, i + batch);
          await conn.query(INSERT_HEAD + chunk.map(() => '(?,?,?,?,?,?,?)').join(','), chunk.flatMap(rowValues));
        }
        await conn.commit();
        await conn.query('CREATE INDEX idx_bench_lookup_prefix ON bench_lookup_rates (prefix)');
        await conn.query('ANALYZE TABLE bench_lookup_rates');
      } finally {
        conn.release();
      }
      const loadSeconds = (nowMs() - t) / 1000;
      ctx.log(`rating: mysql table loaded in ${loadSeconds.toFixed(1)} s`);
      const lookup = async (n: string) => {
        const ps = prefixesOf(n);
        const [res] = await pool.execute(lookupSql(ps.length), ps);
        return (res as { prefix: string }[])[0];
      };
      let agreeCount = 0;
      for (let k = 0; k < sample.length; k++) if (((await lookup(sample[k]))?.prefix ?? null) === expected(sample[k], k)) agreeCount++;
      const [plan] = await pool.query(`EXPLAIN ${lookupSql(12)}`, prefixesOf('491701234567'));
      ctx.log(`rating: mysql plan: ${JSON.stringify(plan)}`);
      const budget = ctx.quick ? 1000 : 3000;
      // Sequential: one connection, one query at a time, like a call handler awaiting its rate.
      let i = 0;
      let done = 0;
      let start = nowMs();
      while (nowMs() - start < budget) {
        await lookup(numbers[i++ % numbers.length]);
        done++;
      }
      const perSecond = (done / (nowMs() - start)) * 1000;
      // Eight at a time over the pool, as concurrent calls would.
      done = 0;
      start = nowMs();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (nowMs() - start < budget) {
            await lookup(numbers[i++ % numbers.length]);
            done++;
          }
        }),
      );
      const concurrent = (done / (nowMs() - start)) * 1000;
      return { perSecond, concurrent, loadSeconds, agree: (agreeCount / sample.length) * 100 };
    } finally {
      await pool.end();
    }
  } finally {
    await db.drop();
    ctx.cleanup.pop();
  }
}
