import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { createCustomer, createReseller, type ResellerLogin, unique } from '../factories/customers';
import { insertPerson } from '../factories/rows';
import { ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { textOf } from './admin-helpers';

/**
 * Issue #14 item 15: the audit page. Who changed what and when, from the entries every change records;
 * filtered by customer, actor and time; paged; CSV with the same filters; only the viewer's subtree.
 */
describe('audit log page (HTTP)', () => {
  let t: TestApp;
  let a: ResellerLogin;
  let b: ResellerLogin;
  let a1: Record<string, any>;
  let b1: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createReseller(t, t.auth, { name: `Branch A ${unique()}` });
    b = await createReseller(t, t.auth, { name: `Branch B ${unique()}` });
    a1 = await createCustomer(t, a.auth, { name: `A one ${unique()}` });
    b1 = await createCustomer(t, b.auth, { name: `B one ${unique()}` });
  });
  afterAll(() => t.close());

  const page = (auth: { Authorization: string }, query = '') => t.http.get(`/audit${query}`).set(auth);
  const rows = (html: string) => {
    const body = /<table[^>]*id="audit-entries"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => textOf(r[1]));
  };

  it('shows who changed what and when, newest first, with names', async () => {
    const res = await page(t.auth);
    expect(res.status).toBe(200);
    const list = rows(res.text);
    // Newest first: the last customer made is B one, by B's administrator.
    expect(list[0]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC .*\\(${b.username}\\) ${b1.name} Customer created customer ${b1.id as number} `),
    );
    expect(list.some((r) => r.includes(`(${ADMIN_USERNAME}) ${a.body.name as string} Customer created`))).toBe(true);
    expect(res.text).toMatch(/href="\/audit\?format(=|&#x3D;)csv" download>Export CSV/);
  });

  it('filters by customer, by actor (login name, any case) and by time', async () => {
    const byCustomer = rows((await page(t.auth, `?customer=${a1.id as number}`)).text);
    expect(byCustomer.length).toBeGreaterThan(0);
    expect(byCustomer.every((r) => r.includes(a1.name as string))).toBe(true);

    const byActor = rows((await page(t.auth, `?actor=${a.username.toUpperCase()}`)).text);
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor.every((r) => r.includes(`(${a.username})`))).toBe(true);
    expect(rows((await page(t.auth, '?actor=nobody-of-that-name')).text)).toEqual([]);
    expect(textOf((await page(t.auth, '?actor=nobody-of-that-name')).text)).toContain('No change matches these filters.');

    const now = t.clock.now();
    const day = (offset: number) => new Date(now.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    expect(rows((await page(t.auth, `?from=${day(1)}`)).text)).toEqual([]);
    expect(rows((await page(t.auth, `?to=${day(-1)}`)).text)).toEqual([]);
    expect(rows((await page(t.auth, `?from=${day(-1)}&to=${day(1)}&customer=${a1.id as number}`)).text)).toEqual(byCustomer);

    const bad = await page(t.auth, '?from=yesterday&to=31.12.2026&customer=x');
    expect(bad.status).toBe(400);
    const text = textOf(bad.text);
    expect(text).toContain('Choose a customer from the list.');
    expect(bad.text).toContain('value="yesterday"');
  });

  it('reports bad dates inline, all of them at once', async () => {
    const bad = await page(t.auth, '?from=yesterday&to=31.12.2026');
    expect(bad.status).toBe(400);
    expect(textOf(bad.text).match(/must be a date \(2026-11-01\)/gi)).toHaveLength(2);
  });

  it('shows a reseller its own branch only: never another branch, its provider by customer name', async () => {
    const res = await page(a.auth);
    expect(res.status).toBe(200);
    const list = rows(res.text);
    expect(list.some((r) => r.includes(a1.name as string))).toBe(true);
    expect(res.text).not.toContain(b.body.name as string);
    expect(res.text).not.toContain(b1.name as string);
    // The entry about A itself was made by the system owner's administrator: named by its customer only.
    const root = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: 1 });
    const aboutA = list.find((r) => r.includes(`${a.body.name as string} Customer created`));
    expect(aboutA).toContain(`staff of ${root.name}`);
    expect(aboutA).not.toContain(ADMIN_USERNAME);
    // Another branch's customer is not there to filter by.
    expect((await page(a.auth, `?customer=${b1.id as number}`)).status).toBe(404);
    expect(rows((await page(a.auth, `?actor=${b.username}`)).text)).toEqual([]);
    const csv = await page(a.auth, '?format=csv');
    expect(csv.text).not.toContain(b1.name as string);
  });

  it('exports the filtered entries as CSV (also with Accept: text/csv)', async () => {
    const res = await page(t.auth, `?format=csv&customer=${a1.id as number}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('audit-log.csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('id,at,actor,acting_as,customer_id,customer,action,entity_type,entity_id,details');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.includes(`,${a1.id as number},${a1.name as string},`))).toBe(true);
    const accept = await t.http.get(`/audit?actor=${a.username}`).set(t.auth).set('Accept', 'text/csv');
    expect(accept.headers['content-type']).toMatch(/^text\/csv/);
    expect(
      accept.text
        .trim()
        .split('\n')
        .slice(1)
        .every((l) => l.includes(`(${a.username})`)),
    ).toBe(true);
  });

  it('pages 50 entries at a time, and the CSV has them all', async () => {
    const c = await createCustomer(t, t.auth, { name: `Busy ${unique()}` });
    const repo = t.dataSource.getRepository(AuditEntryEntity);
    const at = t.clock.now();
    await repo.insert(
      Array.from({ length: 120 }, (_, i) => ({
        at,
        actorPersonId: null,
        actorCustomerId: null,
        customerId: c.id as number,
        actingAsCustomerId: null,
        action: 'test_entry',
        entityType: 'customer',
        entityId: String(i),
        details: JSON.stringify({ n: i, note: '=SUM(A1)' }),
      })),
    );
    const first = await page(t.auth, `?customer=${c.id as number}`);
    expect(rows(first.text)).toHaveLength(50);
    expect(rows(first.text)[0]).toContain('Test entry customer 119 n: 119; note: =SUM(A1)');
    const third = rows((await page(t.auth, `?customer=${c.id as number}&page=3`)).text);
    expect(third.length).toBe(121 - 100); // 120 + the customer's creation
    expect(third[third.length - 1]).toContain('Customer created');
    const csv = (await page(t.auth, `?customer=${c.id as number}&format=csv`)).text.trim().split('\n');
    expect(csv).toHaveLength(1 + 121);
    expect(csv[1]).toContain(',the system,,');
    expect(csv[1]).toMatch(/,test_entry,customer,119,n: 119; note: =SUM\(A1\)$/);
    // A cell a spreadsheet would run as a formula is kept as text.
    await repo.insert({
      ...{ at, actorPersonId: null, actorCustomerId: null, actingAsCustomerId: null },
      customerId: c.id as number,
      action: 'x',
      entityType: 'y',
      entityId: '=1+1',
      details: null,
    });
    const formula = (await page(t.auth, `?customer=${c.id as number}&format=csv`)).text.split('\n')[1];
    expect(formula).toMatch(/,x,y,'=1\+1,$/);
  });

  it('is for administrators', async () => {
    const user = await insertPerson(t, a.id, { role: 'user' });
    expect((await page(user)).status).toBe(403);
  });
});
