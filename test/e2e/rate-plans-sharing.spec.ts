import { insertPerson } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';
import { addCustomer, createPlan, HEADER, setCustomerPlan, TestCustomer } from './rate-plans.fixtures';

describe('rate plans: sharing, tenancy and inheritance (HTTP)', () => {
  let t: TestApp;
  // root(1) ─ r1 ─ r1a ─ r1a1
  //         └ r2
  let r1: TestCustomer, r1a: TestCustomer, r1a1: TestCustomer, r2: TestCustomer;
  const plans: Record<string, Record<string, any>> = {};

  beforeAll(async () => {
    t = await startTestApp();
    r1 = await addCustomer(t);
    r1a = await addCustomer(t, { parentId: r1.id });
    r1a1 = await addCustomer(t, { parentId: r1a.id });
    r2 = await addCustomer(t);
    plans.rootPrivate = await createPlan(t, t.auth, { name: 'root private', sharing: 'private' });
    plans.rootChildren = await createPlan(t, t.auth, { name: 'root children', sharing: 'children' });
    plans.rootRecursive = await createPlan(t, t.auth, { name: 'root recursive', sharing: 'recursive' });
    plans.r1Private = await createPlan(t, r1.auth, { name: 'r1 private' });
    plans.r1Children = await createPlan(t, r1.auth, { name: 'r1 children', sharing: 'children' });
    plans.r1Recursive = await createPlan(t, r1.auth, { name: 'r1 recursive', sharing: 'recursive' });
  });
  afterAll(() => t.close());

  const names = async (auth: { Authorization: string }, query = '') => {
    const res = await t.http.get(`/api/v1/rate-plans?pageSize=500${query}`).set(auth);
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.items.map((p: any) => [p.name, p.editable]));
  };

  it('lists own plans (editable) and plans shared with the acting customer (read-only), own first', async () => {
    expect(await names(r1.auth)).toEqual({
      'r1 private': true,
      'r1 children': true,
      'r1 recursive': true,
      'root children': false,
      'root recursive': false,
      Default: false,
    });
    expect(await names(r1a.auth)).toEqual({ 'r1 children': false, 'r1 recursive': false, 'root recursive': false, Default: false });
    expect(await names(r1a1.auth)).toEqual({ 'r1 recursive': false, 'root recursive': false, Default: false });
    expect(await names(r2.auth)).toEqual({ 'root children': false, 'root recursive': false, Default: false });
    const res = await t.http.get('/api/v1/rate-plans?pageSize=500').set(r1.auth);
    expect(res.body.items.slice(0, 3).every((p: any) => p.ownerId === r1.id)).toBe(true);
  });

  it("lets an ancestor list a descendant's plans with ownerId, and read and edit them", async () => {
    expect(await names(t.auth, `&ownerId=${r1.id}`)).toMatchObject({ 'r1 private': true, 'root children': true });
    const read = await t.http.get(`/api/v1/rate-plans/${plans.r1Private.id}`).set(t.auth);
    expect(read.status).toBe(200);
    expect(read.body.editable).toBe(true);
    expect((await t.http.get(`/api/v1/rate-plans?ownerId=${r1.id}`).set(r2.auth)).status).toBe(404);
  });

  it('lets a sharee read and assign-check a shared plan but not change it (403 with a clear message)', async () => {
    const read = await t.http.get(`/api/v1/rate-plans/${plans.rootChildren.id}`).set(r1.auth);
    expect(read.status).toBe(200);
    expect(read.body.editable).toBe(false);
    const patch = await t.http.patch(`/api/v1/rate-plans/${plans.rootChildren.id}`).set(r1.auth).send({ name: 'mine now' });
    expect(patch.status).toBe(403);
    expect(patch.body.message).toMatch(/shared with you/);
    expect((await t.http.delete(`/api/v1/rate-plans/${plans.rootChildren.id}`).set(r1.auth)).status).toBe(403);
    const rate = await t.http
      .post(`/api/v1/rate-plans/${plans.rootChildren.id}/rates`)
      .set(r1.auth)
      .send({ prefix: '49', destination: 'DE', perMinute: '1.00' });
    expect(rate.status).toBe(403);
    const deck = await t.http
      .put(`/api/v1/rate-plans/${plans.rootChildren.id}/rates`)
      .set(r1.auth)
      .set('Content-Type', 'text/csv')
      .send(`${HEADER}\n49,DE,0,0,1,1,1,0,outbound\n`);
    expect(deck.status).toBe(403);
    expect((await t.http.get(`/api/v1/rate-plans/${plans.rootChildren.id}/rates`).set(r1.auth)).status).toBe(200);
    expect((await t.http.get(`/api/v1/rate-plans/${plans.rootChildren.id}`).set(t.auth)).body.name).toBe('root children');
  });

  it('answers 404 for a plan of another branch that is not shared with the caller', async () => {
    for (const id of [plans.r1Private.id, plans.r1Children.id, plans.r1Recursive.id, plans.rootPrivate.id]) {
      expect((await t.http.get(`/api/v1/rate-plans/${id}`).set(r2.auth)).status).toBe(404);
      expect((await t.http.patch(`/api/v1/rate-plans/${id}`).set(r2.auth).send({ name: 'x' })).status).toBe(404);
      expect((await t.http.delete(`/api/v1/rate-plans/${id}`).set(r2.auth)).status).toBe(404);
      expect((await t.http.get(`/api/v1/rate-plans/${id}/rates`).set(r2.auth)).status).toBe(404);
      expect((await t.http.get(`/api/v1/rate-plans/${id}/rates.csv`).set(r2.auth)).status).toBe(404);
      expect(
        (await t.http.put(`/api/v1/rate-plans/${id}/rates`).set(r2.auth).set('Content-Type', 'text/csv').send(`${HEADER}\n`)).status,
      ).toBe(404);
    }
    // Shared only with children: a grandchild does not see it.
    expect((await t.http.get(`/api/v1/rate-plans/${plans.rootChildren.id}`).set(r1a.auth)).status).toBe(404);
    expect((await t.http.get(`/api/v1/rate-plans/${plans.r1Children.id}`).set(r1a1.auth)).status).toBe(404);
    expect((await t.http.get(`/api/v1/rate-plans/${plans.r1Recursive.id}`).set(r1a1.auth)).status).toBe(200);
  });

  it('lets a user-role person read but not change plans', async () => {
    const auth = await insertPerson(t, r1.id, {
      username: 'r1-reader',
      displayName: 'Reader',
      role: 'user',
      password: 'a-long-password-2',
    });
    expect((await t.http.get(`/api/v1/rate-plans/${plans.r1Private.id}`).set(auth)).status).toBe(200);
    expect((await t.http.patch(`/api/v1/rate-plans/${plans.r1Private.id}`).set(auth).send({ name: 'x' })).status).toBe(403);
    expect((await t.http.post('/api/v1/rate-plans').set(auth).send({ name: 'x' })).status).toBe(403);
  });

  it('inherits only from plans visible to the owner', async () => {
    const ok = await t.http
      .post('/api/v1/rate-plans')
      .set(r1.auth)
      .send({ name: 'child of shared', inheritsFromId: plans.rootRecursive.id });
    expect(ok.status).toBe(201);
    expect(ok.body.inheritsFromId).toBe(plans.rootRecursive.id);
    for (const id of [plans.rootPrivate.id, plans.r1Private.id, 999999]) {
      const res = await t.http.post('/api/v1/rate-plans').set(r2.auth).send({ name: 'nope', inheritsFromId: id });
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe('inheritsFromId');
    }
  });

  it('refuses inheritance cycles of any length (409), and a different currency (400)', async () => {
    const a = await createPlan(t, r1.auth, { name: 'A' });
    const b = await createPlan(t, r1.auth, { name: 'B', inheritsFromId: a.id });
    const c = await createPlan(t, r1.auth, { name: 'C', inheritsFromId: b.id });
    const self = await t.http.patch(`/api/v1/rate-plans/${a.id}`).set(r1.auth).send({ inheritsFromId: a.id });
    expect(self.status).toBe(409);
    const two = await t.http.patch(`/api/v1/rate-plans/${a.id}`).set(r1.auth).send({ inheritsFromId: b.id });
    expect(two.status).toBe(409);
    expect(two.body.details[0]).toEqual({ field: 'inheritsFromId', message: expect.stringMatching(/cycle/), code: 'conflict' });
    const three = await t.http.patch(`/api/v1/rate-plans/${a.id}`).set(r1.auth).send({ inheritsFromId: c.id });
    expect(three.status).toBe(409);
    expect((await t.http.get(`/api/v1/rate-plans/${a.id}`).set(r1.auth)).body.inheritsFromId).toBeNull();

    const usd = await t.http.post('/api/v1/rate-plans').set(r1.auth).send({ name: 'USD', currency: 'USD', inheritsFromId: a.id });
    expect(usd.status).toBe(400);
    expect(usd.body.details[0].field).toBe('inheritsFromId');
    const switchCurrency = await t.http.patch(`/api/v1/rate-plans/${c.id}`).set(r1.auth).send({ currency: 'USD' });
    expect(switchCurrency.status).toBe(400);
    expect(switchCurrency.body.details[0].field).toBe('currency');
    const parentCurrency = await t.http.patch(`/api/v1/rate-plans/${a.id}`).set(r1.auth).send({ currency: 'USD' });
    expect(parentCurrency.status).toBe(409);
    // Removing the link is always allowed.
    expect((await t.http.patch(`/api/v1/rate-plans/${c.id}`).set(r1.auth).send({ inheritsFromId: null })).body.inheritsFromId).toBeNull();
  });

  it('refuses narrower sharing while customers or plans of other resellers use the plan', async () => {
    const shared = await createPlan(t, t.auth, { name: 'to narrow', sharing: 'recursive' });
    const customer = await addCustomer(t, { parentId: r1a.id, reseller: false, login: false });
    await setCustomerPlan(t, customer.id, shared.id);
    const toChildren = await t.http.patch(`/api/v1/rate-plans/${shared.id}`).set(t.auth).send({ sharing: 'children' });
    expect(toChildren.status).toBe(409);
    expect(toChildren.body.details[0].field).toBe('sharing');
    await setCustomerPlan(t, customer.id, null);

    const inheritor = await t.http.post('/api/v1/rate-plans').set(r1a.auth).send({ name: 'inherits', inheritsFromId: shared.id });
    expect(inheritor.status).toBe(201);
    expect((await t.http.patch(`/api/v1/rate-plans/${shared.id}`).set(t.auth).send({ sharing: 'private' })).status).toBe(409);
    await t.http.patch(`/api/v1/rate-plans/${inheritor.body.id}`).set(r1a.auth).send({ inheritsFromId: null });
    const ok = await t.http.patch(`/api/v1/rate-plans/${shared.id}`).set(t.auth).send({ sharing: 'private' });
    expect(ok.status).toBe(200);
    expect(ok.body.sharing).toBe('private');
  });
});
