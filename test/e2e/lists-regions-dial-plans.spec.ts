import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { webLogin } from './admin-helpers';

/** Regions and dial plans sorted and exported as CSV (issue #14 item 9), through the API and the pages. */
describe('lists: regions and dial plans', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const name of ['Zone B', 'Zone A', 'Zone C']) {
      await t.http.post('/api/v1/regions').set(t.auth).send({ name }).expect(201);
      await t.http.post('/api/v1/dial-plans').set(t.auth).send({ name: `Plan ${name.slice(-1)}` }).expect(201);
    }
  });
  afterAll(() => t.close());

  const names = async (path: string, q: Record<string, unknown>) =>
    ((await t.http.get(path).query(q).set(t.auth).expect(200)).body.items as Array<{ name: string }>).map((x) => x.name);

  it('sorts both ways (by name by default), refuses an unknown column, exports CSV both ways', async () => {
    expect(await names('/api/v1/regions', {})).toEqual(['Zone A', 'Zone B', 'Zone C']);
    expect(await names('/api/v1/regions', { sort: '-name' })).toEqual(['Zone C', 'Zone B', 'Zone A']);
    expect(await names('/api/v1/regions', { sort: 'createdAt' })).toEqual(['Zone B', 'Zone A', 'Zone C']);
    expect(await names('/api/v1/dial-plans', { sort: '-name' })).toEqual(['Plan C', 'Plan B', 'Plan A']);
    for (const path of ['/api/v1/regions', '/api/v1/dial-plans']) {
      expect((await t.http.get(path).query({ sort: 'id' }).set(t.auth).expect(400)).body.details[0].field).toBe('sort');
      const csv = await t.http.get(path).query({ format: 'csv', sort: '-createdAt' }).set(t.auth).expect(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
      expect(rows.map((x) => x.name.slice(-1))).toEqual(['C', 'A', 'B']);
      expect((await t.http.get(path).query({ sort: '-createdAt' }).set(t.auth).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
    }
  });

  it('the pages sort by a header and link the export', async () => {
    const agent = await webLogin(t);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const regions = await agent.get('/system/regions').query({ sort: '-name' }).expect(200);
    expect(html(regions)).toContain('href="/api/v1/regions?format=csv&sort=-name" download');
    expect(html(regions)).toContain('aria-sort="descending"');
    const plans = await agent.get('/dial-plans').query({ sort: 'createdAt' }).expect(200);
    expect(html(plans)).toContain('href="/api/v1/dial-plans?format=csv&sort=createdAt" download');
  });
});
