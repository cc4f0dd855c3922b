import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { insertPerson } from '../factories/rows';
import { loginHeader, startTestApp, TestApp } from '../helpers/app';
import {
  addDialPlan,
  addNumber,
  addRatePlan,
  addTax,
  Auth,
  createCustomer,
  createReseller,
  customerInput,
  customerRow,
  customerRowCounts,
  CustomerBody,
  ResellerLogin,
} from '../factories/customers';

/**
 *   root (1)
 *   ├── R1 (reseller)            ← r1 logs in here
 *   │   └── R2 (reseller)        ← r2 logs in here
 *   │       └── C3 (normal)
 *   └── S1 (reseller)            ← another branch
 *       └── S2 (normal)
 */
describe('customers: the reseller tree and scoping (HTTP)', () => {
  let t: TestApp;
  let r1: ResellerLogin;
  let r2: ResellerLogin;
  let c3: CustomerBody;
  let s1: ResellerLogin;
  let s2: CustomerBody;

  beforeAll(async () => {
    t = await startTestApp();
    r1 = await createReseller(t, t.auth);
    r2 = await createReseller(t, r1.auth);
    c3 = await createCustomer(t, r2.auth, { accountNumber: 'C3' });
    s1 = await createReseller(t, t.auth);
    s2 = await createCustomer(t, s1.auth);
  });
  afterAll(() => t.close());

  const get = (auth: Auth, id: number) => t.http.get(`/api/v1/customers/${id}`).set(auth);

  it('builds the tree three levels deep with materialised paths', async () => {
    expect((await customerRow(t, r1.id)).path).toBe(`/1/${r1.id}/`);
    expect((await customerRow(t, r2.id)).path).toBe(`/1/${r1.id}/${r2.id}/`);
    const row = await customerRow(t, c3.id);
    expect(row).toMatchObject({ path: `/1/${r1.id}/${r2.id}/${c3.id}/`, depth: 3, parentId: r2.id });
    // r1 may add customers anywhere below it.
    const deep = await createCustomer(t, r1.auth, { parentId: r2.id });
    expect((await customerRow(t, deep.id)).path).toBe(`/1/${r1.id}/${r2.id}/${deep.id}/`);
    expect((await t.http.delete(`/api/v1/customers/${deep.id}`).set(r1.auth)).status).toBe(204);
  });

  it("lists the caller's children by default, a descendant's children with parentId, and the whole subtree with recursive=true", async () => {
    const ids = (res: { body: { items: Array<{ id: number }> } }) => res.body.items.map((c) => c.id);
    expect(ids(await t.http.get('/api/v1/customers').set(r1.auth))).toEqual([r2.id]);
    expect(ids(await t.http.get('/api/v1/customers').query({ parentId: r2.id }).set(r1.auth))).toEqual([c3.id]);
    const all = await t.http.get('/api/v1/customers').query({ recursive: 'true' }).set(r1.auth);
    expect(ids(all).sort()).toEqual([r2.id, c3.id].sort());
    expect(all.body.total).toBe(2);
    const rootAll = await t.http.get('/api/v1/customers').query({ recursive: 'true', pageSize: 500 }).set(t.auth);
    expect(ids(rootAll)).toEqual(expect.arrayContaining([r1.id, r2.id, c3.id, s1.id, s2.id]));
    expect(ids(rootAll)).not.toContain(1);
  });

  it('should not read a customer of another branch', async () => {
    for (const id of [s1.id, s2.id, 1]) {
      const res = await get(r1.auth, id);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', code: 'not_found', message: 'customer not found', details: [] });
    }
    // Nor upwards: R2 cannot see its own parent.
    expect((await get(r2.auth, r1.id)).status).toBe(404);
    expect((await t.http.get('/api/v1/customers').query({ parentId: s1.id }).set(r1.auth)).status).toBe(404);
    expect((await t.http.get('/api/v1/customers').query({ parentId: r1.id }).set(r2.auth)).status).toBe(404);
    expect((await t.http.get('/api/v1/customers/form-options').query({ parentId: s1.id }).set(r1.auth)).status).toBe(404);
    const search = await t.http.get('/api/v1/customers').query({ recursive: 'true', search: s2.name }).set(r1.auth);
    expect(search.body.items).toEqual([]);
    // Its own customer and everything below are visible.
    expect((await get(r1.auth, r1.id)).status).toBe(200);
    expect((await get(r1.auth, c3.id)).body.accountNumber).toBe('C3');
  });

  it('should not change a customer of another branch', async () => {
    const before = await customerRow(t, s2.id);
    const counts = await customerRowCounts(t);
    expect((await t.http.patch(`/api/v1/customers/${s2.id}`).set(r1.auth).send({ name: 'Hijacked' })).status).toBe(404);
    expect((await t.http.patch(`/api/v1/customers/${s1.id}`).set(r1.auth).send({ lockedWeb: true })).status).toBe(404);
    expect((await t.http.delete(`/api/v1/customers/${s2.id}`).set(r1.auth)).status).toBe(404);
    expect((await t.http.post(`/api/v1/customers/${s2.id}/undelete`).set(r1.auth)).status).toBe(404);
    expect((await t.http.patch(`/api/v1/customers/${r1.id}`).set(r2.auth).send({ name: 'Up' })).status).toBe(404);
    expect(await customerRow(t, s2.id)).toEqual(before);
    expect(await customerRowCounts(t)).toEqual(counts);

    // A deleted customer of another branch cannot be undeleted either.
    const gone = await createCustomer(t, s1.auth);
    expect((await t.http.delete(`/api/v1/customers/${gone.id}`).set(s1.auth)).status).toBe(204);
    expect((await t.http.post(`/api/v1/customers/${gone.id}/undelete`).set(r1.auth)).status).toBe(404);
    expect((await customerRow(t, gone.id)).deletedAt).not.toBeNull();

    // Another branch's objects cannot be used when creating or changing.
    const plan = await addRatePlan(t, s1.id, { sharing: 'children' });
    const tax = await addTax(t, s1.id);
    const dial = await addDialPlan(t, s1.id);
    const number = await addNumber(t, s1.id, '442079000001');
    const attempts: Array<[Record<string, unknown>]> = [
      [{ parentId: s1.id }],
      [{ parentId: s2.id }],
      [{ ratePlanId: plan.id }],
      [{ taxIds: [tax.id] }],
      [{ dialPlanId: dial.id }],
      [{ affiliate: { customerId: s2.id, percentage: '1', basis: 'revenue' } }],
    ];
    for (const [fields] of attempts) {
      const c = await customerRowCounts(t);
      const res = await t.http
        .post('/api/v1/customers')
        .set(r1.auth)
        .send(await customerInput(t, fields));
      expect({ fields, status: res.status }).toEqual({ fields, status: 404 });
      expect(await customerRowCounts(t)).toEqual(c);
      const patch = await t.http
        .patch(`/api/v1/customers/${r2.id}`)
        .set(r1.auth)
        .send(fields.parentId ? { parentId: fields.parentId } : fields);
      expect([400, 404]).toContain(patch.status);
    }
    const residential = await t.http
      .post('/api/v1/customers')
      .set(r1.auth)
      .send({ type: 'residential', number: number.number, personName: 'P', email: 'p@example.com', ratePlanId: plan.id });
    // Both problems at once (issue #14): a plan of another branch and a number that is not free here.
    expect(residential.status).toBe(400);
    expect(residential.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'ratePlanId', code: 'not_found' }),
        expect.objectContaining({ field: 'number', code: 'already_exists' }),
      ]),
    );
    const res = await t.http
      .post('/api/v1/customers')
      .set(r1.auth)
      .send({
        type: 'residential',
        number: number.number,
        personName: 'P',
        email: 'p@example.com',
        ratePlanId: (await customerRow(t, r1.id)).ratePlanId,
      });
    expect(res.status).toBe(409);
  });

  it("lets a customer's own administrators change only their own self-service fields", async () => {
    let res = await t.http
      .patch(`/api/v1/customers/${r1.id}`)
      .set(r1.auth)
      .send({ description: 'Our own words', timezone: 'Europe/Paris', billingAddress: { city: 'Paris', country: 'FR' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      description: 'Our own words',
      timezone: 'Europe/Paris',
      billingAddress: { city: 'Paris', country: 'FR' },
    });
    const before = await customerRow(t, r1.id);
    for (const body of [
      { creditLimit: '1000.00' },
      { lockedWeb: true },
      { ratePlanId: before.ratePlanId },
      { billingType: 'postpaid' },
      { reseller: false },
      { accountNumber: 'MINE' },
    ]) {
      res = await t.http.patch(`/api/v1/customers/${r1.id}`).set(r1.auth).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 403 });
    }
    expect(await customerRow(t, r1.id)).toEqual(before);
    // Its parent may.
    res = await t.http.patch(`/api/v1/customers/${r1.id}`).set(t.auth).send({ creditLimit: '1000.00' });
    expect(res.body.creditLimit).toBe('1000.00');
    // The system owner cannot stop being a reseller, lock itself or be deleted.
    expect((await t.http.patch('/api/v1/customers/1').set(t.auth).send({ reseller: false })).status).toBe(403);
    expect((await t.http.patch('/api/v1/customers/1').set(t.auth).send({ lockedWeb: true })).status).toBe(403);
    expect((await t.http.delete('/api/v1/customers/1').set(t.auth)).status).toBe(403);
    const root = await t.http
      .patch('/api/v1/customers/1')
      .set(t.auth)
      .send({ taxReference: 'GB000', billingAddress: { line1: 'Root House', country: 'GB' } });
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ taxReference: 'GB000', parentId: null, ratePlanId: null });
  });

  it('lets ordinary users read but not change customers', async () => {
    const user = await insertPerson(t, r1.id, { username: 'r1-user', displayName: 'User', role: 'user', password: 'user-password-1' });
    expect((await get(user, r2.id)).status).toBe(200);
    expect(
      (
        await t.http
          .post('/api/v1/customers')
          .set(user)
          .send(await customerInput(t))
      ).status,
    ).toBe(403);
    expect((await t.http.patch(`/api/v1/customers/${r2.id}`).set(user).send({ name: 'x' })).status).toBe(403);
    expect((await t.http.delete(`/api/v1/customers/${c3.id}`).set(user)).status).toBe(403);
    expect((await t.http.get('/api/v1/customers')).status).toBe(401);
  });

  it('applies locks to the whole subtree, and shows the effective lock', async () => {
    let res = await t.http.patch(`/api/v1/customers/${r1.id}`).set(t.auth).send({ lockedWeb: true, lockedCalls: true });
    expect(res.body).toMatchObject({ lockedWeb: true, lockedWebEffective: true, lockedCalls: true, lockedCallsEffective: true });
    const r2View = (await get(t.auth, r2.id)).body;
    expect(r2View).toMatchObject({ lockedWeb: false, lockedWebEffective: true, lockedCalls: false, lockedCallsEffective: true });
    expect((await get(t.auth, c3.id)).body).toMatchObject({ lockedWebEffective: true, lockedCallsEffective: true });
    expect((await get(t.auth, s2.id)).body).toMatchObject({ lockedWebEffective: false, lockedCallsEffective: false });
    // People of the locked subtree are shut out at once.
    expect((await get(r1.auth, r1.id)).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/token').send({ username: r2.username, password: r2.password })).status).toBe(401);
    res = await t.http.patch(`/api/v1/customers/${r1.id}`).set(t.auth).send({ lockedWeb: false, lockedCalls: false });
    expect(res.body).toMatchObject({ lockedWebEffective: false, lockedCallsEffective: false, lockReason: null });
    r1.auth = await loginHeader(t, r1.username, r1.password);
    r2.auth = await loginHeader(t, r2.username, r2.password);
    expect((await get(r2.auth, r2.id)).status).toBe(200);
  });

  it('offers a form the plans, taxes, dial plans, numbers and affiliates of the chosen parent only', async () => {
    const ownPlan = await addRatePlan(t, r2.id);
    const parentShared = await addRatePlan(t, r1.id, { sharing: 'children' });
    const parentPrivate = await addRatePlan(t, r1.id);
    const foreign = await addRatePlan(t, s1.id, { sharing: 'recursive' });
    const ownTax = await addTax(t, r2.id, { defaultLiability: 'new' });
    const foreignTax = await addTax(t, s1.id);
    const dial = await addDialPlan(t, r1.id);
    const foreignDial = await addDialPlan(t, s1.id);
    const free = await addNumber(t, r2.id, '442079000100');
    await addNumber(t, r2.id, '442079000101', c3.id);
    const res = await t.http.get('/api/v1/customers/form-options').query({ parentId: r2.id }).set(r1.auth);
    expect(res.status).toBe(200);
    const o = res.body;
    const planIds = o.ratePlans.map((p: { id: number }) => p.id);
    expect(planIds).toEqual(expect.arrayContaining([ownPlan.id, parentShared.id]));
    expect(planIds).not.toContain(parentPrivate.id);
    expect(planIds).not.toContain(foreign.id);
    expect(o.taxes.map((x: { id: number }) => x.id)).toContain(ownTax.id);
    expect(o.taxes.map((x: { id: number }) => x.id)).not.toContain(foreignTax.id);
    expect(o.dialPlans.map((x: { id: number }) => x.id)).toContain(dial.id);
    expect(o.dialPlans.map((x: { id: number }) => x.id)).not.toContain(foreignDial.id);
    expect(o.freeNumbers).toEqual([{ id: free.id, number: free.number }]);
    expect(o.affiliates.map((x: { id: number }) => x.id)).toEqual([c3.id]);
    expect(o.parent).toMatchObject({ id: r2.id, reseller: true, canHaveCustomers: true });
    expect(o.settings).toEqual({ customerPrefixes: false, regions: false });
    expect(o.regions).toEqual([]);
    expect(o.currencies).toContain('EUR');
    expect(o.timeZones).toContain('Europe/London');
    expect(o.enums.billingTypes).toEqual(['prepaid', 'postpaid', 'prepaid_calls', 'prepaid_invoices', 'external', 'none']);
    expect(o.enums.contractMonths).toEqual([0, 1, 3, 6, 12, 18, 24, 36]);
    expect(o.defaults).toMatchObject({ billingType: 'prepaid', paymentType: 'none', taxIds: [ownTax.id] });
  });

  describe('list: search, paging, deleted', () => {
    let l: ResellerLogin;
    const made: Record<string, CustomerBody> = {};
    beforeAll(async () => {
      l = await createReseller(t, t.auth);
      const specs: Array<[string, Record<string, unknown>]> = [
        ['Delta', { accountNumber: 'ACC-D' }],
        ['Alpha', { email: 'alpha@findme.example' }],
        ['Charlie', { description: 'Has a Special description' }],
        ['Bravo', { billingReference: 'REF-bravo-7' }],
        ['Echo', {}],
        ['Same', {}],
        ['Same', {}],
        ['100% Fibre', {}],
        ['A_B', {}],
      ];
      for (const [name, extra] of specs) {
        const c = await createCustomer(t, l.auth, { name, ...extra });
        made[made[name] ? `${name}2` : name] = c;
      }
    });

    const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((c) => c.name);
    const list = (q: Record<string, unknown>) => t.http.get('/api/v1/customers').query(q).set(l.auth);

    it('sorts by name, then id, and pages', async () => {
      const all = await list({});
      expect(all.body.total).toBe(9);
      expect(names(all)).toEqual(['100% Fibre', 'A_B', 'Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Same', 'Same']);
      expect(all.body.items[7].id).toBeLessThan(all.body.items[8].id);
      const p2 = await list({ page: 2, pageSize: 4 });
      expect(p2.body).toMatchObject({ page: 2, pageSize: 4, total: 9 });
      expect(names(p2)).toEqual(['Charlie', 'Delta', 'Echo', 'Same']);
      expect(names(await list({ page: 3, pageSize: 4 }))).toEqual(['Same']);
      expect((await list({ page: 4, pageSize: 4 })).body.items).toEqual([]);
    });

    it('searches name, account number, email, description and billing reference, ignoring case', async () => {
      expect(names(await list({ search: 'LPH' }))).toEqual(['Alpha']);
      expect(names(await list({ search: 'acc-d' }))).toEqual(['Delta']);
      expect(names(await list({ search: 'FINDME' }))).toEqual(['Alpha']);
      expect(names(await list({ search: 'special' }))).toEqual(['Charlie']);
      expect(names(await list({ search: 'ref-BRAVO' }))).toEqual(['Bravo']);
      expect(names(await list({ search: 'nothing like this' }))).toEqual([]);
      // LIKE wildcards in the search text are literal.
      expect(names(await list({ search: '%' }))).toEqual(['100% Fibre']);
      expect(names(await list({ search: '_' }))).toEqual(['A_B']);
      const found = await list({ search: 'same', pageSize: 1 });
      expect(found.body.total).toBe(2);
    });

    it('leaves deleted customers out unless includeDeleted=true', async () => {
      expect((await t.http.delete(`/api/v1/customers/${made.Echo.id}`).set(l.auth)).status).toBe(204);
      expect(names(await list({}))).not.toContain('Echo');
      const withDeleted = await list({ includeDeleted: 'true' });
      expect(withDeleted.body.total).toBe(9);
      expect(withDeleted.body.items.find((c: { name: string }) => c.name === 'Echo')).toMatchObject({ deleted: true });
      expect(names(await list({ search: 'echo', includeDeleted: 'true' }))).toEqual(['Echo']);
      expect(names(await list({ search: 'echo' }))).toEqual([]);
    });

    it('refuses bad query parameters with a 400', async () => {
      for (const q of [
        { pageSize: 501 },
        { page: 0 },
        { page: 'x' },
        { recursive: 'yes' },
        { includeDeleted: '1' },
        { parentId: 'me' },
        { search: 'x'.repeat(101) },
        { sort: 'password' },
        { sort: 'name,balance' },
      ]) {
        const res = await list(q);
        expect({ q, status: res.status }).toEqual({ q, status: 400 });
      }
      expect((await t.http.get('/api/v1/customers/abc').set(l.auth)).status).toBe(400);
      expect((await t.http.get('/api/v1/customers/99999999').set(l.auth)).status).toBe(404);
    });
  });

  it('keeps a row for every customer created through the factories in the right place', async () => {
    const rows = await t.dataSource.getRepository(CustomerEntity).find();
    for (const row of rows) {
      if (row.parentId === null) continue;
      const parent = rows.find((p) => p.id === row.parentId)!;
      expect(row.path).toBe(`${parent.path}${row.id}/`);
      expect(row.depth).toBe(parent.depth + 1);
    }
  });
});
