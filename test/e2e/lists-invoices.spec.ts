import { parse } from 'csv-parse/sync';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { callId, callTree, cdrBody, postCdr, update, type CallTree } from '../factories/calls';
import { startTestApp, TestApp } from '../helpers/app';
import { textOf, webLogin } from './admin-helpers';

/** The invoice list sorted, filtered and exported as CSV (issue #14 item 9), through the API and the page. */
describe('lists: invoices', () => {
  let t: TestApp;
  let tree: CallTree;

  beforeAll(async () => {
    t = await startTestApp({ TEST_CLOCK: 'true', TZ_SYSTEM: 'Europe/Berlin', INVOICE_RUN_TIME: '02:00' });
    t.clock.setNow(new Date('2026-10-01T08:00:00Z'));
    tree = await callTree(t, { customerCredit: '100.00' });
    for (const id of [tree.reseller.id, tree.customer.id]) await update(t, id, { createdAt: new Date('2026-10-01T08:00:00Z'), timezone: 'UTC' });
    t.clock.setNow(new Date('2026-10-15T12:00:00Z'));
    expect((await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), 61, new Date('2026-10-15T10:00:00Z')))).status).toBe(201);
    t.clock.setNow(new Date('2026-11-01T03:00:00Z'));
    expect((await t.http.post('/api/v1/invoice-runs').set(t.auth).send({})).status).toBe(202);
    await t.app.get(InvoiceRunsService).idle();
  });
  afterAll(() => t.close());

  const list = (q: Record<string, unknown>) => t.http.get('/api/v1/invoices').query(q).set(t.auth);
  const numbers = async (q: Record<string, unknown>) => ((await list(q).expect(200)).body.items as Array<{ number: string }>).map((i) => i.number);

  it('sorts by a column both ways (newest first by default), filters by type, refuses an unknown column', async () => {
    const all = await numbers({});
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(await numbers({ sort: 'number' })).toEqual([...all].sort());
    expect(await numbers({ sort: '-number' })).toEqual([...all].sort().reverse());
    expect(await numbers({ type: 'credit_note' })).toEqual([]);
    const own = await list({ customerId: tree.customer.id, sort: '-total' }).expect(200);
    expect(own.body.items.map((i: { customerId: number }) => i.customerId)).toEqual([tree.customer.id]);
    expect((await list({ sort: 'parties' }).expect(400)).body.details[0].field).toBe('sort');
    expect((await list({ type: 'receipt' }).expect(400)).body.details[0].field).toBe('type');
  });

  it('exports the list with ?format=csv and with Accept: text/csv, same filters and sort', async () => {
    const csv = await list({ format: 'csv', sort: '-number' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="invoices.csv"');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.number)).toEqual(await numbers({ sort: '-number' }));
    expect(rows.find((r) => Number(r.customer_id) === tree.customer.id)).toMatchObject({ type: 'invoice', currency: expect.any(String) });
    expect((await list({ sort: '-number' }).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
  });

  it('the page sorts by a header and links the export of what it shows', async () => {
    // Session cookies expire by the test clock; the agent drops one that is past by the real one.
    t.clock.setNow(new Date());
    const agent = await webLogin(t);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const page = await agent.get('/invoices').query({ sort: 'number' }).expect(200);
    const text = textOf(page.text);
    const shown = (await numbers({ sort: 'number' })).map((n) => text.indexOf(n));
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(html(page)).toContain('href="/api/v1/invoices?format=csv&sort=number" download');
    expect(html(page)).toContain('aria-sort="ascending"><a class="sort-link" href="/invoices?sort=-number">Number');
    const past = await agent.get('/invoices').query({ page: 4 }).expect(200);
    expect(textOf(past.text)).toMatch(/There is no page 4: the list has \d+ entries on 1 page\./);
    expect(textOf(past.text)).not.toContain('No invoice yet');
  });
});
