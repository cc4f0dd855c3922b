import { parse } from 'csv-parse/sync';
import { TopUpRequestEntity } from '../../src/modules/billing/topups/entities/topup-request.entity';
import { Money } from '../../src/shared/money';
import { startTestApp, TestApp } from '../helpers/app';
import { createCustomer, createReseller, ResellerLogin } from '../factories/customers';
import { textOf, webLogin } from './admin-helpers';

/** Top-up requests (Commerce » Requests) sorted and exported as CSV (issue #14 item 9), through the API and the page. */
describe('lists: top-up requests', () => {
  let t: TestApp;
  let r: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    r = await createReseller(t, t.auth);
    // Rows as the automatic top-up writes them (the flow itself is tested in billing-topups).
    for (const [name, amount, status, at] of [
      ['Req Bravo', '20.00', 'approved', '2026-11-02T10:00:00Z'],
      ['Req Alpha', '50.00', 'pending', '2026-11-03T10:00:00Z'],
      ['Req Charlie', '10.00', 'rejected', '2026-11-01T10:00:00Z'],
    ] as const) {
      const c = await createCustomer(t, r.auth, { name });
      await t.dataSource.getRepository(TopUpRequestEntity).insert({
        customerId: c.id,
        parentId: r.id,
        openCustomerId: status === 'pending' ? c.id : null,
        customerName: name,
        accountNumber: null,
        amount: Money.of(amount),
        currency: 'EUR',
        balanceAtRequest: Money.of('-1.00'),
        status,
        channel: 'parent',
        automatic: true,
        provider: null,
        providerReference: null,
        attempts: 0,
        reason: null,
        decidedByPersonId: null,
        ledgerTransactionId: null,
        createdAt: new Date(at),
        decidedAt: null,
      });
    }
  });
  afterAll(() => t.close());

  const list = (q: Record<string, unknown>) => t.http.get('/api/v1/topup-requests').query(q).set(r.auth);
  const names = async (q: Record<string, unknown>) => ((await list(q).expect(200)).body.items as Array<{ customerName: string }>).map((x) => x.customerName);

  it('sorts both ways (newest first by default) and refuses an unknown column', async () => {
    expect(await names({})).toEqual(['Req Alpha', 'Req Bravo', 'Req Charlie']);
    expect(await names({ sort: 'amount' })).toEqual(['Req Charlie', 'Req Bravo', 'Req Alpha']);
    expect(await names({ sort: '-customerName' })).toEqual(['Req Charlie', 'Req Bravo', 'Req Alpha']);
    expect(await names({ sort: 'status', status: 'pending' })).toEqual(['Req Alpha']);
    expect((await list({ sort: 'parentId' }).expect(400)).body.details[0].field).toBe('sort');
  });

  it('exports with ?format=csv and Accept: text/csv, same filter and sort', async () => {
    const csv = await list({ format: 'csv', sort: 'amount' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((x) => [x.customer_name, x.amount, x.status])).toEqual([
      ['Req Charlie', '10.00', 'rejected'],
      ['Req Bravo', '20.00', 'approved'],
      ['Req Alpha', '50.00', 'pending'],
    ]);
    expect((await list({ sort: 'amount' }).set('Accept', 'text/csv').expect(200)).text).toBe(csv.text);
  });

  it('the page sorts by a header and links the export', async () => {
    const agent = await webLogin(t, r.username, r.password);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const page = await agent.get('/requests').query({ sort: '-amount' }).expect(200);
    expect(textOf(page.text)).toMatch(/Req Alpha.*Req Bravo.*Req Charlie/);
    expect(html(page)).toContain('href="/api/v1/topup-requests?format=csv&sort=-amount" download');
    const past = await agent.get('/requests').query({ page: 2 }).expect(200);
    expect(textOf(past.text)).toContain('There is no page 2: the list has 3 entries on 1 page.');
  });
});
