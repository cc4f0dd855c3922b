import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { addNumber, createCustomer, createReseller, CustomerBody, ResellerLogin, unique } from '../factories/customers';
import { textOf, webLogin } from './admin-helpers';

/**
 * Sort, filter and CSV export of a customer's people, telephone lines, mailboxes and numbers and of the
 * number inventory (issue #14 item 9), the number search as operators type it (item 7), and paging past
 * the end of their pages (item 8).
 */
describe('lists: people, lines, mailboxes, numbers', () => {
  let t: TestApp;
  let r: ResellerLogin;
  let c: CustomerBody;
  const digits = `44161496${String(1000 + Math.floor(Math.random() * 8000))}`;

  beforeAll(async () => {
    t = await startTestApp();
    r = await createReseller(t, t.auth);
    c = await createCustomer(t, r.auth, { name: 'Lists Ltd', username: unique('zulu.admin') });
    const post = (path: string, body: Record<string, unknown>) => t.http.post(`/api/v1/customers/${c.id}/${path}`).set(r.auth).send(body).expect(201);
    await post('people', { username: unique('alpha.user'), displayName: 'Zoe Alpha', role: 'user', password: 'a-long-enough-password-1' });
    await post('people', { username: unique('mike.admin'), displayName: 'Adam Mike', role: 'administrator', password: 'a-long-enough-password-2' });
    await post('sip-accounts', { username: unique('line-b'), displayName: 'Reception' });
    await post('sip-accounts', { username: unique('line-a'), displayName: 'Warehouse', maxConcurrentCalls: 3 });
    await post('mailboxes', { mailbox: `7${String(Date.now()).slice(-6)}`, email: 'z@lists.example' });
    await post('mailboxes', { mailbox: `8${String(Date.now()).slice(-6)}`, email: 'a@lists.example' });
    await addNumber(t, r.id, digits);
    await addNumber(t, r.id, `${digits.slice(0, -1)}${(Number(digits.slice(-1)) + 1) % 10}`);
    await t.http.post(`/api/v1/customers/${c.id}/numbers`).set(r.auth).send({ number: digits }).expect(201);
  });
  afterAll(() => t.close());

  const get = (path: string, q: Record<string, unknown> = {}) => t.http.get(path).query(q).set(r.auth);
  const rowsOf = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

  it('people: sort by any column both ways, filter by role, CSV both ways with the same filter and sort', async () => {
    const path = `/api/v1/customers/${c.id}/people`;
    const names = async (q: Record<string, unknown>) => ((await get(path, q).expect(200)).body.items as Array<{ displayName: string }>).map((p) => p.displayName);
    expect(await names({ sort: 'displayName' })).toEqual(['Adam Mike', 'Lists Ltd', 'Zoe Alpha'].sort());
    expect(await names({ sort: '-displayName' })).toEqual(['Zoe Alpha', 'Lists Ltd', 'Adam Mike'].sort().reverse());
    expect(await names({ role: 'user' })).toEqual(['Zoe Alpha']);
    const csv = await get(path, { format: 'csv', role: 'administrator', sort: '-displayName' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\n')[0]).toBe('id,customer_id,username,display_name,email,role,password_set,last_login_at,created_at');
    const rows = rowsOf(csv.text);
    expect(rows.map((p) => p.role)).toEqual(['administrator', 'administrator']);
    expect(rows.map((p) => p.display_name)).toEqual([...rows.map((p) => p.display_name)].sort().reverse());
    const accepted = await get(path, { role: 'administrator', sort: '-displayName' }).set('Accept', 'text/csv').expect(200);
    expect(accepted.text).toBe(csv.text);
    const bad = await get(path, { sort: 'passwordHash' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field: 'sort' })] });
  });

  it('lines and mailboxes: sort both ways, CSV both ways, unknown sort refused', async () => {
    const lines = `/api/v1/customers/${c.id}/sip-accounts`;
    const lineNames = async (q: Record<string, unknown>) => ((await get(lines, q).expect(200)).body.items as Array<{ displayName: string }>).map((l) => l.displayName);
    expect(await lineNames({ sort: 'username' })).toEqual(['Warehouse', 'Reception']); // line-a…, line-b…
    expect(await lineNames({ sort: '-displayName' })).toEqual(['Warehouse', 'Reception']);
    expect(await lineNames({ sort: 'displayName' })).toEqual(['Reception', 'Warehouse']);
    const lineCsv = rowsOf((await get(lines, { sort: 'displayName' }).set('Accept', 'text/csv').expect(200)).text);
    expect(lineCsv.map((l) => [l.display_name, l.max_concurrent_calls])).toEqual([
      ['Reception', ''],
      ['Warehouse', '3'],
    ]);
    expect(Object.keys(lineCsv[0])).not.toContain('secret');
    expect((await get(lines, { sort: 'secret' }).expect(400)).body.code).toBe('validation_failed');

    const boxes = `/api/v1/customers/${c.id}/mailboxes`;
    const emails = async (q: Record<string, unknown>) => ((await get(boxes, q).expect(200)).body.items as Array<{ email: string }>).map((m) => m.email);
    expect(await emails({ sort: 'mailbox' })).toEqual(['z@lists.example', 'a@lists.example']);
    expect(await emails({ sort: 'email' })).toEqual(['a@lists.example', 'z@lists.example']);
    const boxCsv = await get(boxes, { format: 'csv', sort: '-mailbox' }).expect(200);
    expect(rowsOf(boxCsv.text).map((m) => m.email)).toEqual(['a@lists.example', 'z@lists.example']);
    expect(boxCsv.text).not.toMatch(/pin/i);
  });

  it('numbers: found as operators type them, sorted, filtered free/assigned, exported', async () => {
    const spaced = `+${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5, 8)} ${digits.slice(8)}`;
    const inventory = async (q: Record<string, unknown>) => ((await get('/api/v1/numbers', q).expect(200)).body.items as Array<{ number: string }>).map((n) => n.number);
    expect(await inventory({ search: spaced })).toEqual([digits]);
    expect(await inventory({ search: `00${digits.slice(0, 2)} (${digits.slice(2, 5)}) ${digits.slice(5)}` })).toEqual([digits]);
    expect(await inventory({ search: digits.slice(2, 9), free: 'false' })).toEqual([digits]);
    const both = await inventory({ search: digits.slice(0, -1), sort: '-number' });
    expect(both).toHaveLength(2);
    expect(both).toEqual([...both].sort().reverse());
    const own = await get(`/api/v1/customers/${c.id}/numbers`, { search: spaced }).expect(200);
    expect(own.body.items.map((n: { number: string }) => n.number)).toEqual([digits]);
    const csv = rowsOf((await get('/api/v1/numbers', { format: 'csv', search: digits.slice(0, -1), free: 'true' }).expect(200)).text);
    expect(csv.map((n) => [n.customer_id, n.owner_customer_id])).toEqual([['', String(r.id)]]);
    const customerCsv = rowsOf((await get(`/api/v1/customers/${c.id}/numbers`).set('Accept', 'text/csv').expect(200)).text);
    expect(customerCsv.map((n) => [n.number, n.customer_name])).toEqual([[digits, 'Lists Ltd']]);
    expect((await get('/api/v1/numbers', { sort: 'owner' }).expect(400)).body.details[0].field).toBe('sort');
  });

  it('the pages sort by a column header, link the CSV export of what they show, and say when a page is past the end', async () => {
    const agent = await webLogin(t, r.username, r.password);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    for (const [path, sort, api] of [
      [`/customers/${c.id}/people`, '-displayName', `/api/v1/customers/${c.id}/people`],
      [`/customers/${c.id}/sip-accounts`, '-displayName', `/api/v1/customers/${c.id}/sip-accounts`],
      [`/customers/${c.id}/mailboxes`, '-email', `/api/v1/customers/${c.id}/mailboxes`],
      [`/customers/${c.id}/numbers`, '-number', `/api/v1/customers/${c.id}/numbers`],
      ['/numbers', '-createdAt', '/api/v1/numbers'],
    ]) {
      const page = await agent.get(path).query({ sort }).expect(200);
      expect([path, html(page)]).toEqual([path, expect.stringContaining('aria-sort="descending"')]);
      const csvUrl = /href="([^"]+)" download>Export CSV/.exec(html(page))![1];
      expect(csvUrl).toBe(`${api}?format=csv&sort=${sort}`);
      expect((await agent.get(csvUrl).expect(200)).headers['content-type']).toBe('text/csv; charset=utf-8');
      const past = await agent.get(path).query({ page: 50 }).expect(200);
      expect([path, textOf(past.text)]).toEqual([path, expect.stringMatching(/There is no page 50: the list has \d+ (entry|entries) on 1 page\./)]);
      expect(textOf(past.text)).not.toMatch(/yet\.|No number matches/);
    }
  });
});
