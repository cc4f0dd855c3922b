import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { Money } from '../../src/shared/money';
import { ledgerInOrder, update } from '../factories/calls';
import { insertCustomer } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

const CUSTOMERS = 100;
const RUN_AT = '2026-11-01T05:00:00Z';

/**
 * The invoice run's guarantee with real processes: killed half way and started again, or two instances
 * at once, every customer gets exactly one invoice for October, numbers stay gapless, and every ledger row
 * is invoiced once.
 */
describe(`invoice runs in separate processes on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: number;
  const children: ChildProcess[] = [];

  function instance(): Promise<{ proc: ChildProcess; next: (event: string) => Promise<Record<string, unknown>> }> {
    const proc = fork(join(__dirname, 'invoicing-run.child.ts'), [], {
      execArgv: ['--enable-source-maps', '-r', join(__dirname, 'jobs-lease.transpile.js')],
      // The nightly run must not start by itself in the children: its time is never reached at RUN_AT.
      env: { ...process.env, DATABASE_URL: t.databaseUrl, TEST_CLOCK: 'true', RUN_AT, INVOICE_RUN_TIME: '23:59', SMTP_URL: '' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(proc);
    const queue: Array<Record<string, unknown>> = [];
    const waiting: Array<{ event: string; resolve: (m: Record<string, unknown>) => void }> = [];
    proc.on('message', (m: Record<string, unknown>) => {
      const i = waiting.findIndex((w) => w.event === m.event);
      if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
      else queue.push(m);
    });
    const next = (event: string) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const i = queue.findIndex((m) => m.event === event);
        if (i >= 0) resolve(queue.splice(i, 1)[0]);
        else waiting.push({ event, resolve });
      });
    return next('ready').then(() => ({ proc, next }));
  }

  const count = async (sql: string, params: unknown[] = []) => Number(((await t.dataSource.query(sql, params)) as Array<{ n: unknown }>)[0].n);
  const runRow = async (id: number) => ((await t.dataSource.query('SELECT * FROM invoice_runs WHERE id = ?', [id])) as Array<Record<string, unknown>>)[0];

  async function expectExactlyOnce(): Promise<void> {
    const rows = (await t.dataSource.query(
      "SELECT customer_id, COUNT(*) AS n FROM invoices WHERE issuer_customer_id = ? AND document_type = 'invoice' GROUP BY customer_id",
      [reseller],
    )) as Array<{ n: unknown }>;
    expect(rows).toHaveLength(CUSTOMERS);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const numbers = ((await t.dataSource.query('SELECT number FROM invoices WHERE issuer_customer_id = ?', [reseller])) as Array<{ number: string }>)
      .map((r) => Number(r.number.slice(4)))
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: CUSTOMERS }, (_, i) => i + 1));
    // Every October charge is on exactly one invoice, and the invoices add up to the ledger.
    expect(await count("SELECT COUNT(*) AS n FROM ledger_transactions WHERE type = 'charge' AND invoice_id IS NULL")).toBe(0);
    const totals = (await t.dataSource.query(
      "SELECT SUM(total_amount) AS invoiced FROM invoices WHERE issuer_customer_id = ? AND document_type = 'invoice'",
      [reseller],
    )) as Array<{ invoiced: unknown }>;
    expect(String(totals[0].invoiced)).toBe(String(CUSTOMERS * 1_230_000));
    expect(await ledgerInOrder(t)).toBe(true);
  }

  beforeAll(async () => {
    t = await startTestApp({ TEST_CLOCK: 'true' });
    t.clock.setNow(new Date('2026-10-10T10:00:00Z'));
    reseller = (await insertCustomer(t, 1, { reseller: true })).id;
    const billing = t.app.get(BillingApi);
    const tx = t.app.get(TransactionRunner);
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await insertCustomer(t, reseller, { billingType: 'postpaid', timezone: 'UTC' });
      await update(t, c.id, { createdAt: new Date('2026-10-01T00:00:00Z') });
      await tx.run((em) => billing.post(em, { customerId: c.id, type: 'charge', amount: Money.of('-1.23'), description: 'October charge' }));
    }
  }, 120_000);

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await t.dataSource.query('UPDATE ledger_transactions SET invoice_id = NULL');
    await t.dataSource.query('DELETE FROM invoice_lines');
    await t.dataSource.query('DELETE FROM invoices');
    await t.dataSource.query('DELETE FROM invoice_number_counters');
    await t.dataSource.query('DELETE FROM invoice_runs');
  });
  afterAll(() => t?.close());

  it('a run killed half way and started again invoices each customer once, with gapless numbers', async () => {
    const a = await instance();
    a.proc.send({ start: true });
    const { runId } = (await a.next('started')) as { runId: number };
    // Kill it once part of the customers are done (its progress is written every 25 customers).
    for (let i = 0; i < 400 && Number((await runRow(runId)).customers_done) < 25; i++) await new Promise((r) => setTimeout(r, 25));
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    const issued = await count('SELECT COUNT(*) AS n FROM invoices WHERE issuer_customer_id = ?', [reseller]);
    const issuedInAll = await count('SELECT COUNT(*) AS n FROM invoices');
    expect(issued).toBeGreaterThan(0);
    expect(issued).toBeLessThan(CUSTOMERS);
    expect((await runRow(runId)).status).toBe('running'); // the dead run says so until the next run finds it stale

    const b = await instance();
    b.proc.send({ start: true });
    const second = (await b.next('started')) as { runId: number };
    await b.next('finished');
    expect(await runRow(second.runId)).toMatchObject({ status: 'completed' });
    expect(Number((await runRow(second.runId)).failures)).toBe(0);
    // The second run made exactly what the first had not (the reseller's own invoice from the system owner included).
    expect(Number((await runRow(second.runId)).invoices_created)).toBe((await count('SELECT COUNT(*) AS n FROM invoices')) - issuedInAll);
    await expectExactlyOnce();
  }, 120_000);

  it('two instances running at once invoice each customer once, each invoice counted by one of them', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    a.proc.send({ start: true });
    b.proc.send({ start: true });
    const [ra, rb] = (await Promise.all([a.next('started'), b.next('started')])) as Array<{ runId: number }>;
    await Promise.all([a.next('finished'), b.next('finished')]);
    const [runA, runB] = await Promise.all([runRow(ra.runId), runRow(rb.runId)]);
    expect([runA.status, runB.status]).toEqual(['completed', 'completed']);
    expect([Number(runA.failures), Number(runB.failures)]).toEqual([0, 0]);
    expect(Number(runA.invoices_created) + Number(runB.invoices_created)).toBe(await count('SELECT COUNT(*) AS n FROM invoices'));
    await expectExactlyOnce();
  }, 120_000);
});
