/**
 * Performance benchmark: `npm run bench [-- rating|deck|customers|calls|invoicing ...] [--db=sqlite|mysql|both] [--quick]`.
 *
 * Prints, per section, each figure with its target, the baseline measured in the same run and the
 * ratio, and writes everything to bench-results/<timestamp>.json. See BENCHMARKS.md.
 *
 * Each part runs in a child process of its own (started with --expose-gc), so that memory figures
 * (peak RSS of the rate-deck import) are not inflated by another part's data.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { DbKind, MYSQL_SERVER_URL } from './lib/databases';
import { machineInfo } from './lib/machine';
import { formatTable, ResultRow } from './lib/report';
import { loadAverage } from './lib/stats';
import type { SectionContext } from './sections/context';

const SECTIONS = ['rating', 'deck', 'customers', 'calls', 'invoicing'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  sections: Section[];
  dbs: DbKind[];
  /** Whether --db was given (the invoicing section measures MariaDB only unless it was). */
  dbGiven: boolean;
  quick: boolean;
}

interface ChildSpec {
  section: Section;
  dbs: DbKind[];
  quick: boolean;
  workDir: string;
  deckFile?: string;
  smallDeckFile?: string;
}

type ChildMessage = { rows: ResultRow[] } | { error: string };

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write('usage: npm run bench -- [rating] [deck] [customers] [calls] [invoicing] [--db=sqlite|mysql|both] [--quick]\n');
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const sections: Section[] = [];
  let dbs: DbKind[] = ['sqlite', 'mysql'];
  let quick = false;
  let dbGiven = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg.startsWith('--db=')) {
      dbGiven = true;
      const v = arg.slice(5);
      if (v === 'both') dbs = ['sqlite', 'mysql'];
      else if (v === 'sqlite' || v === 'mysql') dbs = [v];
      else usage(`unknown database ${JSON.stringify(v)}`);
    } else if ((SECTIONS as readonly string[]).includes(arg)) sections.push(arg as Section);
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { sections: sections.length ? [...new Set(sections)] : [...SECTIONS], dbs, dbGiven, quick };
}

async function mysqlReachable(): Promise<boolean> {
  try {
    const u = new URL(MYSQL_SERVER_URL);
    const c = await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: u.username || 'root',
      password: u.password,
    });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** Runs one part in a child process and returns its rows. */
function runChild(spec: ChildSpec): Promise<ResultRow[]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child', JSON.stringify(spec)], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', NODE_ENV: 'production' },
    });
    let result: ChildMessage | null = null;
    child.on('message', (m: ChildMessage) => (result = m));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result && 'rows' in result) resolve(result.rows);
      else reject(new Error(result && 'error' in result ? result.error : `child exited with ${signal ?? code}`));
    });
  });
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.dbs.includes('mysql') && !(await mysqlReachable())) {
    process.stderr.write(
      `MariaDB is not reachable at ${MYSQL_SERVER_URL}: measuring SQLite only (set BENCH_MYSQL_URL to point elsewhere)\n`,
    );
    opts.dbs = opts.dbs.filter((d) => d !== 'mysql');
  }
  const machine = await machineInfo();
  const started = new Date();
  const loadAtStart = loadAverage();
  process.stdout.write(
    `VoIP billing benchmark ${started.toISOString()}${opts.quick ? ' (QUICK: smaller sizes, not comparable to the targets)' : ''}\n` +
      `machine: ${machine.cpuModel}, ${machine.cores} cores, memory ${machine.memory}; node ${machine.node}; ` +
      `SQLite ${machine.sqlite}; MariaDB ${machine.mariadb ?? 'n/a'}\n` +
      `sections: ${opts.sections.join(', ')}; databases: ${opts.dbs.join(', ') || 'none'}; load average (1 min) ${loadAtStart}\n\n`,
  );

  const workDir = mkdtempSync(join(tmpdir(), 'billing-bench-work-'));
  const all: ResultRow[] = [];
  const failures: string[] = [];
  const tables: string[] = [];
  try {
    for (const section of opts.sections) {
      const rows: ResultRow[] = [];
      const base = { section, quick: opts.quick, workDir };
      const t = Date.now();
      try {
        if (section === 'rating') {
          rows.push(...(await runChild({ ...base, dbs: opts.dbs })));
        } else {
          let deckFile: string | undefined;
          let smallDeckFile: string | undefined;
          if (section === 'deck') {
            const { writeDeckFile } = await import('./sections/deck-file.js');
            deckFile = join(workDir, 'deck.csv');
            const info = await writeDeckFile(deckFile, opts.quick ? 100_000 : 1_000_000);
            process.stdout.write(
              `deck: ${info.rows.toLocaleString()} rows, ${(info.bytes / 2 ** 20).toFixed(1)} MB written in ${info.seconds.toFixed(1)} s\n`,
            );
            if (!opts.quick) {
              smallDeckFile = join(workDir, 'deck-small.csv');
              await writeDeckFile(smallDeckFile, 100_000, 5);
            }
          }
          // The invoicing section's figure is a MariaDB one (issue #11); SQLite too only when --db asks for it.
          const dbs = section === 'invoicing' && !opts.dbGiven && opts.dbs.includes('mysql') ? (['mysql'] as DbKind[]) : opts.dbs;
          for (const db of dbs) {
            try {
              rows.push(...(await runChild({ ...base, dbs: [db], deckFile, smallDeckFile })));
            } catch (err) {
              failures.push(`${section} on ${db}: ${(err as Error).message}`);
            }
          }
        }
      } catch (err) {
        failures.push(`${section}: ${(err as Error).message}`);
      }
      const table = formatTable(`${section} (${((Date.now() - t) / 1000).toFixed(0)} s)`, rows);
      tables.push(table);
      process.stdout.write(`\n${table}\n\n`);
      all.push(...rows);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  const seconds = (Date.now() - started.getTime()) / 1000;
  const loadAtEnd = loadAverage();
  process.stdout.write(
    `\n${'='.repeat(100)}\nSUMMARY (${seconds.toFixed(0)} s; load average ${loadAtStart} at start, ${loadAtEnd} at the end: other work on the machine lowers the figures)\n\n${tables.join('\n\n')}\n`,
  );
  if (failures.length) process.stdout.write(`\nERRORS:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  const fails = all.filter((r) => r.status === 'FAIL');
  process.stdout.write(
    `\n${all.filter((r) => r.status === 'PASS').length} targets met, ${fails.length} missed, ${all.filter((r) => r.status === 'NOT MEASURED').length} not measured\n`,
  );

  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().replace(/[:]/g, '-').replace(/\..+/, '')}Z.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        startedAt: started.toISOString(),
        seconds,
        loadAverage: { start: loadAtStart, end: loadAtEnd },
        options: opts,
        machine,
        results: all,
        errors: failures,
      },
      null,
      2,
    ) + '\n',
  );
  process.stdout.write(`results written to ${file}\n`);
  if (failures.length) process.exitCode = 1;
}

async function child(spec: ChildSpec): Promise<void> {
  const cleanup: Array<() => Promise<void>> = [];
  const ctx: SectionContext = {
    quick: spec.quick,
    dbs: spec.dbs,
    workDir: spec.workDir,
    log: (m) => process.stdout.write(`  ${m}\n`),
    cleanup,
  };
  const onSignal = () => {
    void Promise.allSettled(cleanup.map((c) => c())).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    let rows: ResultRow[];
    // Loaded here, not at the top: the app's modules read the environment when they load.
    if (spec.section === 'rating') rows = await (await import('./sections/rating.js')).runRating(ctx);
    else if (spec.section === 'deck') rows = await (await import('./sections/deck.js')).runDeck(ctx, spec.deckFile!, spec.smallDeckFile);
    else if (spec.section === 'calls') rows = await (await import('./sections/calls.js')).runCalls(ctx);
    else if (spec.section === 'invoicing') rows = await (await import('./sections/invoicing.js')).runInvoicing(ctx);
    else rows = await (await import('./sections/customers.js')).runCustomers(ctx);
    report({ rows });
  } catch (err) {
    await Promise.allSettled(cleanup.map((c) => c()));
    report({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  // The app may leave timers (schedulers, pools) behind; the child's work is done.
  setTimeout(() => process.exit(0), 200).unref();
  if (process.connected) process.disconnect();
}

/** To the parent; or, when a part is run by hand (e.g. under --cpu-prof), as a table on stdout. */
function report(message: ChildMessage): void {
  if (process.send) process.send(message);
  else if ('rows' in message) process.stdout.write(`${formatTable('result', message.rows)}\n`);
  else process.stderr.write(`${message.error}\n`);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  child(JSON.parse(process.argv[childIndex + 1]) as ChildSpec).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
