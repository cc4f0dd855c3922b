/**
 * `invoicing`: the monthly invoice run (issue #11's performance item). N postpaid customers under one
 * reseller, each with M calls in October 2026 (calls, call_levels and ledger_transactions written straight
 * through the driver), the test clock at 2026-11-01T05:00Z; then, in this process, the real app's
 * InvoiceRunsService runs for 2026-11-01: every invoice issued, and its PDF and UBL XML rendered and kept.
 * Then the kept documents are downloaded through InvoiceDocumentsService. The baseline is pdfkit alone:
 * renderInvoicePdf(finaliseInvoice(draft)) on the same invoices' drafts, built beforehand. See
 * BENCHMARKS.md, "invoicing".
 */
import type Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Session } from 'node:inspector';
import { DataSource } from 'typeorm';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { CustomerDirectory } from '../../src/shared/customer-directory';
import { Clock } from '../../src/shared/clock';
import { finaliseInvoice } from '../../src/modules/invoicing/domain/invoice-totals';
import { renderInvoicePdf } from '../../src/modules/invoicing/domain/invoice-pdf';
import { renderUblInvoice } from '../../src/modules/invoicing/domain/ubl-invoice';
import type { InvoiceDraft } from '../../src/modules/invoicing/domain/invoice-document';
import { issuedDocumentDraft, type StoredParty } from '../../src/modules/invoicing/domain/issued-document';
import { InvoiceDocumentsService } from '../../src/modules/invoicing/invoice-documents.service';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { InvoicesRepository } from '../../src/modules/invoicing/invoices.repository';
import { INVOICING_CONFIG, type InvoicingConfig } from '../../src/modules/invoicing/invoicing.config';
import { startApp, type RunningApp } from '../lib/app';
import { createBenchDatabase, openMysqlPool, openSqlite, type BenchDatabase, type DbKind } from '../lib/databases';
import { collectGarbage, kernelPeakRssMb, RssSampler } from '../lib/memory';
import { Random } from '../lib/random';
import { ResultRow, row } from '../lib/report';
import { CpuMeter, mariadbPid } from '../lib/proc-cpu';
import { nowMs } from '../lib/stats';
import type { SectionContext } from './context';

const SECTION = 'invoicing';
export const INVOICES_PER_SECOND_TARGET = 100;
export const PEAK_RSS_TARGET_MB = 500;
const RESELLER_ID = 1_000;
const CUSTOMER_ID_BASE = 10_000;
/** Customers whose rows go in one multi-row INSERT per table (x calls each). */
const CHUNK_CUSTOMERS = 10;
/** Documents rendered at once (the service reads the invoice, lines and customer, then renders). */
const RENDER_CONCURRENCY = 4;
/** Drafts rendered with DejaVu embedded for the comparison row (~50 ms each). */
const UNICODE_SAMPLE = 100;
const PERIOD_START = Date.UTC(2026, 9, 1);
const PERIOD_END = Date.UTC(2026, 10, 1);
const RUN_CLOCK = new Date('2026-11-01T05:00:00Z');
const RUN_DATE = '2026-11-01';
const CREATED_AT = '2026-10-01 00:00:00.000';

/** 50 destinations with a per-minute price in micros (prices give sub-cent call amounts: the run's rounding adjustment is exercised). */
const DESTINATIONS = Array.from({ length: 50 }, (_, i) => ({
  name: `Destination ${String(i + 1).padStart(2, '0')} ${['Mobile', 'Fixed', 'Premium', 'Special', 'Satellite'][i % 5]}`,
  perMinuteMicros: 7_300 + i * 5_911,
}));

interface Driver {
  kind: DbKind;
  exec(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

function openDriver(db: BenchDatabase, connections: number): Driver {
  if (db.kind === 'mysql') {
    const pool: mysql.Pool = openMysqlPool(db, connections);
    return {
      kind: 'mysql',
      exec: async (sql, params = []) => (await pool.query(sql, params))[0] as Array<Record<string, unknown>>,
      close: () => pool.end(),
    };
  }
  const conn: Database.Database = openSqlite(db);
  return {
    kind: 'sqlite',
    exec: (sql, params = []) => {
      const s = conn.prepare(sql);
      return Promise.resolve(s.reader ? (s.all(params) as Array<Record<string, unknown>>) : (s.run(params), []));
    },
    close: () => Promise.resolve(void conn.close()),
  };
}

export async function runInvoicing(ctx: SectionContext): Promise<ResultRow[]> {
  const kind = ctx.dbs[0];
  const customers = Number(process.env.BENCH_INVOICING_CUSTOMERS) || (ctx.quick ? 500 : 10_000);
  const callsEach = Number(process.env.BENCH_INVOICING_CALLS) || 100;
  const rows: ResultRow[] = [];
  const db = await createBenchDatabase(kind);
  ctx.cleanup.push(() => db.drop());
  let app: RunningApp | null = null;
  let driver: Driver | null = null;
  try {
    // INVOICE_RUN_CHECK_SECONDS: the invoicing jobs (nightly run check, recurring fees) tick once at the start
    // (no customers yet) and not again during the measurement: the recurring-fees job re-reads every customer
    // on each tick (~12 statements per customer), which competed with the run in the first full-size
    // measurement. BENCH_INVOICING_JOBS=on keeps the default 60 s tick.
    Object.assign(process.env, {
      TEST_CLOCK: 'true',
      INVOICE_RUN_TIME: '23:59',
      TZ_SYSTEM: 'UTC',
      ...(process.env.BENCH_INVOICING_JOBS === 'on' ? {} : { INVOICE_RUN_CHECK_SECONDS: '86400' }),
    });
    app = await startApp(db.url);
    app.app.get(Clock).setNow(RUN_CLOCK);
    driver = openDriver(db, 2);

    // --- Data, straight through the driver.
    const t0 = nowMs();
    const loaded = await loadData(driver, customers, callsEach);
    await driver.close();
    driver = null;
    ctx.log(
      `${kind}: ${customers.toLocaleString()} customers x ${callsEach} calls (${loaded.calls.toLocaleString()} calls, levels and ledger rows) written in ${((nowMs() - t0) / 1000).toFixed(1)} s`,
    );
    const result = await measure(ctx, app, kind, customers, callsEach, loaded);
    rows.push(...result);
  } finally {
    if (driver) await driver.close();
    if (app) await app.close();
    await db.drop();
    ctx.cleanup.pop();
  }
  return rows;
}

interface Loaded {
  calls: number;
  /** Sum of the call charges written (micros, positive). */
  chargedMicros: bigint;
}

const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

async function loadData(driver: Driver, n: number, m: number): Promise<Loaded> {
  const [owner] = await driver.exec('SELECT * FROM customers WHERE id = 1');
  const [plan] = await driver.exec("SELECT id FROM rate_plans WHERE name = 'Default' ORDER BY id LIMIT 1");
  const planId = plan ? Number(plan.id) : (owner.rate_plan_id as number | null);
  const currency = String(owner.currency);
  const customerRow = (fields: Record<string, unknown>): Record<string, unknown> => {
    const r: Record<string, unknown> = { ...owner, ...fields };
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'boolean') r[k] = Number(v);
      else if (v instanceof Date) r[k] = sqlTime(v.getTime());
    }
    return r;
  };
  const common = {
    timezone: 'UTC',
    billing_type: 'postpaid',
    send_invoices: 0,
    rate_plan_id: planId,
    prefix: null,
    search_text: null,
    search_unindexed: 1,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    deleted_at: null,
  };
  const customerRows = [
    customerRow({
      ...common,
      id: RESELLER_ID,
      parent_id: 1,
      path: `/1/${RESELLER_ID}/`,
      depth: 1,
      name: 'Invoicing Reseller',
      email: 'billing@reseller.example.com',
      account_number: `R${RESELLER_ID}`,
      reseller: 1,
    }),
  ];
  for (let i = 1; i <= n; i++) {
    const id = CUSTOMER_ID_BASE + i;
    customerRows.push(
      customerRow({
        ...common,
        id,
        parent_id: RESELLER_ID,
        path: `/1/${RESELLER_ID}/${id}/`,
        depth: 2,
        name: `Customer ${id} Ltd`,
        email: `accounts${id}@customer.example.com`,
        account_number: `C${id}`,
        reseller: 0,
      }),
    );
  }
  const qc = driver.kind === 'sqlite' ? '"' : '`';
  const cols = Object.keys(customerRows[0]);
  for (let i = 0; i < customerRows.length; i += 500) {
    const chunk = customerRows.slice(i, i + 500);
    await driver.exec(
      `INSERT INTO customers (${cols.map((c) => `${qc}${c}${qc}`).join(', ')}) VALUES ${chunk.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ')}`,
      chunk.flatMap((r) => cols.map((c) => r[c])),
    );
  }

  // Calls, their customer level and the ledger row, CHUNK_CUSTOMERS customers per statement, two chunks in flight on MariaDB.
  const rnd = new Random(20261101);
  let callId = 0;
  let charged = 0n;
  const span = PERIOD_END - PERIOD_START - 3 * 3_600_000;
  type Chunk = { calls: string[]; levels: string[]; ledger: string[]; balances: string[] };
  const flush = async (c: Chunk) => {
    if (!c.calls.length) return void (await driver.exec(`INSERT INTO balances (customer_id, balance, updated_at) VALUES ${c.balances.join(',')}`));
    await driver.exec(
      'INSERT INTO calls (id, customer_id, call_ref, switch_customer_id, direction, caller, called, status, authorized_at, started_at, answered_at, ended_at, duration, created_at, updated_at) VALUES ' +
        c.calls.join(','),
    );
    await driver.exec(`INSERT INTO call_levels (call_id, customer_id, depth, kind, counted, reserved, amount, currency, destination) VALUES ${c.levels.join(',')}`);
    await driver.exec(`INSERT INTO ledger_transactions (customer_id, type, amount, currency, description, call_id, created_at) VALUES ${c.ledger.join(',')}`);
    await driver.exec(`INSERT INTO balances (customer_id, balance, updated_at) VALUES ${c.balances.join(',')}`);
  };
  const inFlight = new Set<Promise<void>>();
  const all: Array<Promise<void>> = [];
  for (let first = 1; first <= n + 1; first += CHUNK_CUSTOMERS) {
    const c: Chunk = { calls: [], levels: [], ledger: [], balances: [] };
    for (let i = first; i < first + CHUNK_CUSTOMERS && i <= n + 1; i++) {
      if (i === n + 1) {
        c.balances.push(`(${RESELLER_ID}, 0, '${CREATED_AT}')`);
        continue;
      }
      const customerId = CUSTOMER_ID_BASE + i;
      let balance = 0;
      for (let k = 0; k < m; k++) {
        const id = ++callId;
        const dest = DESTINATIONS[rnd.int(0, DESTINATIONS.length - 1)];
        const duration = rnd.int(1, 1800);
        const started = PERIOD_START + Math.floor(rnd.next() * span);
        const answered = started + rnd.int(1, 20) * 1000;
        const ended = answered + duration * 1000;
        const amount = Math.round((dest.perMinuteMicros * duration) / 60);
        balance -= amount;
        const s = sqlTime(started);
        const e = sqlTime(ended);
        c.calls.push(
          `(${id}, ${customerId}, 'inv-${id}', ${RESELLER_ID}, 'outbound', '4930${customerId}', '44${2000000000 + id}', 'ended', '${s}', '${s}', '${sqlTime(answered)}', '${e}', ${duration}, '${s}', '${e}')`,
        );
        c.levels.push(`(${id}, ${customerId}, 0, 'charge', 0, 0, ${amount}, '${currency}', '${dest.name}')`);
        c.ledger.push(`(${customerId}, 'call', ${-amount}, '${currency}', 'Call to 44${2000000000 + id}', ${id}, '${e}')`);
      }
      charged += BigInt(-balance);
      c.balances.push(`(${customerId}, ${balance}, '${CREATED_AT}')`);
    }
    if (driver.kind === 'sqlite') {
      await driver.exec('BEGIN');
      await flush(c);
      await driver.exec('COMMIT');
    } else {
      const p = flush(c).finally(() => inFlight.delete(p));
      inFlight.add(p);
      all.push(p);
      if (inFlight.size >= 2) await Promise.race(inFlight);
    }
  }
  await Promise.all(all);
  if (driver.kind === 'mysql') await driver.exec('ANALYZE TABLE ledger_transactions, calls, call_levels, customers');
  else await driver.exec('ANALYZE');
  return { calls: callId, chargedMicros: charged };
}

async function mapConcurrently<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function measure(ctx: SectionContext, app: RunningApp, kind: DbKind, n: number, m: number, loaded: Loaded): Promise<ResultRow[]> {
  const ds = app.app.get(DataSource);
  const runs = app.app.get(InvoiceRunsService);
  const documents = app.app.get(InvoiceDocumentsService);
  const profile = process.env.BENCH_PROFILE_DIR ? await startProfile() : null;

  // --- The run: every invoice issued and its PDF and XML rendered and kept (InvoiceDocumentsService.archiveIssued
  // after each invoice's transaction), memory sampled throughout.
  collectGarbage();
  // The kernel's high-water mark is reset here (clear_refs 5), so VmHWM afterwards is the peak of the run and
  // the downloads alone; the 100 ms sampler misses peaks when the event loop is busy (on SQLite the driver is
  // synchronous and the run never yields to timers).
  const hwmReset = resetKernelPeak();
  const sampler = new RssSampler(100).start();
  const statementsBefore = app.queries.count;
  const cpu = new CpuMeter({ app: process.pid, mariadb: kind === 'mysql' ? mariadbPid() : null });
  const loadBefore = loadavg()[0];
  cpu.start();
  const tRun = nowMs();
  const started = await runs.start(RUN_DATE, null);
  await runs.idle();
  const runSeconds = (nowMs() - tRun) / 1000;
  const runCpu = cpu.stop();
  const loadAfter = loadavg()[0];
  const runStatements = app.queries.count - statementsBefore;
  const run = await runs.get(started.id);
  if (run.status !== 'completed' || run.failures) throw new Error(`invoice run ${run.status}, ${run.failures} failures: ${run.error}`);
  const allIds = ((await ds.query('SELECT id FROM invoices ORDER BY id')) as Array<{ id: unknown }>).map((r) => Number(r.id));
  // Downloads of the kept documents (what a customer's download and the email attachment do): all at
  // --quick, a sample of 1,000 spread over the run at full size; BENCH_INVOICING_DOCUMENTS=k chooses (0 = all).
  const wanted = process.env.BENCH_INVOICING_DOCUMENTS !== undefined ? Number(process.env.BENCH_INVOICING_DOCUMENTS) : ctx.quick ? 0 : 1_000;
  const sampleSize = Math.min(allIds.length, wanted || allIds.length);
  const ids = sampleSize === allIds.length ? allIds : Array.from({ length: sampleSize }, (_, i) => allIds[Math.floor((i * allIds.length) / sampleSize)]);
  let pdfBytes = 0;
  let xmlBytes = 0;
  const tDownload = nowMs();
  await mapConcurrently(ids, RENDER_CONCURRENCY, async (id) => {
    // Awaited first, then added: `total += await x` would read the total before the await and lose updates.
    const pdf = await documents.render(id, 'pdf');
    const xml = await documents.render(id, 'xml');
    pdfBytes += pdf!.body.length;
    xmlBytes += xml!.body.length;
  });
  const downloadSeconds = (nowMs() - tDownload) / 1000;
  const mem = sampler.stop();
  const hwm = kernelPeakRssMb();
  const peakMb = Math.max(mem.peakMb, hwmReset && hwm !== null ? hwm : 0);
  if (profile) await stopProfile(profile, `${process.env.BENCH_PROFILE_DIR}/invoicing-${kind}.cpuprofile`, ctx);

  // --- Checks: one invoice per customer (and the reseller) with both documents kept, the invoices sum to the ledger, balances = ledger.
  const q1 = async (sql: string): Promise<Record<string, unknown>> => ((await ds.query(sql)) as Array<Record<string, unknown>>)[0];
  const inv = await q1(
    "SELECT COUNT(*) AS n, COUNT(DISTINCT customer_id) AS customers, SUM(total_amount) AS total FROM invoices WHERE document_type = 'invoice'",
  );
  const kept = await q1("SELECT COUNT(*) AS n, COUNT(DISTINCT invoice_id) AS invoices FROM invoice_documents");
  const ledger = await q1('SELECT SUM(amount) AS total, SUM(CASE WHEN invoice_id IS NULL THEN 1 ELSE 0 END) AS open FROM ledger_transactions WHERE type IN (\'call\', \'adjustment\')');
  const differences = await app.app.get(BillingApi).verifyLedger(ds.manager);
  const expectedInvoices = n + 1;
  const invoiceSum = BigInt(String(inv.total));
  const ledgerSum = -BigInt(String(ledger.total));
  const problems: string[] = [];
  if (Number(inv.n) !== expectedInvoices || Number(inv.customers) !== expectedInvoices)
    problems.push(`${String(inv.n)} invoices for ${String(inv.customers)} customers, expected ${expectedInvoices} (N customers + the reseller)`);
  if (Number(kept.n) !== 2 * expectedInvoices || Number(kept.invoices) !== expectedInvoices)
    problems.push(`${String(kept.n)} documents kept for ${String(kept.invoices)} invoices, expected a PDF and an XML for each of ${expectedInvoices}`);
  if (invoiceSum !== ledgerSum) problems.push(`invoices sum to ${invoiceSum} micros, the ledger to ${ledgerSum}`);
  if (Number(ledger.open)) problems.push(`${String(ledger.open)} call ledger rows not marked invoiced`);
  if (differences.length) problems.push(`verify-ledger: ${differences.length} balances differ from their ledger`);
  const roundingMicros = invoiceSum - loaded.chargedMicros;
  ctx.log(
    `${kind}: run incl. documents ${runSeconds.toFixed(1)} s (${run.invoicesCreated} invoices); downloads of ${ids.length} PDF + XML ${downloadSeconds.toFixed(1)} s; checks ${problems.length ? problems.join('; ') : 'ok'}`,
  );

  // --- Baselines: pdfkit alone on the same documents, one after the other (drafts built from the kept
  // invoices as the documents service builds them; not timed); the same with the customer's name in
  // Polish, which makes every document embed DejaVu Sans (the path of any text outside WinAnsi).
  collectGarbage();
  const count = allIds.length;
  const drafts = await buildDrafts(app, ids);
  const scale = count / ids.length;
  const tAlone = nowMs();
  let aloneBytes = 0;
  for (const d of drafts) aloneBytes += (await renderInvoicePdf(finaliseInvoice(d))).length;

  const aloneSeconds = ((nowMs() - tAlone) / 1000) * scale;
  const tUbl = nowMs();
  for (const d of drafts) renderUblInvoice(finaliseInvoice(d));
  const ublSeconds = ((nowMs() - tUbl) / 1000) * scale;
  const unicodeDrafts = drafts.slice(0, UNICODE_SAMPLE).map((d) => ({ ...d, customer: { ...d.customer, name: `Łódź ${d.customer.name}` } }));
  const tUnicode = nowMs();
  let unicodeBytes = 0;
  for (const d of unicodeDrafts) unicodeBytes += (await renderInvoicePdf(finaliseInvoice(d))).length;
  const unicodeSeconds = (nowMs() - tUnicode) / 1000;

  const sampled = ids.length === count ? '' : ` (downloads and baselines on a sample of ${ids.length}, every ${scale.toFixed(1)}th invoice; baselines scaled to all)`;
  const size = `${n.toLocaleString()} customers x ${m} calls (${loaded.calls.toLocaleString()} CDRs) + the reseller = ${count.toLocaleString()} invoices${sampled}`;
  const r = (metric: string, value: number | null, unit: string, opts: Parameters<typeof row>[5] = {}) => row(SECTION, kind, metric, value, unit, opts);
  return [
    r('whole run incl. PDF + XML', count / runSeconds, 'invoices/s', {
      target: { op: '>=', limit: INVOICES_PER_SECOND_TARGET },
      baseline: count / aloneSeconds,
      note:
        `${size}; ${runSeconds.toFixed(1)} s: InvoiceRunsService.start + idle, every invoice issued and its PDF and XML rendered and kept; ` +
        `${(runStatements / count).toFixed(1)} SQL statements per invoice; rounding adjustments ${roundingMicros} micros in all; ` +
        `CPU per invoice: this process ${perInvoice(runCpu.app, count)}, MariaDB ${perInvoice(runCpu.mariadb, count)} ` +
        `(what the run needs of the machine's 2 cores whatever else runs; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after). ` +
        `Baseline: pdfkit alone, renderInvoicePdf(finaliseInvoice(draft)) on the same drafts, one after the other`,
    }),
    r('whole run incl. PDF + XML, time', runSeconds, 's', {
      baseline: aloneSeconds,
      higherIsBetter: false,
      note: `ratio = pdfkit alone / whole run (the run takes ${(runSeconds / aloneSeconds).toFixed(2)}x the time pdfkit alone takes for the PDFs)`,
    }),
    r('download kept PDF + XML (service)', ids.length / downloadSeconds, 'invoices/s', {
      note: `InvoiceDocumentsService.render(id, 'pdf') then (id, 'xml'), ${RENDER_CONCURRENCY} invoices in flight: the download and email path; ${(pdfBytes / ids.length / 1024).toFixed(1)} KB per PDF, ${(xmlBytes / ids.length / 1024).toFixed(1)} KB per XML`,
    }),
    r('pdfkit alone', count / aloneSeconds, 'docs/s', {
      note: `${aloneSeconds.toFixed(1)} s for ${count} PDFs (${(aloneBytes / ids.length / 1024).toFixed(1)} KB each; the documents' text is WinAnsi, so standard fonts)`,
    }),
    r('renderUblInvoice alone', count / ublSeconds, 'docs/s'),
    r('pdfkit alone, DejaVu embedded', unicodeDrafts.length / unicodeSeconds, 'docs/s', {
      note: `${unicodeDrafts.length} of the same drafts with "Łódź" in the customer's name (any text outside WinAnsi embeds DejaVu Sans): ${(unicodeBytes / unicodeDrafts.length / 1024).toFixed(1)} KB each`,
    }),
    r('peak RSS (run + documents)', peakMb, 'MB', {
      target: { op: '<', limit: PEAK_RSS_TARGET_MB },
      note:
        `the larger of the kernel's VmHWM of the process ${hwm === null ? 'n/a' : `${hwm.toFixed(0)} MB`} ` +
        `(${hwmReset ? 'reset through /proc/self/clear_refs just before the run: the peak of the run and the downloads' : 'could not be reset: the whole life of the process, data load included'}) ` +
        `and process.memoryUsage().rss sampled every 100 ms (${mem.peakMb.toFixed(0)} MB, ${mem.samples} samples); ` +
        `${mem.startMb.toFixed(0)} MB at the start (the app after loading the data and a full GC), peak heap ${mem.peakHeapMb.toFixed(0)} MB`,
    }),
    r('checks: problems', problems.length, '', {
      target: { op: '<', limit: 1 },
      note: problems.length
        ? problems.join('; ')
        : `one invoice per customer (${count}) with its PDF and XML kept, sum of invoices = -(sum of the call and rounding ledger rows) = ${invoiceSum} micros, every call row marked, verify-ledger clean`,
    }),
  ];
}

const perInvoice = (ms: number | null, count: number): string => (ms === null ? 'n/a' : `${(ms / count).toFixed(2)} ms`);

/** Resets the kernel's peak RSS (VmHWM) of this process; false where /proc/self/clear_refs is not writable. */
function resetKernelPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function buildDrafts(app: RunningApp, ids: number[]): Promise<InvoiceDraft[]> {
  const ds = app.app.get(DataSource);
  const em = ds.manager;
  const repo = app.app.get(InvoicesRepository);
  const directory = app.app.get(CustomerDirectory, { strict: false });
  const config = app.app.get<symbol, InvoicingConfig>(INVOICING_CONFIG, { strict: false });
  const drafts: InvoiceDraft[] = [];
  for (const id of ids) {
    const invoice = (await repo.findInvoice(em, id))!;
    const [lines, customer] = await Promise.all([repo.lines(em, id), directory.find(em, invoice.customerId)]);
    const parties = JSON.parse(invoice.parties) as { issuer: StoredParty; customer: StoredParty };
    if (invoice.detail !== 'summary') throw new Error(`invoice ${id} has detail ${invoice.detail}; the baseline builds summary drafts only`);
    drafts.push(
      issuedDocumentDraft(
        {
          documentType: invoice.documentType,
          number: invoice.number,
          issueDate: invoice.issueDate,
          dueDate: invoice.dueDate,
          periodStart: invoice.periodStart,
          periodEnd: invoice.periodEnd,
          currency: invoice.currency,
          detail: invoice.detail,
          total: invoice.totalAmount,
          settledAtIssue: invoice.status === 'prepaid' || (invoice.status === 'paid' && invoice.dueDate === null),
          lines,
          parties,
          credited: null,
        },
        {},
        customer?.timezone ?? 'UTC',
        config.defaultCountry,
      ),
    );
  }
  return drafts;
}

async function startProfile(): Promise<Session> {
  const s = new Session();
  s.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  return s;
}

async function stopProfile(s: Session, file: string, ctx: SectionContext): Promise<void> {
  const res = await new Promise<{ profile: object }>((resolve, reject) =>
    s.post('Profiler.stop', (err, r) => (err ? reject(err) : resolve(r as { profile: object }))),
  );
  writeFileSync(file, JSON.stringify(res.profile));
  s.disconnect();
  ctx.log(`CPU profile written to ${file}`);
}
