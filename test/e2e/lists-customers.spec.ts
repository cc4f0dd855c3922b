import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { Money } from '../../src/shared/money';
import { credit, postToLedger } from '../factories/billing';
import { addNumber, Auth, createCustomer, createReseller, CustomerBody, ResellerLogin, unique } from '../factories/customers';
import { textOf, webLogin } from './admin-helpers';

/**
 * The customer list (issue #14 items 7-9): search by what operators type, filters, sort with a stable
 * tie-break, the CSV export both ways, and paging past the end; through the API and the page.
 */
describe('lists: customers (search, filter, sort, CSV, paging)', () => {
  let t: TestApp;
  let gb: ResellerLogin;
  const made: Record<string, CustomerBody> = {};
  const numberOf: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    // A reseller in Great Britain: national numbers typed under it are read as British.
    gb = await createReseller(t, t.auth, {
      billingAddress: { line1: '1 High Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
    });
    const suffix = String(1000 + Math.floor(Math.random() * 8000));
    numberOf.home = `44207946${suffix}`;
    await addNumber(t, gb.id, numberOf.home);
    made.home = await createCustomer(t, gb.auth, { type: 'residential', number: numberOf.home, personName: 'Hannah Home', name: undefined });
    made.alpha = await createCustomer(t, gb.auth, { name: 'Alpha Ltd', accountNumber: 'ACC-300', billingType: 'postpaid' });
    made.bravo = await createCustomer(t, gb.auth, { name: 'Bravo Ltd', accountNumber: 'ACC-100', reseller: true, lockedWeb: true });
    made.charlie = await createCustomer(t, gb.auth, {
      name: 'Charlie Ltd',
      accountNumber: 'ACC-200',
      billingType: 'postpaid',
      username: 'charlie.login',
      email: 'billing@charlie.example',
    });
    // Same name as Alpha: the tie is broken by id.
    made.alpha2 = await createCustomer(t, gb.auth, { name: 'Alpha Ltd', lockedCalls: true });
    await credit(t, gb.auth, made.alpha.id, '25.00');
    await credit(t, gb.auth, made.charlie.id, '5.00');
    await postToLedger(t, { customerId: made.bravo.id, type: 'adjustment', amount: Money.of('-7.50'), description: 'a charge' });
  });
  afterAll(() => t.close());

  const list = (q: Record<string, unknown>, auth: Auth = gb.auth) => t.http.get('/api/v1/customers').query(q).set(auth);
  const ids = async (q: Record<string, unknown>) => {
    const res = await list(q).expect(200);
    return (res.body.items as Array<{ id: number }>).map((c) => c.id);
  };
  const id = (k: string) => made[k].id as number;

  describe('search finds what operators type', () => {
    it('a telephone number in international, 00 and national form (read with the parent’s country), with any spacing', async () => {
      const n = numberOf.home; // 44 20 7946 xxxx
      const national = `0${n.slice(2, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
      for (const typed of [
        `+44 20 ${n.slice(4, 8)} ${n.slice(8)}`,
        `0044 20 ${n.slice(4, 8)} ${n.slice(8)}`,
        `+44 (0)20 ${n.slice(4, 8)}-${n.slice(8)}`.replace('(0)', ''),
        national,
        `(0${n.slice(2, 4)}) ${n.slice(4, 8)}-${n.slice(8)}`,
        n,
      ]) {
        expect([typed, await ids({ search: typed })]).toEqual([typed, [id('home')]]);
      }
      // Under the system owner (no country on its address) a national number is only its digits.
      const owner = (search: string) => list({ search, recursive: 'true' }, t.auth).expect(200);
      expect((await owner(national)).body.items).toEqual([]);
      expect((await owner(`+44 20 ${n.slice(4, 8)} ${n.slice(8)}`)).body.items.map((c: { id: number }) => c.id)).toEqual([id('home')]);
    });

    it('a login name (whole, ignoring case), an account number, an email, a name', async () => {
      expect(await ids({ search: 'Charlie.LOGIN' })).toEqual([id('charlie')]);
      expect(await ids({ search: 'charlie.log' })).toEqual([]); // login names are matched whole
      expect(await ids({ search: 'acc-200' })).toEqual([id('charlie')]);
      expect(await ids({ search: 'billing@charlie.example' })).toEqual([id('charlie')]);
      expect(await ids({ search: 'bravo' })).toEqual([id('bravo')]);
      // The residential customer's own login is its number.
      expect(await ids({ search: numberOf.home })).toEqual([id('home')]);
    });

    it('only within the list asked for: another reseller does not find them', async () => {
      const other = await createReseller(t, t.auth);
      const res = await list({ search: 'charlie.login' }, other.auth).expect(200);
      expect(res.body).toMatchObject({ items: [], total: 0 });
    });
  });

  describe('filters and sort', () => {
    it('filters by type, billing type, locked, reseller and balance, combined', async () => {
      expect(await ids({ type: 'residential' })).toEqual([id('home')]);
      expect(await ids({ billingType: 'postpaid' })).toEqual([id('alpha'), id('charlie')]);
      expect(await ids({ locked: 'true' })).toEqual([id('alpha2'), id('bravo')]);
      expect(await ids({ locked: 'false', type: 'normal' })).toEqual([id('alpha'), id('charlie')]);
      expect(await ids({ reseller: 'true' })).toEqual([id('bravo')]);
      expect(await ids({ balanceMax: '-0.01' })).toEqual([id('bravo')]);
      expect(await ids({ balanceMin: '5', balanceMax: '25.00' })).toEqual([id('alpha'), id('charlie')]);
      expect(await ids({ balanceMin: '0', balanceMax: '0', type: 'normal' })).toEqual([id('alpha2')]);
      const counted = await list({ billingType: 'postpaid', pageSize: 1 }).expect(200);
      expect([counted.body.total, counted.body.items.length]).toEqual([2, 1]);
    });

    it('sorts by each column both ways, ties broken by id in the same direction', async () => {
      const all = [id('alpha'), id('alpha2'), id('bravo'), id('charlie'), id('home')];
      // The residential customer is named after its number: digits sort first.
      const byName = [id('home'), id('alpha'), id('alpha2'), id('bravo'), id('charlie')];
      expect(await ids({})).toEqual(byName);
      expect(await ids({ sort: 'name' })).toEqual(byName);
      expect(await ids({ sort: '-name' })).toEqual([...byName].reverse());
      // home and alpha2 both have 0 (home, older, first ascending; last descending).
      expect(await ids({ sort: 'balance' })).toEqual([id('bravo'), id('home'), id('alpha2'), id('charlie'), id('alpha')]);
      expect(await ids({ sort: '-balance' })).toEqual([id('alpha'), id('charlie'), id('alpha2'), id('home'), id('bravo')]);
      // No account number (null) sorts first ascending.
      expect(await ids({ sort: 'accountNumber', type: 'normal' })).toEqual([id('alpha2'), id('bravo'), id('charlie'), id('alpha')]);
      expect(await ids({ sort: 'type' })).toEqual([...all.filter((x) => x !== id('home')).sort((a, b) => a - b), id('home')]);
      // Descending: prepaid before postpaid, and the newer first within each.
      expect(await ids({ sort: '-billingType', type: 'normal' })).toEqual([id('alpha2'), id('bravo'), id('charlie'), id('alpha')]);
      // Pages of a sort are slices of the whole, in order.
      const pages = [];
      for (const page of [1, 2, 3]) pages.push(...(await ids({ sort: '-balance', page, pageSize: 2 })));
      expect(pages).toEqual(await ids({ sort: '-balance' }));
    });

    it('refuses an unknown sort column or a bad filter with 400 validation_failed naming the field', async () => {
      for (const [q, field] of [
        [{ sort: 'password' }, 'sort'],
        [{ sort: '-' }, 'sort'],
        [{ sort: 'name,id' }, 'sort'],
        [{ type: 'business' }, 'type'],
        [{ billingType: 'free' }, 'billingType'],
        [{ locked: 'yes' }, 'locked'],
        [{ balanceMin: '1e3' }, 'balanceMin'],
        [{ format: 'xml' }, 'format'],
      ] as const) {
        const res = await list(q).expect(400);
        expect(res.body).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field })] });
      }
      const sort = await list({ sort: 'nope' }).expect(400);
      expect(sort.body.details[0].message).toMatch(/must be one of name, -name, accountNumber/);
    });

    it('answers an empty page past the end, with the total', async () => {
      const res = await list({ page: 99, pageSize: 2 }).expect(200);
      expect(res.body).toEqual({ items: [], page: 99, pageSize: 2, total: 5 });
    });
  });

  describe('CSV export', () => {
    const rowsOf = (text: string) => parse(text, { columns: true }) as Array<Record<string, string>>;

    it('with ?format=csv and with Accept: text/csv: the whole list, same filters and sort, no paging', async () => {
      const byFormat = await list({ format: 'csv', billingType: 'postpaid', sort: '-balance', pageSize: 1 }).expect(200);
      expect(byFormat.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(byFormat.headers['content-disposition']).toBe('attachment; filename="customers.csv"');
      expect(byFormat.text.split('\n')[0]).toBe(
        'id,parent_id,name,account_number,type,reseller,billing_type,payment_type,email,number,username,balance,currency,credit_limit,locked_web,locked_calls,deleted,created_at',
      );
      const rows = rowsOf(byFormat.text);
      expect(rows.map((r) => [Number(r.id), r.name, r.account_number, r.billing_type, r.balance])).toEqual([
        [id('alpha'), 'Alpha Ltd', 'ACC-300', 'postpaid', '25.00'],
        [id('charlie'), 'Charlie Ltd', 'ACC-200', 'postpaid', '5.00'],
      ]);
      expect(rows[1]).toMatchObject({ parent_id: String(gb.id), username: 'charlie.login', email: 'billing@charlie.example', locked_web: 'false' });

      const byAccept = await list({ billingType: 'postpaid', sort: '-balance' }).set('Accept', 'text/csv').expect(200);
      expect(byAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(byAccept.text).toBe(byFormat.text);
      // JSON wins unless CSV is asked for: */*, both, or format=json.
      for (const accept of ['*/*', 'application/json, text/csv', 'text/csv;q=0.5, application/json']) {
        const res = await list({}).set('Accept', accept).expect(200);
        expect([accept, res.headers['content-type']]).toEqual([accept, expect.stringMatching(/^application\/json/)]);
      }
      expect((await list({ format: 'json' }).set('Accept', 'text/csv').expect(200)).body.total).toBe(5);
    });

    it('exports what the search finds, a search by number included; an empty list is the header alone', async () => {
      const found = rowsOf((await list({ format: 'csv', search: `+44 20 ${numberOf.home.slice(4, 8)} ${numberOf.home.slice(8)}` }).expect(200)).text);
      expect(found.map((r) => [Number(r.id), r.type, r.number])).toEqual([[id('home'), 'residential', numberOf.home]]);
      const none = await list({ format: 'csv', search: unique('nothing-') }).expect(200);
      expect(none.text.trim().split('\n')).toHaveLength(1);
    });

    it('keeps a text cell that a spreadsheet would run as a formula as text', async () => {
      const r = await createReseller(t, t.auth);
      await createCustomer(t, r.auth, { name: '=HYPERLINK("http://evil.example","x")' });
      const [row] = rowsOf((await list({ format: 'csv' }, r.auth).expect(200)).text);
      expect(row.name).toBe(`'=HYPERLINK("http://evil.example","x")`);
    });

    it('answers a refused request as the JSON error, before any CSV', async () => {
      const other = await createReseller(t, t.auth);
      const res = await list({ format: 'csv', parentId: other.id }).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.code).toBe('not_found');
      const bad = await list({ sort: 'secret' }).set('Accept', 'text/csv').expect(400);
      expect(bad.body.code).toBe('validation_failed');
    });
  });

  describe('the page', () => {
    it('sorts by a column header, filters, links the same list as CSV, and says when a page is past the end', async () => {
      const agent = await webLogin(t, gb.username, gb.password);
      const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
      const sorted = await agent.get('/customers').query({ sort: '-balance' }).expect(200);
      const text = textOf(sorted.text);
      expect(text.indexOf('Alpha Ltd')).toBeLessThan(text.indexOf('Charlie Ltd'));
      expect(text.indexOf('Charlie Ltd')).toBeLessThan(text.indexOf('Bravo Ltd'));
      expect(html(sorted)).toMatch(/<th scope="col" aria-sort="descending" class="num"><a class="sort-link" href="\/customers\?sort=balance">Balance/);
      expect(html(sorted)).toContain('href="/customers?sort=name"');

      const filtered = await agent.get('/customers').query({ billingType: 'postpaid', balance: 'positive', sort: 'accountNumber' }).expect(200);
      expect(textOf(filtered.text)).toMatch(/Charlie Ltd.*Alpha Ltd/);
      expect(textOf(filtered.text)).not.toContain('Bravo Ltd');
      expect(textOf(filtered.text)).not.toContain(numberOf.home);
      const csvUrl = /href="([^"]+)" download>Export CSV/.exec(html(filtered))![1];
      expect(csvUrl).toBe('/api/v1/customers?format=csv&billingType=postpaid&balanceMin=0.000001&sort=accountNumber');
      const csv = await agent.get(csvUrl).expect(200);
      expect(csv.text.trim().split('\n').slice(1).map((l) => l.split(',')[2])).toEqual(['Charlie Ltd', 'Alpha Ltd']);

      const past = await agent.get('/customers').query({ page: 9, search: 'ltd' }).expect(200);
      const pastText = textOf(past.text);
      expect(pastText).toContain('There is no page 9: the list has 4 entries on 1 page.');
      expect(pastText).not.toMatch(/No customers yet|No customer matches|–/);
      expect(html(past)).toContain('href="/customers?search=ltd">Go to page 1</a>');

      const none = await agent.get('/customers').query({ type: 'residential', reseller: 'true' }).expect(200);
      expect(textOf(none.text)).toContain('No customer matches these filters.');
      // Values the page does not offer are ignored rather than refused.
      expect((await agent.get('/customers').query({ sort: 'secret', type: 'x', balance: 'huge' })).status).toBe(200);
    });
  });
});
