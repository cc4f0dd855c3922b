import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { callId, callTree, cdrBody, ledgerInOrder, postCdr, update, type CallTree } from '../factories/calls';
import { insertPerson } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/**
 * The invoice run end to end: periods ended in each customer's zone, lines from the ledger, numbers per
 * issuer, one invoice per customer and period however often and however concurrently it runs.
 */
describe(`invoice runs on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let tree: CallTree;

  const at = (iso: string) => t.clock.setNow(new Date(iso));
  const runs = () => t.app.get(InvoiceRunsService);

  async function runAndWait(body: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await t.http.post('/api/v1/invoice-runs').set(t.auth).send(body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'running', trigger: 'manual' });
    await runs().idle();
    const done = await t.http.get(`/api/v1/invoice-runs/${res.body.id as number}`).set(t.auth);
    expect(done.status).toBe(200);
    return done.body;
  }

  /** A fresh login (sessions expire as the test clock moves on). */
  const login = (customerId: number) => insertPerson(t, customerId, { username: `inv-${customerId}-${Date.now()}`, displayName: 'Admin' });

  async function invoicesOf(customerId: number): Promise<Array<Record<string, any>>> {
    const res = await t.http.get('/api/v1/invoices').query({ customerId, pageSize: 100 }).set(t.auth);
    expect(res.status).toBe(200);
    return (res.body.items as Array<Record<string, any>>).sort((a, b) => a.periodStart.localeCompare(b.periodStart));
  }

  beforeAll(async () => {
    t = await startTestApp({ TEST_CLOCK: 'true' });
    at('2026-10-01T08:00:00Z');
    tree = await callTree(t, { customerCredit: '100.00' });
    const created = new Date('2026-10-01T08:00:00Z');
    for (const id of [tree.reseller.id, tree.customer.id]) await update(t, id, { createdAt: created, timezone: 'UTC' });
    // Three UK calls in October: 61 s, 30 s and 125 s at 1.20/min, 60/60 (2.40 + 1.20 + 3.60 = 7.20).
    at('2026-10-15T12:00:00Z');
    for (const seconds of [61, 30, 125]) {
      const cdr = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), seconds, new Date('2026-10-15T10:00:00Z')));
      expect(cdr.status).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('issues nothing before the period has ended', async () => {
    at('2026-10-31T20:00:00Z');
    const run = await runAndWait();
    expect(run).toMatchObject({ status: 'completed', invoicesCreated: 0, failures: 0 });
    expect(await invoicesOf(tree.customer.id)).toEqual([]);
  });

  it("invoices the ended month from the ledger: calls per destination, numbers per issuer, status by billing type", async () => {
    at('2026-11-01T03:00:00Z');
    const run = await runAndWait();
    expect(run).toMatchObject({ status: 'completed', failures: 0, error: null });
    expect(run.invoicesCreated).toBeGreaterThanOrEqual(2);
    expect(run.customersDone).toBe(run.customersTotal);

    const [own] = await invoicesOf(tree.customer.id);
    expect(own).toMatchObject({
      type: 'invoice',
      number: 'INV-000001',
      customerId: tree.customer.id,
      issuerId: tree.reseller.id,
      periodStart: '2026-10-01',
      periodEnd: '2026-11-01',
      issueDate: '2026-11-01',
      dueDate: null,
      currency: 'EUR',
      // Prepaid: the calls were paid from the balance as they happened.
      status: 'prepaid',
      amount: '7.20',
      paidAmount: '7.20',
    });
    expect(own.lines).toEqual([{ category: 'call', description: 'Calls to UK (3:36 min)', quantity: '3', amount: '7.20' }]);

    // The reseller (postpaid) is invoiced by the system owner for what its level was charged, and owes it.
    const [reseller] = await invoicesOf(tree.reseller.id);
    expect(reseller).toMatchObject({ issuerId: 1, status: 'due', dueDate: '2026-12-01', periodStart: '2026-10-01' });
    expect(reseller.number).toMatch(/^INV-\d{6}$/);
    expect(Number(reseller.amount)).toBeGreaterThan(0);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('marks the invoiced ledger rows, and posts the rounding so that ledger and invoice agree to the cent', async () => {
    for (const customerId of [tree.customer.id, tree.reseller.id]) {
      const [invoice] = await invoicesOf(customerId);
      const rows = (await t.dataSource.query('SELECT amount FROM ledger_transactions WHERE invoice_id = ?', [invoice.id])) as Array<{
        amount: string | number;
      }>;
      const micros = rows.reduce((sum, r) => sum + BigInt(r.amount), 0n);
      expect(-micros).toBe(BigInt(Math.round(Number(invoice.amount) * 100)) * 10_000n);
    }
  });

  it('a second run the same day issues nothing more', async () => {
    const before = await invoicesOf(tree.customer.id);
    const run = await runAndWait();
    expect(run).toMatchObject({ status: 'completed', invoicesCreated: 0, failures: 0 });
    expect(await invoicesOf(tree.customer.id)).toEqual(before);
  });

  it("waits for the end of the period in the customer's own time zone, and catches up missed periods", async () => {
    at('2026-11-01T04:00:00Z');
    const ny = await callTree(t, { customer: { timezone: 'America/New_York' } });
    await update(t, ny.customer.id, { createdAt: new Date('2026-08-10T16:00:00Z') });
    await update(t, ny.reseller.id, { createdAt: new Date('2026-11-01T04:00:00Z') });
    // 00:00 on 1 November in New York is 04:00 UTC; at 03:59 UTC October is not over there.
    at('2026-11-01T03:59:00Z');
    await runAndWait();
    expect((await invoicesOf(ny.customer.id)).map((i) => i.periodStart)).toEqual(['2026-08-01', '2026-09-01']);
    at('2026-11-01T04:00:00Z');
    await runAndWait();
    expect((await invoicesOf(ny.customer.id)).map((i) => i.periodStart)).toEqual(['2026-08-01', '2026-09-01', '2026-10-01']);
    // The reseller is new this month: nothing yet.
    expect(await invoicesOf(ny.reseller.id)).toEqual([]);
  });

  it('two runs at once still issue one invoice per customer and period, with gapless numbers', async () => {
    const customers: number[] = [];
    at('2026-11-02T05:00:00Z');
    const extra = await callTree(t);
    for (let i = 0; i < 6; i++) {
      const res = await t.http
        .post('/api/v1/customers')
        .set(extra.reseller.auth)
        .send({ type: 'normal', name: `Run race ${i}`, email: `race${i}@example.com`, billingType: 'postpaid', timezone: 'UTC', ratePlanId: extra.customerPlanId });
      expect(res.body).toMatchObject({ id: expect.any(Number) });
      customers.push(res.body.id as number);
      await update(t, res.body.id as number, { createdAt: new Date('2026-09-05T00:00:00Z') });
    }
    const invoiceCount = async () => Number(((await t.dataSource.query('SELECT COUNT(*) AS n FROM invoices')) as Array<{ n: unknown }>)[0].n);
    const before = await invoiceCount();
    const started = await Promise.all([
      t.http.post('/api/v1/invoice-runs').set(t.auth).send({}),
      t.http.post('/api/v1/invoice-runs').set(t.auth).send({}),
    ]);
    await runs().idle();
    const finished = await Promise.all(started.map((r) => t.http.get(`/api/v1/invoice-runs/${r.body.id as number}`).set(t.auth)));
    // Each invoice was counted by the one run that made it.
    expect(finished.map((r) => r.body.status)).toEqual(['completed', 'completed']);
    expect(finished[0].body.invoicesCreated + finished[1].body.invoicesCreated).toBe((await invoiceCount()) - before);
    const all = (await Promise.all(customers.map(invoicesOf))).flat();
    // September and October for each, exactly once.
    expect(all).toHaveLength(customers.length * 2);
    const keys = all.map((i) => `${i.customerId}:${i.periodStart}`);
    expect(new Set(keys).size).toBe(keys.length);
    const numbers = all.map((i) => Number(String(i.number).slice(4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, k) => k + 1));
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('refuses a future date, and runs are for administrators of the system owner only', async () => {
    at('2026-11-02T05:00:00Z');
    const count = async () => Number(((await t.dataSource.query('SELECT COUNT(*) AS n FROM invoice_runs')) as Array<{ n: unknown }>)[0].n);
    const before = await count();
    const future = await t.http.post('/api/v1/invoice-runs').set(t.auth).send({ date: '2026-11-03' });
    expect(future.status).toBe(400);
    expect(future.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'date' }] });
    for (const date of ['2026-02-30', '02.11.2026', 20261102]) {
      const bad = await t.http.post('/api/v1/invoice-runs').set(t.auth).send({ date });
      expect(bad.status).toBe(400);
    }
    const reseller = await login(tree.reseller.id);
    const asReseller = await t.http.post('/api/v1/invoice-runs').set(reseller).send({});
    expect(asReseller.status).toBe(403);
    expect((await t.http.get('/api/v1/invoice-runs').set(reseller)).status).toBe(403);
    expect(await count()).toBe(before);
  });

  it("shows a branch its own invoices and its customers', and nobody else's (404)", async () => {
    const [own] = await invoicesOf(tree.customer.id);
    const other = await callTree(t);
    expect((await t.http.get(`/api/v1/invoices/${own.id as number}`).set(await login(tree.reseller.id))).status).toBe(200);
    expect((await t.http.get(`/api/v1/invoices/${own.id as number}`).set(other.reseller.auth)).status).toBe(404);
    const mine = await t.http.get('/api/v1/invoices').set(await login(tree.customer.id));
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: any) => i.id)).toEqual([own.id]);
    expect((await t.http.get('/api/v1/invoices').query({ customerId: tree.customer.id }).set(other.reseller.auth)).status).toBe(404);
    const list = await t.http.get('/api/v1/invoices').query({ status: 'nonsense' }).set(t.auth);
    expect(list.status).toBe(400);
    expect(await t.dataSource.getRepository(CustomerEntity).count()).toBeGreaterThan(0);
  });
});
