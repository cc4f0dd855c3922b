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

  /** A customer's invoices (or credit notes), oldest period first. */
  async function invoicesOf(customerId: number, type: 'invoice' | 'credit_note' = 'invoice'): Promise<Array<Record<string, any>>> {
    const res = await t.http.get('/api/v1/invoices').query({ customerId, pageSize: 100 }).set(t.auth);
    expect(res.status).toBe(200);
    return (res.body.items as Array<Record<string, any>>)
      .filter((i) => i.type === type)
      .sort((a, b) => String(a.periodStart ?? '').localeCompare(String(b.periodStart ?? '')) || a.id - b.id);
  }

  beforeAll(async () => {
    // The system time zone is Europe/Berlin here: the nightly run starts after 02:00 Berlin time.
    t = await startTestApp({ TEST_CLOCK: 'true', TZ_SYSTEM: 'Europe/Berlin', INVOICE_RUN_TIME: '02:00' });
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
      netTotal: '7.20',
      taxTotal: '0.00',
      total: '7.20',
      paidAmount: '7.20',
      taxes: [],
    });
    expect(own.lines).toEqual([{ category: 'call', description: 'Calls to UK (3:36 min)', quantity: '3', amount: '7.20' }]);

    // The reseller (postpaid) is invoiced by the system owner for what its level was charged, and owes it.
    const [reseller] = await invoicesOf(tree.reseller.id);
    expect(reseller).toMatchObject({ issuerId: 1, status: 'due', dueDate: '2026-12-01', periodStart: '2026-10-01' });
    expect(reseller.number).toMatch(/^INV-\d{6}$/);
    expect(Number(reseller.total)).toBeGreaterThan(0);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('marks the invoiced ledger rows, and posts the rounding so that ledger and invoice agree to the cent', async () => {
    for (const customerId of [tree.customer.id, tree.reseller.id]) {
      const [invoice] = await invoicesOf(customerId);
      const rows = (await t.dataSource.query('SELECT amount FROM ledger_transactions WHERE invoice_id = ?', [invoice.id])) as Array<{
        amount: string | number;
      }>;
      const micros = rows.reduce((sum, r) => sum + BigInt(r.amount), 0n);
      expect(-micros).toBe(BigInt(String(invoice.total).replace('.', '')) * 10_000n);
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
    const all = (await Promise.all(customers.map((id) => invoicesOf(id)))).flat();
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

  it('the nightly run starts after INVOICE_RUN_TIME in the system time zone, once a day', async () => {
    const nightly = () => runs().runNightlyIfDue();
    at('2026-11-05T00:59:00Z'); // 01:59 in Berlin
    expect(await nightly()).toBeNull();
    at('2026-11-05T01:00:00Z'); // 02:00 in Berlin
    expect(await nightly()).toMatchObject({ runDate: '2026-11-05', trigger: 'schedule', status: 'completed' });
    at('2026-11-05T22:59:00Z'); // still 5 November in Berlin
    expect(await nightly()).toBeNull();
    at('2026-11-05T23:30:00Z'); // 00:30 on 6 November: before the time again
    expect(await nightly()).toBeNull();
    const list = await t.http.get('/api/v1/invoice-runs').set(t.auth);
    expect(list.body.items.filter((r: any) => r.trigger === 'schedule').map((r: any) => r.date)).toEqual(['2026-11-05']);
  });

  describe('changes by the issuer', () => {
    const balanceOf = async (customerId: number) =>
      (await t.http.get(`/api/v1/customers/${customerId}/balance`).set(t.auth)).body.balance as string;

    it('records payments against an invoice; paying all of it marks it paid; never more than is open', async () => {
      at('2026-11-03T10:00:00Z');
      const [invoice] = await invoicesOf(tree.reseller.id);
      expect(invoice.status).toBe('due');
      const before = await balanceOf(tree.reseller.id);
      const part = await t.http.post(`/api/v1/invoices/${invoice.id as number}/payments`).set(t.auth).send({ amount: '1.00', reference: 'bank 1' });
      expect(part.status).toBe(200);
      expect(part.body).toMatchObject({ status: 'due', paidAmount: '1.00' });
      const tooMuch = await t.http.post(`/api/v1/invoices/${invoice.id as number}/payments`).set(t.auth).send({ amount: invoice.total });
      expect(tooMuch.status).toBe(422);
      expect(tooMuch.body.code).toBe('credit_exceeds_invoice');
      for (const amount of ['0', '-1.00', 'abc', 5]) {
        const bad = await t.http.post(`/api/v1/invoices/${invoice.id as number}/payments`).set(t.auth).send({ amount });
        expect(bad.status).toBe(400);
      }
      // The invoiced reseller cannot mark its own invoice paid; another branch does not see it.
      const own = await t.http.patch(`/api/v1/invoices/${invoice.id as number}`).set(await login(tree.reseller.id)).send({ status: 'paid' });
      expect(own.status).toBe(403);
      const other = await callTree(t);
      expect((await t.http.patch(`/api/v1/invoices/${invoice.id as number}`).set(other.reseller.auth).send({ status: 'paid' })).status).toBe(404);

      const paid = await t.http.patch(`/api/v1/invoices/${invoice.id as number}`).set(t.auth).send({ status: 'paid' });
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ status: 'paid', paidAmount: invoice.total });
      // Both payments went to the balance: it rose by the invoice total.
      const rose = BigInt((await balanceOf(tree.reseller.id)).replace('.', '')) - BigInt(before.replace('.', ''));
      expect(rose).toBe(BigInt(String(invoice.total).replace('.', '')));
      expect(await ledgerInOrder(t)).toBe(true);
    });

    it('a payment or credit note sent again with the same Idempotency-Key is recorded once', async () => {
      at('2026-11-03T11:00:00Z');
      // The reseller's invoice (paid in full above), issued by the system owner: a refund as a credit note.
      const [invoice] = await invoicesOf(tree.reseller.id);
      const send = (amount: string) =>
        t.http.post(`/api/v1/invoices/${invoice.id as number}/credit-notes`).set(t.auth).set('Idempotency-Key', 'note-once-1').send({ amount, reason: 'Once' });
      const first = await send('0.50');
      const again = await send('0.50');
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect((await send('0.60')).status).toBe(409);
      const notes = (await invoicesOf(tree.reseller.id, 'credit_note')).filter((i) => i.lines[0]?.description === 'Once');
      expect(notes).toHaveLength(1);
      expect(await ledgerInOrder(t)).toBe(true);
    });

    it('refuses moves outside the status diagram, and changes nothing', async () => {
      const [invoice] = await invoicesOf(tree.reseller.id);
      for (const status of ['pending', 'due', 'cancelled']) {
        const res = await t.http.patch(`/api/v1/invoices/${invoice.id as number}`).set(t.auth).send({ status });
        expect(res.status).toBe(409);
        expect(res.body.code).toBe('status_change_not_allowed');
      }
      expect((await t.http.patch(`/api/v1/invoices/${invoice.id as number}`).set(t.auth).send({ status: 'sent' })).status).toBe(400);
      const [after] = await invoicesOf(tree.reseller.id);
      expect(after).toEqual(invoice);
    });

    it('corrects an invoice with credit notes, numbered in the issuer series, never for more than is left', async () => {
      const [invoice] = await invoicesOf(tree.customer.id);
      const issuer = await login(tree.reseller.id);
      const before = await balanceOf(tree.customer.id);
      const note = await t.http
        .post(`/api/v1/invoices/${invoice.id as number}/credit-notes`)
        .set(issuer)
        .send({ amount: '2.00', reason: 'Call billed twice' });
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({
        type: 'credit_note',
        number: 'INV-000002',
        creditedInvoiceId: invoice.id,
        customerId: tree.customer.id,
        total: '2.00',
        lines: [{ category: 'credit', description: 'Call billed twice', quantity: '1', amount: '2.00' }],
      });
      expect(await balanceOf(tree.customer.id)).toBe(
        String((BigInt(before.replace('.', '')) + 200n) / 100n) + '.' + String((BigInt(before.replace('.', '')) + 200n) % 100n).padStart(2, '0'),
      );
      expect((await t.http.get(`/api/v1/invoices/${invoice.id as number}`).set(issuer)).body.creditedAmount).toBe('2.00');

      const over = await t.http.post(`/api/v1/invoices/${invoice.id as number}/credit-notes`).set(issuer).send({ amount: '5.21', reason: 'x' });
      expect(over.status).toBe(422);
      expect(over.body.code).toBe('credit_exceeds_invoice');
      const decimals = await t.http.post(`/api/v1/invoices/${invoice.id as number}/credit-notes`).set(issuer).send({ amount: '1.005', reason: 'x' });
      expect(decimals.status).toBe(400);
      const ofNote = await t.http.post(`/api/v1/invoices/${note.body.id as number}/credit-notes`).set(issuer).send({ amount: '1.00', reason: 'x' });
      expect(ofNote.status).toBe(409);
      // The invoiced customer cannot credit itself.
      const self = await t.http.post(`/api/v1/invoices/${invoice.id as number}/credit-notes`).set(await login(tree.customer.id)).send({ amount: '1.00', reason: 'x' });
      expect(self.status).toBe(403);
      expect(await ledgerInOrder(t)).toBe(true);
    });

    it('crediting all of an unpaid invoice cancels it', async () => {
      at('2026-11-10T06:00:00Z');
      const fresh = await callTree(t, { customerCredit: '20.00' });
      await update(t, fresh.reseller.id, { createdAt: new Date('2026-11-01T00:00:00Z'), timezone: 'UTC' });
      const cdr = await postCdr(t, fresh.switchAuth, cdrBody(fresh.customer.id, callId(), 300, new Date('2026-11-10T05:00:00Z')));
      expect(cdr.status).toBe(201);
      at('2026-12-01T06:00:00Z');
      const run = await t.app.get(InvoiceRunsService).runNightlyIfDue();
      expect(run).toMatchObject({ trigger: 'schedule', status: 'completed' });
      const [invoice] = await invoicesOf(fresh.reseller.id);
      // Five minutes at the reseller's 0.90: 4.50, due.
      expect(invoice).toMatchObject({ periodStart: '2026-11-01', status: 'due', total: '4.50' });
      const note = await t.http.post(`/api/v1/invoices/${invoice.id as number}/credit-notes`).set(t.auth).send({ amount: '4.50', reason: 'Goodwill' });
      expect(note.status).toBe(201);
      expect((await invoicesOf(fresh.reseller.id))[0].status).toBe('cancelled');
      expect(await ledgerInOrder(t)).toBe(true);
    });
  });
});

