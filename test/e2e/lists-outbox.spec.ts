import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { createCustomer, createReseller, ResellerLogin } from '../factories/customers';
import { textOf, webLogin } from './admin-helpers';

/** The outbox searched, sorted and exported as CSV (issue #14 items 7, 9), through the API and the page. */
describe('lists: outbox', () => {
  let t: TestApp;
  let r: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    r = await createReseller(t, t.auth);
    await createCustomer(t, r.auth, { name: 'Mail Zulu', email: 'zulu@outbox.example' });
    await createCustomer(t, r.auth, { name: 'Mail Alpha', email: 'alpha@outbox.example' });
  });
  afterAll(() => t.close());

  const list = (q: Record<string, unknown>) => t.http.get('/api/v1/outbox').query(q).set(r.auth);
  const to = async (q: Record<string, unknown>) => ((await list(q).expect(200)).body.items as Array<{ to: string }>).map((m) => m.to);

  it('finds by recipient or subject, sorts both ways (newest first by default), refuses an unknown column', async () => {
    expect(await to({ search: 'outbox.example' })).toEqual(['alpha@outbox.example', 'zulu@outbox.example']);
    expect(await to({ search: 'outbox.example', sort: 'to' })).toEqual(['alpha@outbox.example', 'zulu@outbox.example']);
    expect(await to({ search: 'outbox.example', sort: '-to' })).toEqual(['zulu@outbox.example', 'alpha@outbox.example']);
    expect(await to({ search: 'ZULU@' })).toEqual(['zulu@outbox.example']);
    expect((await list({ sort: 'context' }).expect(400)).body.details[0].field).toBe('sort');
  });

  it('exports with ?format=csv and Accept: text/csv, same search and sort, without the bodies', async () => {
    const csv = await list({ format: 'csv', search: 'outbox.example', sort: '-to' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((m) => [m.to, m.template, m.status])).toEqual([
      ['zulu@outbox.example', 'login-details', 'kept'],
      ['alpha@outbox.example', 'login-details', 'kept'],
    ]);
    expect(Object.keys(rows[0])).not.toContain('body_text');
    expect((await list({ search: 'outbox.example', sort: '-to' }).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
  });

  it('the page searches, sorts by a header and links the export', async () => {
    const agent = await webLogin(t, r.username, r.password);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const page = await agent.get('/outbox').query({ search: 'outbox.example', sort: 'to' }).expect(200);
    expect(textOf(page.text)).toMatch(/alpha@outbox\.example.*zulu@outbox\.example/);
    expect(html(page)).toContain('href="/api/v1/outbox?format=csv&search=outbox.example&sort=to" download');
    const past = await agent.get('/outbox').query({ page: 9 }).expect(200);
    expect(textOf(past.text)).toMatch(/There is no page 9: the list has \d+ entries on 1 page\./);
  });
});
