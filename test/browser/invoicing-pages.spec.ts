import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { InvoiceRunEntity } from '../../src/modules/invoicing/entities/invoice-run.entity';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { callId, callTree, cdrBody, ledgerInOrder, postCdr, update, type CallTree } from '../factories/calls';
import { unique } from '../factories/customers';
import { insertPerson } from '../factories/rows';
import { ADMIN_PASSWORD, ADMIN_USERNAME, loginHeader, startTestApp, TestApp } from '../helpers/app';
import { describeBrowser, launchBrowser, listenLocally, OUT } from '../helpers/browser';
import { testDatabaseKind } from '../helpers/database';

/**
 * The invoicing pages in Chromium: an invoice run started from its page and followed to the end, the
 * invoices list and its filters, an invoice's page with its status change (a refused move shown inline),
 * payment and credit-note forms, the invoiced customer's read-only view, and another branch's invoice
 * (404). Data as in test/e2e/invoicing-runs.spec.ts: calls in January 2027, invoices on 2 February.
 */
describeBrowser(`browser: invoicing pages on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let tree: CallTree;
  let other: CallTree;

  /** Moves the clock, and logs the administrator's token in again (it would have expired). */
  async function at(iso: string): Promise<void> {
    t.clock.setNow(new Date(iso));
    Object.assign(t.auth, await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD));
  }
  const RESELLER = 'North & Sons Telecom';
  const CUSTOMER = 'Acme <Calls> Ltd';

  async function api(path: string, query: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const res = await t.http.get(path).query(query).set(t.auth);
    expect(res.status).toBe(200);
    return res.body as Record<string, any>;
  }
  /** A customer's invoices (not its credit notes). */
  const invoicesOf = async (customerId: number): Promise<Array<Record<string, any>>> =>
    ((await api('/api/v1/invoices', { customerId, pageSize: 100 })).items as Array<Record<string, any>>).filter(
      (i) => i.type === 'invoice',
    );

  async function login(p: Page, username: string, password: string): Promise<void> {
    await p.goto(`${base}/login`);
    await p.getByLabel('Username').fill(username);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL(`${base}/`);
  }

  /** A person of `customerId` who logs in through the page. */
  async function personOf(customerId: number): Promise<{ username: string; password: string }> {
    const person = { username: unique('inv-page-'), password: 'a-long-password-1' };
    await insertPerson(t, customerId, person);
    return person;
  }

  async function noOverflow(p: Page, what: string): Promise<void> {
    const overflow = await p.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect({ what, overflow }).toEqual({ what, overflow: 0 });
  }

  beforeAll(async () => {
    // The nightly run stays away (23:59): the runs here are the ones the test starts.
    t = await startTestApp({ TEST_CLOCK: 'true', INVOICE_RUN_TIME: '23:59' });
    base = await listenLocally(t);
    // The dates are after today's real date, or Chromium would drop the session cookies as expired (their
    // expiry is the application clock's); the administrator logs in again after each move of the clock.
    await at('2027-01-15T12:00:00Z');
    tree = await callTree(t, { customerCredit: '100.00' });
    for (const id of [tree.reseller.id, tree.customer.id])
      await update(t, id, { createdAt: new Date('2027-01-01T08:00:00Z'), timezone: 'UTC' });
    await update(t, tree.reseller.id, { name: RESELLER, addressCity: 'Leeds', addressCountry: 'GB' });
    await update(t, tree.customer.id, { name: CUSTOMER });
    // Three UK calls in January (7.20 for the customer, less for its reseller).
    for (const seconds of [61, 30, 125]) {
      const cdr = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), seconds, new Date('2027-01-15T10:00:00Z')));
      expect(cdr.status).toBe(201);
    }
    // Another branch, invoiced by the same run.
    other = await callTree(t);
    await update(t, other.reseller.id, { createdAt: new Date('2027-01-01T08:00:00Z'), timezone: 'UTC' });
    // The clock stays here from now on.
    await at('2027-02-02T10:00:00Z');
    ({ browser, page } = await launchBrowser());
    await login(page, ADMIN_USERNAME, ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('runs invoices from the page: a future date is refused inline, then the run is followed to completed', async () => {
    await page.goto(`${base}/invoice-runs`);
    await expect(page.getByRole('link', { name: 'Invoice runs' }).isVisible()).resolves.toBe(true);
    const date = page.getByLabel('Invoice periods ended by');
    await expect(date.inputValue()).resolves.toBe('2027-02-02');
    await date.fill('2027-02-03');
    const refused = page.waitForResponse((r) => r.url() === `${base}/invoice-runs` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Run invoices now' }).click();
    expect((await refused).status()).toBe(400);
    await expect(page.locator('#f-date-help .error-text').innerText()).resolves.toMatch(
      /^Must not be after today \(2027-02-02 in the system time zone\)/,
    );
    await expect(page.getByLabel('Invoice periods ended by').inputValue()).resolves.toBe('2027-02-03');
    expect(await t.dataSource.getRepository(InvoiceRunEntity).count()).toBe(0);

    await page.getByLabel('Invoice periods ended by').fill('');
    await page.getByRole('button', { name: 'Run invoices now' }).click();
    await page.waitForURL(/\/invoice-runs\/\d+$/);
    await expect(page.locator('.flash-ok').innerText()).resolves.toMatch(/Invoice run #\d+ for 2027-02-02 started/);
    await page.locator('[data-run-status="completed"]').waitFor();
    await t.app.get(InvoiceRunsService).idle();
    const runId = Number(new URL(page.url()).pathname.split('/').pop());
    const run = await api(`/api/v1/invoice-runs/${runId}`);
    expect(run).toMatchObject({ status: 'completed', failures: 0 });
    expect(run.invoicesCreated).toBeGreaterThanOrEqual(3);
    await expect(page.locator('[data-field="status"]').innerText()).resolves.toBe('Completed');
    await expect(page.locator('.tile [data-field="invoicesCreated"]').innerText()).resolves.toBe(String(run.invoicesCreated));
    await expect(page.locator('[data-field="customersDone"]').innerText()).resolves.toBe(String(run.customersTotal));
    await page.screenshot({ path: join(OUT, 'invoice-run.png'), fullPage: true });

    // The history lists it with its counts.
    await page.goto(`${base}/invoice-runs`);
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect(row.locator('[data-field="invoicesCreated"]').innerText()).resolves.toBe(String(run.invoicesCreated));
    await expect(row.locator('progress').getAttribute('value')).resolves.toBe(String(run.customersTotal));
    await noOverflow(page, 'invoice runs');
    await page.screenshot({ path: join(OUT, 'invoice-runs.png'), fullPage: true });
  });

  it('refreshes a running run by itself until it has finished', async () => {
    const runs = t.dataSource.getRepository(InvoiceRunEntity);
    const now = t.clock.now();
    const { identifiers } = await runs.insert({
      runDate: '2027-02-02',
      status: 'running',
      trigger: 'schedule',
      startedByPersonId: null,
      customersTotal: 40,
      customersDone: 10,
      invoicesCreated: 3,
      invoicesExisting: 0,
      failures: 0,
      error: null,
      startedAt: now,
      heartbeatAt: now,
      finishedAt: null,
    });
    const id = Number(identifiers[0].id);
    await page.goto(`${base}/invoice-runs`);
    const row = page.locator(`tr[data-run-id="${id}"]`);
    await expect(row.locator('[data-field="status"]').innerText()).resolves.toBe('Running');
    await expect(row.locator('[data-field="customersDone"]').innerText()).resolves.toBe('10');
    await runs.update({ id }, { customersDone: 25, invoicesCreated: 7 });
    await row.locator('[data-field="customersDone"]', { hasText: '25' }).waitFor();
    await expect(row.locator('progress').evaluate((p) => (p as unknown as { value: number }).value)).resolves.toBe(25);
    await runs.update({ id }, { status: 'failed', customersDone: 30, failures: 1, error: 'customer 99: boom', finishedAt: now });
    await page.locator(`tr[data-run-id="${id}"][data-run-status="failed"]`).waitFor();
    await expect(row.locator('[data-field="status"]').innerText()).resolves.toBe('Failed');
    await expect(row.locator('[data-field="error"]').innerText()).resolves.toBe('customer 99: boom');
    await expect(row.locator('[data-field="finishedAt"]').innerText()).resolves.toBe(
      `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    );
  });

  it('lists the invoices with filters by customer, status and period, and links to their documents', async () => {
    const [own] = await invoicesOf(tree.customer.id);
    const [resellers] = await invoicesOf(tree.reseller.id);
    await page.goto(`${base}/invoices`);
    await noOverflow(page, 'invoices');
    await page.screenshot({ path: join(OUT, 'invoices.png'), fullPage: true });
    const rows = page.locator('#invoices tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(3);

    await page.getByLabel('Customer').selectOption(String(tree.customer.id));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/customerId=/);
    await expect(rows.count()).resolves.toBe(1);
    const first = rows.first();
    await expect(first.getByRole('link', { name: own.number }).getAttribute('href')).resolves.toBe(`/invoices/${own.id}`);
    await expect(first.getByRole('link', { name: CUSTOMER }).getAttribute('href')).resolves.toBe(`/customers/${tree.customer.id}`);
    await expect(first.innerText()).resolves.toContain('2027-01-01 – 2027-01-31');
    await expect(first.innerText()).resolves.toContain('7.20 EUR');
    await expect(first.locator('.badge').innerText()).resolves.toBe('Prepaid');
    await expect(first.getByRole('link', { name: 'PDF' }).getAttribute('href')).resolves.toBe(`/invoices/${own.id}/pdf`);
    await expect(first.getByRole('link', { name: 'XML' }).getAttribute('href')).resolves.toBe(`/invoices/${own.id}/xml`);

    await page.getByLabel('Customer').selectOption('');
    await page.getByLabel('Status').selectOption('due');
    await page.getByLabel('Period starting').fill('2027-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/status=due/);
    const badges = await page.locator('#invoices tbody .badge').allInnerTexts();
    expect(badges.length).toBeGreaterThanOrEqual(1);
    expect(new Set(badges)).toEqual(new Set(['Due']));
    await expect(page.locator('#invoices').innerText()).resolves.toContain(resellers.number);

    // The customer's page leads to its invoices.
    await page.goto(`${base}/customers/${tree.customer.id}`);
    await page.locator('.subnav').getByRole('link', { name: 'Invoices' }).click();
    await page.waitForURL(`${base}/invoices?customerId=${tree.customer.id}`);
    await expect(page.locator('#invoices tbody tr td:first-child a').allInnerTexts()).resolves.toEqual([own.number]);

    await page.getByLabel('Period starting').fill('October');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page.locator('#f-periodStart-help .error-text').innerText()).resolves.toBe('Must be a date as YYYY-MM-DD.');
  });

  it('shows an invoice: parties, lines, totals; a refused status change inline, a legal one, a payment, a credit note', async () => {
    const [invoice] = await invoicesOf(tree.reseller.id);
    expect(invoice.status).toBe('due');
    const url = `${base}/invoices/${invoice.id}`;
    await page.goto(url);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(`Invoice ${invoice.number} Due`);
    await expect(page.locator('#invoice-lines').innerText()).resolves.toContain('Calls to UK');
    await expect(page.getByRole('link', { name: 'Download PDF' }).getAttribute('href')).resolves.toBe(`/invoices/${invoice.id}/pdf`);
    await expect(page.getByRole('link', { name: 'Download XML (UBL)' }).getAttribute('href')).resolves.toBe(`/invoices/${invoice.id}/xml`);
    await expect(page.locator('.detail-sections').first().innerText()).resolves.toContain(RESELLER);
    const offered = await page.locator('#f-status option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(offered).toEqual(['overdue', 'paid', 'payment_refused', 'cancelled', 'superseded']);
    await noOverflow(page, 'invoice');
    await page.screenshot({ path: join(OUT, 'invoice.png'), fullPage: true });

    // Someone else refuses the payment meanwhile: this page still offers "Payment refused", which is no move now.
    const moved = await t.http.patch(`/api/v1/invoices/${invoice.id}`).set(t.auth).send({ status: 'payment_refused' });
    expect(moved.status).toBe(200);
    await page.locator('#f-status').selectOption('payment_refused');
    const refused = page.waitForResponse((r) => r.url() === `${url}/status`);
    await page.getByRole('button', { name: 'Change status' }).click();
    expect((await refused).status()).toBe(409);
    await expect(page.locator('#f-status-help .error-text').innerText()).resolves.toBe(
      'Cannot move from payment_refused to payment_refused.',
    );
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(`Invoice ${invoice.number} Payment refused`);
    await page.screenshot({ path: join(OUT, 'invoice-status-refused.png'), fullPage: true });

    await page.locator('#f-status').selectOption('overdue');
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.waitForURL(url);
    await expect(page.locator('.flash-ok').innerText()).resolves.toBe(`${invoice.number} is now overdue.`);
    expect((await api(`/api/v1/invoices/${invoice.id}`)).status).toBe('overdue');

    // A payment: a bad amount and too much are refused inline, then one is recorded.
    await page.getByLabel('Amount').first().fill('abc');
    await page.getByRole('button', { name: 'Record payment' }).click();
    await expect(page.locator('#f-payment-amount-help .error-text').innerText()).resolves.toMatch(/decimal/);
    await expect(page.getByLabel('Amount').first().inputValue()).resolves.toBe('abc');
    await page.getByLabel('Amount').first().fill('100000.00');
    const tooMuch = page.waitForResponse((r) => r.url() === `${url}/payments`);
    await page.getByRole('button', { name: 'Record payment' }).click();
    expect((await tooMuch).status()).toBe(422);
    await expect(page.locator('#payment-form .alert-error').innerText()).resolves.toMatch(/more than is open/);
    await page.locator('#f-payment-amount').fill('1.00');
    await page.locator('#f-payment-reference').fill('bank transfer 42');
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.waitForURL(url);
    await expect(page.locator('.flash-ok').innerText()).resolves.toMatch(/^Payment of 1\.00 EUR recorded against/);
    const paid = await api(`/api/v1/invoices/${invoice.id}`);
    expect(paid).toMatchObject({ paidAmount: '1.00', status: 'overdue' });

    // The same form sent twice (a double click) records the payment once: the form carries an idempotency key.
    const form = page.locator('#payment-form form');
    const fields = {
      _csrf: await form.locator('input[name="_csrf"]').inputValue(),
      idempotencyKey: await form.locator('input[name="idempotencyKey"]').inputValue(),
      'payment[amount]': '0.25',
      'payment[reference]': 'sent twice',
    };
    const twice = [
      await page.request.post(`${url}/payments`, { form: fields, maxRedirects: 0 }),
      await page.request.post(`${url}/payments`, { form: fields, maxRedirects: 0 }),
    ];
    expect(twice.map((r) => r.status())).toEqual([303, 303]);
    expect((await api(`/api/v1/invoices/${invoice.id}`)).paidAmount).toBe('1.25');
    await page.goto(url);
    await expect(page.locator('.flash-ok').innerText()).resolves.toBe(
      'This form was already sent: the payment of 0.25 EUR was recorded once.',
    );

    // A credit note: the reason is required, then it is issued and listed, and its page links back.
    await page.locator('#f-credit-amount').fill('0.50');
    await page.getByRole('button', { name: 'Issue credit note' }).click();
    await expect(page.locator('#f-credit-reason-help .error-text').innerText()).resolves.toBe('This field is required.');
    await expect(page.locator('#f-credit-amount').inputValue()).resolves.toBe('0.50');
    await page.locator('#f-credit-reason').fill('Goodwill <for> the outage');
    await page.getByRole('button', { name: 'Issue credit note' }).click();
    await page.waitForURL(url);
    await expect(page.locator('.flash-ok').innerText()).resolves.toMatch(/^Credit note INV-\d{6} of 0\.50 EUR issued/);
    const notes = page.locator('#credit-notes tbody tr');
    await expect(notes.count()).resolves.toBe(1);
    await expect(notes.first().innerText()).resolves.toContain('Goodwill <for> the outage');
    await expect(page.locator('.tiles').innerText()).resolves.toContain('0.50 EUR');
    await expect(page.locator('.tiles').innerText()).resolves.toContain('Still open 2.00 EUR');
    await page.screenshot({ path: join(OUT, 'invoice-after-changes.png'), fullPage: true });
    await notes.first().getByRole('link').click();
    await page.waitForURL(/\/invoices\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toMatch(/^Credit note INV-\d{6} Paid$/);
    await expect(page.locator('.alert-info').getByRole('link', { name: invoice.number }).getAttribute('href')).resolves.toBe(
      `/invoices/${invoice.id}`,
    );
    await expect(page.locator('#status-form, #payment-form, #credit-form').count()).resolves.toBe(0);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it("shows the invoiced customer its own invoices read-only, and another branch's invoice is a 404 page", async () => {
    const [own] = await invoicesOf(tree.customer.id);
    const [resellers] = await invoicesOf(tree.reseller.id);
    const mine = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const reseller = await personOf(tree.reseller.id);
      await login(mine, reseller.username, reseller.password);
      // The reseller reads its own invoice (issued by the system owner) without the forms, and may change its customer's.
      await mine.goto(`${base}/invoices/${resellers.id}`);
      await expect(mine.getByRole('heading', { level: 1 }).innerText()).resolves.toMatch(new RegExp(`^Invoice ${resellers.number}`));
      await expect(mine.locator('#status-form, #payment-form, #credit-form').count()).resolves.toBe(0);
      await expect(mine.getByText("Only the issuer's administrators change it").isVisible()).resolves.toBe(true);
      await expect(mine.getByRole('link', { name: 'Invoice runs' }).count()).resolves.toBe(0);
      expect((await mine.goto(`${base}/invoice-runs`))?.status()).toBe(403);
      await mine.goto(`${base}/invoices/${own.id}`);
      // Prepaid is final: no status change, nothing to pay, but it may still be credited.
      await expect(mine.locator('#status-form, #payment-form').count()).resolves.toBe(0);
      await expect(mine.locator('#credit-form').count()).resolves.toBe(1);

      const customer = await personOf(tree.customer.id);
      await mine.context().clearCookies();
      await login(mine, customer.username, customer.password);
      await mine.goto(`${base}/invoices`);
      const links = await mine.locator('#invoices tbody tr td:first-child a').allInnerTexts();
      expect(links).toEqual([own.number]);
      await mine.getByRole('link', { name: own.number }).click();
      await mine.waitForURL(`${base}/invoices/${own.id}`);
      await expect(mine.locator('#invoice-lines').innerText()).resolves.toContain('Calls to UK (3:36 min)');
      await expect(mine.locator('#status-form, #payment-form, #credit-form').count()).resolves.toBe(0);
      await mine.screenshot({ path: join(OUT, 'invoice-read-only.png'), fullPage: true });
      // Its parent's invoice is not in its tree.
      expect((await mine.goto(`${base}/invoices/${resellers.id}`))?.status()).toBe(404);

      const stranger = await personOf(other.reseller.id);
      await mine.context().clearCookies();
      await login(mine, stranger.username, stranger.password);
      const res = await mine.goto(`${base}/invoices/${own.id}`);
      expect(res?.status()).toBe(404);
      await expect(mine.getByRole('heading', { level: 1 }).innerText()).resolves.toMatch(/not found/i);
      expect((await mine.goto(`${base}/invoices?customerId=${tree.customer.id}`))?.status()).toBe(404);
      // Nor can it change it by posting the form.
      await mine.goto(`${base}/invoices`);
      const token = await mine.locator('meta[name="csrf-token"]').getAttribute('content');
      const post = await mine.request.post(`${base}/invoices/${resellers.id}/status`, { form: { _csrf: token ?? '', status: 'paid' } });
      expect(post.status()).toBe(404);
      expect((await api(`/api/v1/invoices/${resellers.id}`)).status).toBe('overdue');
    } finally {
      await mine.close();
    }
  });
});
