import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { credit } from '../factories/billing';
import { createCustomer, createReseller, ResellerLogin } from '../factories/customers';
import { webLogin } from './admin-helpers';

/** A customer's ledger sorted and exported as CSV (issue #14 item 9), through the API and the balance page. */
describe('lists: ledger transactions', () => {
  let t: TestApp;
  let r: ResellerLogin;
  let id: number;

  beforeAll(async () => {
    t = await startTestApp();
    r = await createReseller(t, t.auth);
    id = (await createCustomer(t, r.auth, { name: 'Ledger Ltd' })).id;
    for (const [amount, type] of [
      ['5.00', 'credit'],
      ['20.00', 'topup'],
      ['1.50', 'payment'],
    ]) {
      await credit(t, r.auth, id, amount, type);
    }
  });
  afterAll(() => t.close());

  const list = (q: Record<string, unknown>) => t.http.get(`/api/v1/customers/${id}/transactions`).query(q).set(r.auth);
  const amounts = async (q: Record<string, unknown>) => ((await list(q).expect(200)).body.items as Array<{ amount: string }>).map((x) => x.amount);

  it('newest first by default, sorts by amount or type both ways, refuses an unknown column', async () => {
    expect(await amounts({})).toEqual(['1.50', '20.00', '5.00']);
    expect(await amounts({ sort: 'createdAt' })).toEqual(['5.00', '20.00', '1.50']);
    expect(await amounts({ sort: '-amount' })).toEqual(['20.00', '5.00', '1.50']);
    expect(await amounts({ sort: 'type' })).toEqual(['5.00', '1.50', '20.00']);
    expect((await list({ sort: 'balance' }).expect(400)).body.details[0].field).toBe('sort');
  });

  it('exports with ?format=csv and Accept: text/csv, same filter and sort; the balance page links it', async () => {
    const csv = await list({ format: 'csv', sort: 'amount', type: 'credit' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((x) => [x.type, x.amount])).toEqual([['credit', '5.00']]);
    expect((await list({ sort: 'amount', type: 'credit' }).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
    const agent = await webLogin(t, r.username, r.password);
    const page = await agent.get(`/customers/${id}/transactions`).expect(200);
    expect(page.text.replace(/&#x3D;/g, '=')).toContain(`href="/api/v1/customers/${id}/transactions?format=csv" download>Export CSV`);
  });
});
