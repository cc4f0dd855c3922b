import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { textOf, webLogin } from './admin-helpers';

/** Exchange rates sorted, filtered and exported as CSV (issue #14 item 9), through the API and the page. */
describe('lists: exchange rates', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const settings = await t.http.get('/api/v1/system').set(t.auth).expect(200);
    const others = ['USD', 'GBP', 'CHF', 'EUR'].filter((c) => c !== settings.body.currency).slice(0, 3);
    for (const [currency, rate, validFrom] of [
      [others[0], '1.10', '2026-01-01T00:00:00Z'],
      [others[1], '0.85', '2026-02-01T00:00:00Z'],
      [others[0], '1.20', '2026-03-01T00:00:00Z'],
      [others[2], '0.95', '2026-01-15T00:00:00Z'],
    ]) {
      await t.http.post('/api/v1/exchange-rates').set(t.auth).send({ currency, rate, validFrom }).expect(201);
    }
  });
  afterAll(() => t.close());

  const list = (q: Record<string, unknown>) => t.http.get('/api/v1/exchange-rates').query(q).set(t.auth);
  const rates = async (q: Record<string, unknown>) => ((await list(q).expect(200)).body.items as Array<{ rate: string }>).map((r) => r.rate);

  it('sorts both ways (newest first by default), filters by currency, refuses an unknown column', async () => {
    expect(await rates({})).toEqual(['1.20', '0.85', '0.95', '1.10']);
    expect(await rates({ sort: 'rate' })).toEqual(['0.85', '0.95', '1.10', '1.20']);
    expect(await rates({ sort: '-rate' })).toEqual(['1.20', '1.10', '0.95', '0.85']);
    expect(await rates({ sort: 'validFrom', pageSize: 2, page: 2 })).toEqual(['0.85', '1.20']);
    const one = (await list({ sort: 'rate' }).expect(200)).body.items[0].currency as string;
    expect(await rates({ currency: one })).toEqual(['0.85']);
    expect((await list({ sort: 'id' }).expect(400)).body.details[0].field).toBe('sort');
  });

  it('exports with ?format=csv and Accept: text/csv, same filter and sort', async () => {
    const csv = await list({ format: 'csv', sort: '-rate' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.rate)).toEqual(['1.20', '1.10', '0.95', '0.85']);
    expect(Object.keys(rows[0])).toEqual(['id', 'currency', 'rate', 'valid_from', 'created_at']);
    expect((await list({ sort: '-rate' }).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
  });

  it('the page sorts by a header and links the export', async () => {
    const agent = await webLogin(t);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const page = await agent.get('/system/exchange-rates').query({ sort: 'rate' }).expect(200);
    expect(textOf(page.text)).toMatch(/0\.85.*0\.95.*1\.10.*1\.20/);
    expect(html(page)).toContain('href="/api/v1/exchange-rates?format=csv&sort=rate" download');
    const past = await agent.get('/system/exchange-rates').query({ page: 6 }).expect(200);
    expect(textOf(past.text)).toContain('There is no page 6: the list has 4 entries on 1 page.');
  });
});
