import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { createReseller, ResellerLogin } from '../factories/customers';
import { textOf, webLogin } from './admin-helpers';

/**
 * Voucher batches sorted, filtered and exported (issue #14 item 9); the vouchers of a batch and the call
 * history, which streamed CSV before, now through the shared export: also with `Accept: text/csv`.
 */
describe('lists: voucher batches, vouchers, call history', () => {
  let t: TestApp;
  let r: ResellerLogin;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await startTestApp();
    r = await createReseller(t, t.auth);
    for (const [name, value, count] of [
      ['Summer', '10.00', 3],
      ['Autumn', '5.00', 2],
      ['Winter', '20.00', 1],
    ] as const) {
      const res = await t.http.post('/api/v1/voucher-batches').set(r.auth).send({ name, value, currency: 'EUR', count }).expect(201);
      ids[name] = res.body.id;
    }
    await t.http.patch(`/api/v1/voucher-batches/${ids.Autumn}`).set(r.auth).send({ locked: true }).expect(200);
  });
  afterAll(() => t.close());

  const batches = (q: Record<string, unknown>) => t.http.get('/api/v1/voucher-batches').query(q).set(r.auth);
  const names = async (q: Record<string, unknown>) => ((await batches(q).expect(200)).body.items as Array<{ name: string }>).map((b) => b.name);

  it('sorts batches by a column both ways (newest first by default), filters locked, exports CSV both ways', async () => {
    expect(await names({})).toEqual(['Winter', 'Autumn', 'Summer']);
    expect(await names({ sort: 'value' })).toEqual(['Autumn', 'Summer', 'Winter']);
    expect(await names({ sort: '-count' })).toEqual(['Summer', 'Autumn', 'Winter']);
    expect(await names({ sort: 'name' })).toEqual(['Autumn', 'Summer', 'Winter']);
    expect(await names({ locked: 'false', sort: 'name' })).toEqual(['Summer', 'Winter']);
    const csv = await batches({ format: 'csv', locked: 'false', sort: '-value' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((b) => [b.name, b.value, b.count, b.locked])).toEqual([
      ['Winter', '20.00', '1', 'false'],
      ['Summer', '10.00', '3', 'false'],
    ]);
    expect(Object.keys(rows[0])).not.toContain('serial');
    expect((await batches({ locked: 'false', sort: '-value' }).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
    expect((await batches({ sort: 'ownerCustomerId' }).expect(400)).body.details[0].field).toBe('sort');
  });

  it("exports a batch's vouchers with Accept: text/csv as with ?format=csv, audited each time", async () => {
    const url = `/api/v1/voucher-batches/${ids.Summer}/vouchers`;
    const byFormat = await t.http.get(url).query({ format: 'csv' }).set(r.auth).expect(200);
    const byAccept = await t.http.get(url).set(r.auth).set('Accept', 'text/csv').expect(200);
    expect(byAccept.headers['content-disposition']).toBe(`attachment; filename="voucher-batch-${ids.Summer}.csv"`);
    expect(byAccept.text).toBe(byFormat.text);
    expect(byAccept.text.trim().split('\n')).toHaveLength(4);
    const [{ n }] = (await t.dataSource.query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'voucher_batch_exported' AND entity_id = ?", [
      String(ids.Summer),
    ])) as Array<{ n: number | string }>;
    expect(Number(n)).toBe(2);
    // JSON stays the default.
    expect((await t.http.get(url).set(r.auth).expect(200)).body.total).toBe(3);
  });

  it('exports the call history with Accept: text/csv; a bad range is still the JSON error', async () => {
    const byAccept = await t.http.get('/api/v1/calls/cdrs').query({ customerId: r.id }).set(r.auth).set('Accept', 'text/csv').expect(200);
    expect(byAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byAccept.text.split('\n')[0]).toMatch(/^call_id,started_at,answered_at,ended_at,duration,caller,called,direction,billing_reference,charge,currency/);
    const byFormat = await t.http.get('/api/v1/calls/cdrs').query({ customerId: r.id, format: 'csv' }).set(r.auth).expect(200);
    expect(byFormat.text).toBe(byAccept.text);
    const bad = await t.http.get('/api/v1/calls/cdrs').query({ from: '2026-12-02', to: '2026-12-01' }).set(r.auth).set('Accept', 'text/csv').expect(400);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
  });

  it('the vouchers page sorts by a header, filters locked batches and links the export', async () => {
    const agent = await webLogin(t, r.username, r.password);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const page = await agent.get('/vouchers').query({ locked: 'false', sort: 'value' }).expect(200);
    expect(textOf(page.text)).toMatch(/Summer.*Winter/);
    expect(textOf(page.text)).not.toContain('Autumn');
    expect(html(page)).toContain('href="/api/v1/voucher-batches?format=csv&locked=false&sort=value" download');
    expect(html(page)).toContain('aria-sort="ascending" class="num"><a class="sort-link" href="/vouchers?locked=false&sort=-value">Value');
    const past = await agent.get('/vouchers').query({ page: 3 }).expect(200);
    expect(textOf(past.text)).toContain('There is no page 3: the list has 3 entries on 1 page.');
  });
});
