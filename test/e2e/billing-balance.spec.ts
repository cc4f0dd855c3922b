import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { Money } from '../../src/shared/money';
import { balanceRow, billingCounts, credit, ledgerRows, ledgerSum, postBalance } from '../factories/billing';
import {
  createCustomer,
  createCustomerWithLogin,
  createPersonWithLogin,
  createReseller,
  deleteCustomer,
  type ResellerLogin,
} from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/** POST /customers/:id/balance, GET /customers/:id/balance and /transactions, and the customer's `balance`. */
describe(`billing: balances and transactions on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  /** A reseller under the system owner, its customer, and a reseller of another branch with its customer. */
  let reseller: ResellerLogin;
  let customer: ResellerLogin;
  let other: ResellerLogin;
  let otherCustomer: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
    customer = await createCustomerWithLogin(t, reseller.auth);
    other = await createReseller(t, t.auth);
    otherCustomer = await createCustomerWithLogin(t, other.auth);
  });
  afterAll(() => t.close());

  const customerBalance = async (auth: ResellerLogin['auth'], id: number) =>
    (await t.http.get(`/api/v1/customers/${id}`).set(auth).expect(200)).body.balance as string;

  describe('credit, top-up and payment', () => {
    it('each moves the balance by its amount and writes one transaction', async () => {
      const c = await createCustomer(t, reseller.auth);
      const steps: Array<[string, string, string, string]> = [
        ['credit', '10.00', 'Credit', '10.00'],
        ['topup', '2.5', 'Top-up', '12.50'],
        ['payment', '0.000001', 'Payment', '12.500001'],
      ];
      for (const [i, [type, amount, description, balance]] of steps.entries()) {
        const res = await postBalance(t, reseller.auth, c.id as number, { amount, type });
        expect(res.status).toBe(201);
        expect(res.body).toEqual({
          transaction: {
            id: expect.any(Number),
            customerId: c.id,
            type,
            amount: Money.of(amount).toString(),
            currency: 'EUR',
            originalAmount: null,
            originalCurrency: null,
            exchangeRate: null,
            description,
            reference: null,
            actorPersonId: expect.any(Number),
            callId: null,
            invoiceId: null,
            createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          },
          balance,
        });
        const rows = await ledgerRows(t, c.id as number);
        expect(rows).toHaveLength(i + 1);
        expect(rows[i]).toMatchObject({ id: res.body.transaction.id, type, description });
        expect(await balanceRow(t, c.id as number)).toBe(balance);
        expect(await customerBalance(reseller.auth, c.id as number)).toBe(balance);
      }
      expect(await ledgerSum(t, c.id as number)).toBe('12.500001');
    });

    it('records the description, the reference and the real person who posted it, and audits it', async () => {
      const c = await createCustomer(t, reseller.auth);
      const res = await postBalance(t, reseller.auth, c.id as number, {
        amount: '40.00',
        type: 'payment',
        description: '  Bank transfer of 3 March ',
        reference: 'TRX-42',
      }).expect(201);
      const [row] = await ledgerRows(t, c.id as number);
      const person = await t.dataSource.query('SELECT id FROM people WHERE username = ?', [reseller.username]);
      expect(row).toMatchObject({ description: 'Bank transfer of 3 March', reference: 'TRX-42', actorPersonId: Number(person[0].id) });
      const audit = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findOneByOrFail({ action: 'balance_posted', customerId: c.id as number });
      expect(audit).toMatchObject({
        entityType: 'ledger_transaction',
        entityId: String(res.body.transaction.id),
        actorPersonId: Number(person[0].id),
      });
      expect(JSON.parse(audit.details!)).toEqual({
        type: 'payment',
        amount: '40.00',
        currency: 'EUR',
        balance: '40.00',
        reference: 'TRX-42',
      });
    });

    it('may be posted by any administrator of an ancestor: the system owner credits its grandchild', async () => {
      const before = await customerBalance(t.auth, customer.id);
      const res = await postBalance(t, t.auth, customer.id, { amount: '1.25', type: 'topup' }).expect(201);
      expect(res.body.balance).toBe(Money.of(before).plus(Money.of('1.25')).toString());
    });

    it("posts in the customer's currency", async () => {
      const usd = await createCustomer(t, reseller.auth, { currency: 'USD' });
      const res = await postBalance(t, reseller.auth, usd.id as number, { amount: '5.00', type: 'credit' }).expect(201);
      expect(res.body.transaction.currency).toBe('USD');
      expect((await t.http.get(`/api/v1/customers/${usd.id}/balance`).set(reseller.auth).expect(200)).body).toEqual({
        customerId: usd.id,
        balance: '5.00',
        currency: 'USD',
      });
    });
  });

  describe('refusals change nothing', () => {
    const badBodies: Array<[string, Record<string, unknown>, string]> = [
      ['a negative amount', { amount: '-1.00', type: 'credit' }, 'amount'],
      ['a zero amount', { amount: '0.00', type: 'credit' }, 'amount'],
      ['zero without decimals', { amount: '0', type: 'credit' }, 'amount'],
      ['7 decimal places', { amount: '1.0000001', type: 'credit' }, 'amount'],
      ['a JSON number', { amount: 10, type: 'credit' }, 'amount'],
      ['an exponent', { amount: '1e3', type: 'credit' }, 'amount'],
      ['a plus sign', { amount: '+5.00', type: 'credit' }, 'amount'],
      ['an amount beyond the storable range', { amount: '9007199254.740992', type: 'credit' }, 'amount'],
      ['no amount', { type: 'credit' }, 'amount'],
      ['an unknown type', { amount: '5.00', type: 'bonus' }, 'type'],
      ['a ledger type that is not posted by hand', { amount: '5.00', type: 'adjustment' }, 'type'],
      ['no type', { amount: '5.00' }, 'type'],
      ['a description of 501 characters', { amount: '5.00', type: 'credit', description: 'd'.repeat(501) }, 'description'],
      ['a description that is not text', { amount: '5.00', type: 'credit', description: 5 }, 'description'],
      ['a reference of 101 characters', { amount: '5.00', type: 'credit', reference: 'r'.repeat(101) }, 'reference'],
      ['an unknown field', { amount: '5.00', type: 'credit', currency: 'USD' }, 'currency'],
    ];

    it.each(badBodies)('%s: 400 validation_failed naming the field', async (_what, body, field) => {
      const before = await billingCounts(t);
      const res = await postBalance(t, reseller.auth, customer.id, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'validation_failed' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await billingCounts(t)).toEqual(before);
    });

    it('a body that is not JSON: 400 malformed_body', async () => {
      const before = await billingCounts(t);
      const res = await t.http
        .post(`/api/v1/customers/${customer.id}/balance`)
        .set(reseller.auth)
        .set('Content-Type', 'application/json')
        .send('{"amount": "5.00", ');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('malformed_body');
      expect(await billingCounts(t)).toEqual(before);
    });

    const refusals: Array<[string, number, string, () => { auth: ResellerLogin['auth']; id: number | string }]> = [
      ['an unknown customer', 404, 'not_found', () => ({ auth: reseller.auth, id: 999_999 })],
      ["another branch's customer", 404, 'not_found', () => ({ auth: reseller.auth, id: otherCustomer.id })],
      ["the customer's own parent (outside its tree)", 404, 'not_found', () => ({ auth: customer.auth, id: reseller.id })],
      ['the caller itself (a customer cannot credit itself)', 403, 'forbidden', () => ({ auth: customer.auth, id: customer.id })],
      ["a reseller's own balance", 403, 'forbidden', () => ({ auth: reseller.auth, id: reseller.id })],
      ["the system owner's own balance", 403, 'forbidden', () => ({ auth: t.auth, id: 1 })],
      ['a customer id that is not a number', 400, 'validation_failed', () => ({ auth: reseller.auth, id: 'abc' })],
    ];

    it.each(refusals)('%s: %i %s', async (_what, status, code, who) => {
      const { auth, id } = who();
      const before = await billingCounts(t);
      const res = await postBalance(t, auth, id, { amount: '5.00', type: 'credit' });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status, code });
      expect(await billingCounts(t)).toEqual(before);
    });

    it('an ordinary user of the parent: 403', async () => {
      const user = await createPersonWithLogin(t, reseller.auth, reseller.id, { role: 'user' });
      const before = await billingCounts(t);
      const res = await postBalance(t, user.auth, customer.id, { amount: '5.00', type: 'credit' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
      expect(await billingCounts(t)).toEqual(before);
    });

    it('a deleted customer: 409 until it is undeleted', async () => {
      const c = await createCustomer(t, reseller.auth);
      await deleteCustomer(t, reseller.auth, c.id as number);
      const before = await billingCounts(t);
      const res = await postBalance(t, reseller.auth, c.id as number, { amount: '5.00', type: 'credit' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('conflict');
      expect(await billingCounts(t)).toEqual(before);
      // Its history stays readable.
      expect((await t.http.get(`/api/v1/customers/${c.id}/transactions`).set(reseller.auth)).status).toBe(200);
    });

    it('a balance that would leave the storable range: 422, nothing moved', async () => {
      const c = await createCustomer(t, reseller.auth);
      await credit(t, reseller.auth, c.id as number, '9007199254.740991');
      const before = await billingCounts(t);
      const res = await postBalance(t, reseller.auth, c.id as number, { amount: '0.000001', type: 'credit' });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('business_rule');
      expect(await billingCounts(t)).toEqual(before);
      expect(await customerBalance(reseller.auth, c.id as number)).toBe('9007199254.740991');
    });
  });

  describe('transactions', () => {
    let c: number;
    const ids: number[] = [];
    beforeAll(async () => {
      c = (await createCustomer(t, reseller.auth)).id as number;
      const times = [
        '2026-03-01T10:00:00Z',
        '2026-03-02T10:00:00Z',
        '2026-03-03T10:00:00Z',
        '2026-03-04T10:00:00Z',
        '2026-03-05T10:00:00Z',
      ];
      const types = ['credit', 'topup', 'payment', 'credit', 'topup'];
      for (const [i, at] of times.entries()) {
        t.clock.freeze(new Date(at));
        ids.push((await postBalance(t, reseller.auth, c, { amount: `${i + 1}.00`, type: types[i] }).expect(201)).body.transaction.id);
      }
      t.clock.setNow(new Date());
    });
    const list = (query: Record<string, string | number>, auth = reseller.auth) =>
      t.http.get(`/api/v1/customers/${c}/transactions`).query(query).set(auth);

    it('lists them newest first, a page at a time, with the total', async () => {
      const first = await list({ pageSize: 2 }).expect(200);
      expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 5 });
      expect(first.body.items.map((i: { id: number }) => i.id)).toEqual([ids[4], ids[3]]);
      expect(first.body.items[0]).toMatchObject({ amount: '5.00', type: 'topup', createdAt: '2026-03-05T10:00:00.000Z' });
      const last = await list({ pageSize: 2, page: 3 }).expect(200);
      expect(last.body.items.map((i: { id: number }) => i.id)).toEqual([ids[0]]);
      expect((await list({ page: 9 }).expect(200)).body).toEqual({ items: [], page: 9, pageSize: 50, total: 5 });
    });

    it('filters by type and by time (from inclusive, to exclusive)', async () => {
      const credits = await list({ type: 'credit' }).expect(200);
      expect(credits.body.items.map((i: { id: number }) => i.id)).toEqual([ids[3], ids[0]]);
      const window = await list({ from: '2026-03-02T10:00:00Z', to: '2026-03-04T10:00:00Z' }).expect(200);
      expect(window.body.items.map((i: { id: number }) => i.id)).toEqual([ids[2], ids[1]]);
      expect(window.body.total).toBe(2);
      const offset = await list({ from: '2026-03-02T11:00:00+01:00' }).expect(200);
      expect(offset.body.total).toBe(4);
    });

    it('is readable by the customer itself, and by nobody outside its tree', async () => {
      const mine = await createCustomerWithLogin(t, reseller.auth);
      await credit(t, reseller.auth, mine.id, '3.00');
      const own = await t.http.get(`/api/v1/customers/${mine.id}/transactions`).set(mine.auth).expect(200);
      expect(own.body.total).toBe(1);
      expect((await t.http.get(`/api/v1/customers/${mine.id}/balance`).set(mine.auth).expect(200)).body.balance).toBe('3.00');
      for (const path of ['transactions', 'balance']) {
        const res = await t.http.get(`/api/v1/customers/${mine.id}/${path}`).set(other.auth);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    });

    it.each([
      [{ type: 'bonus' }, 'type'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-03-01' }, 'to'],
      [{ from: '2026-03-02T00:00:00Z', to: '2026-03-02T00:00:00Z' }, 'to'],
      [{ pageSize: 501 }, 'pageSize'],
      [{ page: 0 }, 'page'],
    ] as Array<[Record<string, string | number>, string]>)('refuses %j: 400 naming %s', async (query, field) => {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });

  it('is described in the OpenAPI document, with the Idempotency-Key header', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    const post = doc.paths['/api/v1/customers/{customerId}/balance'].post;
    expect(post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]),
    );
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '403', '404', '409']));
    expect(doc.paths['/api/v1/customers/{customerId}/balance'].get).toBeDefined();
    expect(doc.paths['/api/v1/customers/{customerId}/transactions'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['customerId', 'page', 'pageSize', 'from', 'to', 'type']),
    );
    expect(doc.components.schemas.PostBalanceDto.required).toEqual(['amount', 'type']);
    expect(doc.components.schemas.PostBalanceDto.properties.type.enum).toEqual(['credit', 'topup', 'payment']);
  });

  describe('the customer API', () => {
    it('still answers `balance`: 0.00 for a new customer, the ledger balance after postings, in reads and lists', async () => {
      const created = await createCustomer(t, reseller.auth);
      expect(created.balance).toBe('0.00');
      expect(await customerBalance(reseller.auth, created.id as number)).toBe('0.00');
      await credit(t, reseller.auth, created.id as number, '7.10');
      await credit(t, reseller.auth, created.id as number, '0.015', 'payment');
      expect(await customerBalance(reseller.auth, created.id as number)).toBe('7.115');
      const list = await t.http.get('/api/v1/customers').query({ pageSize: 500 }).set(reseller.auth).expect(200);
      const item = list.body.items.find((i: { id: number }) => i.id === created.id);
      expect(item.balance).toBe('7.115');
      // Every other customer in the list shows its own balance (0.00 without postings).
      for (const i of list.body.items as Array<{ id: number; balance: string }>) {
        expect(i.balance).toBe((await balanceRow(t, i.id)) ?? '0.00');
      }
    });

    it('refuses a currency change while the balance is not 0 (409), and allows it at 0', async () => {
      const c = await createCustomer(t, reseller.auth);
      await credit(t, reseller.auth, c.id as number, '1.00');
      const res = await t.http.patch(`/api/v1/customers/${c.id}`).set(reseller.auth).send({ currency: 'USD' });
      expect(res.status).toBe(409);
      expect(res.body.details[0].field).toBe('currency');
      const zero = await createCustomer(t, reseller.auth);
      expect(
        (await t.http.patch(`/api/v1/customers/${zero.id}`).set(reseller.auth).send({ currency: 'USD' }).expect(200)).body.currency,
      ).toBe('USD');
    });
  });
});
