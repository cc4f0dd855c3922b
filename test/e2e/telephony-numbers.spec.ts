import { NumberEntity } from '../../src/modules/telephony/entities/number.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import {
  createCustomer,
  createCustomerWithLogin,
  createPersonWithLogin,
  createReseller,
  type CustomerBody,
  type ResellerLogin,
} from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';

describe('numbers (HTTP)', () => {
  let t: TestApp;
  let resellerA: ResellerLogin;
  let a1: ResellerLogin;
  let a2: CustomerBody;
  let resellerB: ResellerLogin;
  let b1: CustomerBody;
  let adminA: { Authorization: string };
  let adminB: { Authorization: string };
  let userA: { Authorization: string };
  let adminA1: { Authorization: string };

  const numberRows = () => t.dataSource.getRepository(NumberEntity).find({ order: { number: 'ASC' } });
  const numberRow = (number: string) => t.dataSource.getRepository(NumberEntity).findOneBy({ number });

  beforeAll(async () => {
    t = await startTestApp();
    resellerA = await createReseller(t, t.auth, { name: 'Reseller A', username: 'admin-a' });
    a1 = await createCustomerWithLogin(t, resellerA.auth, { name: 'A one', directory: true, username: 'admin-a1' });
    a2 = await createCustomer(t, resellerA.auth, { name: 'A two' });
    resellerB = await createReseller(t, t.auth, { name: 'Reseller B', username: 'admin-b' });
    b1 = await createCustomer(t, resellerB.auth, { name: 'B one' });
    adminA = resellerA.auth;
    userA = (await createPersonWithLogin(t, adminA, resellerA.id, { username: 'user-a' })).auth;
    adminB = resellerB.auth;
    adminA1 = a1.auth;
  });
  afterAll(() => t.close());

  describe('inventory', () => {
    it('adds a number to the acting customer inventory and lists it as free', async () => {
      const res = await t.http.post('/api/v1/numbers').set(t.auth).send({ number: '441632960001', directory: true });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        number: '441632960001',
        ownerCustomerId: 1,
        customerId: null,
        sipAccountId: null,
        directory: true,
        customerName: null,
      });
      const list = await t.http.get('/api/v1/numbers?free=true').set(t.auth);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ page: 1, pageSize: 50, total: 1 });
      expect(list.body.items.map((n: { number: string }) => n.number)).toEqual(['441632960001']);
      const audit = await t.dataSource.getRepository(AuditEntryEntity).findOneBy({ action: 'number_added', entityId: String(res.body.id) });
      expect(audit?.customerId).toBe(1);
    });

    it('refuses bad numbers with a 400 and adds nothing', async () => {
      const before = (await numberRows()).length;
      for (const body of [
        { number: '+441632960002' },
        { number: '12' },
        { number: '4416 3296' },
        { number: '1'.repeat(21) },
        { number: 441632960002 },
        {},
        { number: '441632960002', directory: 'yes' },
        { number: '441632960002', extra: 1 },
      ]) {
        const res = await t.http.post('/api/v1/numbers').set(t.auth).send(body);
        expect(res.status).toBe(400);
        expect(res.body.statusCode).toBe(400);
      }
      expect((await numberRows()).length).toBe(before);
    });

    it('refuses a number that exists anywhere on the platform with 409', async () => {
      const dup = await t.http.post('/api/v1/numbers').set(adminB).send({ number: '441632960001' });
      expect(dup.status).toBe(409);
      expect(dup.body.details).toEqual([{ field: 'number', message: 'this number already exists', code: 'already_exists' }]);
      expect((await numberRow('441632960001'))!.ownerCustomerId).toBe(1);
    });

    it('keeps numbers for resellers only (422 for a normal customer)', async () => {
      const res = await t.http.post('/api/v1/numbers').set(adminA1).send({ number: '5550001' });
      expect(res.status).toBe(422);
      expect(await numberRow('5550001')).toBeNull();
    });

    it('lets an ordinary user read the inventory but not change it', async () => {
      expect((await t.http.get('/api/v1/numbers').set(userA)).status).toBe(200);
      expect((await t.http.post('/api/v1/numbers').set(userA).send({ number: '5550002' })).status).toBe(403);
      expect(await numberRow('5550002')).toBeNull();
    });

    it('adds a range with leading zeros, all or nothing', async () => {
      const res = await t.http.post('/api/v1/numbers/bulk').set(adminA).send({ from: '0201000', to: '0201099' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ added: 100, from: '0201000', to: '0201099' });
      const list = await t.http.get('/api/v1/numbers?pageSize=500').set(adminA);
      expect(list.body.total).toBe(100);
      expect(list.body.items[0].number).toBe('0201000');
      expect(list.body.items[99].number).toBe('0201099');

      // Overlaps the first range: nothing of it is added, the answer names the duplicates.
      const overlap = await t.http.post('/api/v1/numbers/bulk').set(adminB).send({ from: '0201090', to: '0201200' });
      expect(overlap.status).toBe(409);
      expect(overlap.body.message).toMatch(/^10 of these numbers already exist/);
      expect(overlap.body.details[0]).toEqual({ field: 'number 0201090', message: 'already exists', code: 'already_exists' });
      expect(overlap.body.details).toHaveLength(10);
      expect(await numberRow('0201150')).toBeNull();
      expect((await t.http.get('/api/v1/numbers').set(adminB)).body.total).toBe(0);
    });

    it('refuses bad ranges with a 400', async () => {
      const before = (await numberRows()).length;
      for (const body of [
        { from: '2000', to: '1000' },
        { from: '100', to: '1000' },
        { from: '100000', to: '110000' },
        { from: '+100', to: '200' },
        { from: '100' },
      ]) {
        const res = await t.http.post('/api/v1/numbers/bulk').set(adminB).send(body);
        expect(res.status).toBe(400);
      }
      expect((await numberRows()).length).toBe(before);
    });

    it('adds the largest range allowed (10,000 numbers)', async () => {
      const res = await t.http.post('/api/v1/numbers/bulk').set(adminB).send({ from: '3100000000', to: '3100009999', directory: false });
      expect(res.status).toBe(201);
      expect(res.body.added).toBe(10000);
      const list = await t.http.get('/api/v1/numbers?search=310000999&pageSize=20').set(adminB);
      expect(list.body.total).toBe(10);
      expect(list.body.items.every((n: { directory: boolean }) => n.directory === false)).toBe(true);
    });

    it('searches and pages the inventory; LIKE wildcards in the search are literal', async () => {
      const page2 = await t.http.get('/api/v1/numbers?search=02010&page=2&pageSize=30').set(adminA);
      expect(page2.body).toMatchObject({ page: 2, pageSize: 30, total: 100 });
      expect(page2.body.items[0].number).toBe('0201030');
      expect((await t.http.get('/api/v1/numbers?search=0201_').set(adminA)).body.total).toBe(0);
      expect((await t.http.get('/api/v1/numbers?search=%25').set(adminA)).body.total).toBe(0);
      expect((await t.http.get('/api/v1/numbers?free=maybe').set(adminA)).status).toBe(400);
      expect((await t.http.get('/api/v1/numbers?pageSize=501').set(adminA)).status).toBe(400);
    });
  });

  describe('assignment', () => {
    it('assigns a free number of the parent by id and by value, with the effective directory', async () => {
      const free = await numberRow('0201000');
      const byId = await t.http.post(`/api/v1/customers/${a1.id}/numbers`).set(adminA).send({ numberId: free!.id });
      expect(byId.status).toBe(201);
      expect(byId.body).toMatchObject({
        number: '0201000',
        customerId: a1.id,
        customerName: 'A one',
        directory: null,
        effectiveDirectory: true,
      });
      const byValue = await t.http.post(`/api/v1/customers/${a1.id}/numbers`).set(adminA).send({ number: '0201001' });
      expect(byValue.status).toBe(201);

      const list = await t.http.get(`/api/v1/customers/${a1.id}/numbers`).set(adminA);
      expect(list.body.total).toBe(2);
      expect(list.body.items.map((n: { number: string }) => n.number)).toEqual(['0201000', '0201001']);
      const inventory = await t.http.get('/api/v1/numbers?free=false').set(adminA);
      expect(inventory.body.items.map((n: { customerName: string }) => n.customerName)).toEqual(['A one', 'A one']);
      expect((await t.http.get('/api/v1/numbers?free=true').set(adminA)).body.total).toBe(98);
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'number_assigned', customerId: a1.id })).toBe(2);
      // The customer's own admin sees its numbers too.
      expect((await t.http.get(`/api/v1/customers/${a1.id}/numbers`).set(adminA1)).body.total).toBe(2);
    });

    it('lists the numbers that can be assigned', async () => {
      const res = await t.http.get(`/api/v1/customers/${a2.id}/numbers/available?search=020109`).set(adminA);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(10);
      expect(res.body.items.every((n: { customerId: number | null }) => n.customerId === null)).toBe(true);
    });

    it('refuses an assigned number (409), a number of another inventory (404) and bad input (400)', async () => {
      const taken = await t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({ number: '0201000' });
      expect(taken.status).toBe(409);
      // The system owner's number is not in A's inventory.
      expect((await t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({ number: '441632960001' })).status).toBe(404);
      expect((await t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({ number: '9999999' })).status).toBe(404);
      expect((await t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({})).status).toBe(400);
      expect((await t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({ numberId: 1, number: '0201002' })).status).toBe(
        400,
      );
      expect((await t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({ numberId: '1' })).status).toBe(400);
      expect((await t.http.post(`/api/v1/customers/999999/numbers`).set(adminA).send({ number: '0201002' })).status).toBe(404);
      expect((await numberRow('0201000'))!.customerId).toBe(a1.id);
      expect((await numberRow('0201002'))!.customerId).toBeNull();
      expect((await t.http.get(`/api/v1/customers/${a2.id}/numbers`).set(adminA)).body.total).toBe(0);
    });

    it('takes numbers from its own inventory when a reseller acts for itself, and from the parent otherwise', async () => {
      const own = await t.http.post(`/api/v1/customers/${resellerA.id}/numbers`).set(adminA).send({ number: '0201050' });
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({ ownerCustomerId: resellerA.id, customerId: resellerA.id });
      // The system owner equipping reseller A hands out its own numbers.
      const fromRoot = await t.http.post(`/api/v1/customers/${resellerA.id}/numbers`).set(t.auth).send({ number: '441632960001' });
      expect(fromRoot.status).toBe(201);
      expect(fromRoot.body).toMatchObject({ ownerCustomerId: 1, customerId: resellerA.id, effectiveDirectory: true });
      // Reseller A cannot take from its parent's inventory by itself.
      await t.http.post('/api/v1/numbers').set(t.auth).send({ number: '441632960003' });
      expect((await t.http.post(`/api/v1/customers/${resellerA.id}/numbers`).set(adminA).send({ number: '441632960003' })).status).toBe(
        404,
      );
    });

    it('routes a number to a line of the same customer only, and sets its directory', async () => {
      const n = await numberRow('0201001');
      const line = await t.http.post(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminA).send({ displayName: 'Desk' });
      const otherLine = await t.http.post(`/api/v1/customers/${a2.id}/sip-accounts`).set(adminA).send({ displayName: 'Elsewhere' });
      expect(line.status).toBe(201);
      const url = `/api/v1/customers/${a1.id}/numbers/${n!.id}`;

      const foreign = await t.http.patch(url).set(adminA).send({ sipAccountId: otherLine.body.id });
      expect(foreign.status).toBe(400);
      expect(foreign.body.details).toEqual([{ field: 'sipAccountId', message: 'no such telephone line of this customer', code: 'validation_failed' }]);
      expect((await t.http.patch(url).set(adminA).send({ directory: 'no' })).status).toBe(400);
      expect((await t.http.patch(url).set(adminA).send({ customerId: a2.id })).status).toBe(400);
      expect((await numberRow('0201001'))!.sipAccountId).toBeNull();

      const routed = await t.http.patch(url).set(adminA).send({ sipAccountId: line.body.id, directory: false });
      expect(routed.status).toBe(200);
      expect(routed.body).toMatchObject({ sipAccountId: line.body.id, directory: false, effectiveDirectory: false });
      expect((await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts/${line.body.id}`).set(adminA)).body.numbers).toEqual(['0201001']);

      const back = await t.http.patch(url).set(adminA).send({ directory: null });
      expect(back.body).toMatchObject({ sipAccountId: line.body.id, directory: null, effectiveDirectory: true });
      const got = await t.http.get(url).set(adminA);
      expect(got.body).toMatchObject({ number: '0201001', directory: null, effectiveDirectory: true });
    });

    it('releases a number back to the inventory, off its line; only a free number can be removed', async () => {
      const n = (await numberRow('0201001'))!;
      expect(n.sipAccountId).not.toBeNull();
      const refused = await t.http.delete(`/api/v1/numbers/${n.id}`).set(adminA);
      expect(refused.status).toBe(409);
      expect(await numberRow('0201001')).not.toBeNull();

      expect((await t.http.delete(`/api/v1/customers/${a2.id}/numbers/${n.id}`).set(adminA)).status).toBe(404);
      const released = await t.http.delete(`/api/v1/customers/${a1.id}/numbers/${n.id}`).set(adminA);
      expect(released.status).toBe(204);
      expect(await numberRow('0201001')).toMatchObject({ ownerCustomerId: resellerA.id, customerId: null, sipAccountId: null });
      expect((await t.http.delete(`/api/v1/customers/${a1.id}/numbers/${n.id}`).set(adminA)).status).toBe(404);

      expect((await t.http.delete(`/api/v1/numbers/${n.id}`).set(adminA)).status).toBe(204);
      expect(await numberRow('0201001')).toBeNull();
      expect((await t.http.delete(`/api/v1/numbers/${n.id}`).set(adminA)).status).toBe(404);
      expect((await t.http.delete('/api/v1/numbers/abc').set(adminA)).status).toBe(400);
    });

    it('lets exactly one of two simultaneous assignments of the same number win', async () => {
      for (const number of ['0201060', '0201061', '0201062', '0201063', '0201064']) {
        const [x, y] = await Promise.all([
          t.http.post(`/api/v1/customers/${a1.id}/numbers`).set(adminA).send({ number }),
          t.http.post(`/api/v1/customers/${a2.id}/numbers`).set(adminA).send({ number }),
        ]);
        expect([x.status, y.status].sort()).toEqual([201, 409]);
        const winner = x.status === 201 ? a1.id : a2.id;
        expect((await numberRow(number))!.customerId).toBe(winner);
        expect(
          await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'number_assigned', details: JSON.stringify({ number }) }),
        ).toBe(1);
      }
    });
  });

  it('describes every telephony endpoint and field in the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs-json')).body;
    for (const path of [
      '/api/v1/numbers',
      '/api/v1/numbers/bulk',
      '/api/v1/numbers/{id}',
      '/api/v1/customers/{customerId}/numbers',
      '/api/v1/customers/{customerId}/numbers/available',
      '/api/v1/customers/{customerId}/numbers/{numberId}',
      '/api/v1/customers/{customerId}/sip-accounts',
      '/api/v1/customers/{customerId}/sip-accounts/{sipId}',
      '/api/v1/customers/{customerId}/mailboxes',
      '/api/v1/customers/{customerId}/mailboxes/{mailboxId}',
      '/api/v1/customers/{customerId}/people',
      '/api/v1/customers/{customerId}/people/{personId}',
      '/api/v1/customers/{customerId}/people/{personId}/send-login-link',
    ]) {
      expect({ path, described: doc.paths[path] !== undefined }).toEqual({ path, described: true });
    }
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.AddNumberDto.properties).sort()).toEqual(['directory', 'number']);
    expect(Object.keys(schemas.UpdateCustomerNumberDto.properties).sort()).toEqual(['directory', 'sipAccountId']);
    expect(Object.keys(schemas.CreateSipAccountDto.properties).sort()).toEqual(['displayName', 'maxConcurrentCalls', 'secret', 'username']);
    expect(Object.keys(schemas.CreateMailboxDto.properties).sort()).toEqual(['email', 'mailbox', 'maxPerFolder', 'pin', 'purge']);
    expect(Object.keys(schemas.CreatePersonDto.properties).sort()).toEqual(['displayName', 'email', 'password', 'role', 'username']);
    expect(Object.keys(schemas.MailboxDto.properties)).toEqual(expect.arrayContaining(['effectivePurge', 'effectiveMaxPerFolder']));
  });

  describe('another branch', () => {
    it('should not read a number of another branch', async () => {
      const n = (await numberRow('0201000'))!;
      expect((await t.http.get(`/api/v1/customers/${a1.id}/numbers`).set(adminB)).status).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${a1.id}/numbers/${n.id}`).set(adminB)).status).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${a1.id}/numbers/available`).set(adminB)).status).toBe(404);
      const inventory = await t.http.get('/api/v1/numbers?search=0201000').set(adminB);
      expect(inventory.body.total).toBe(0);
      // B's own customer cannot be used to reach A's number either.
      expect((await t.http.get(`/api/v1/customers/${b1.id}/numbers/${n.id}`).set(adminB)).status).toBe(404);
    });

    it('should not change a number of another branch', async () => {
      const assigned = (await numberRow('0201000'))!;
      const free = (await numberRow('0201002'))!;
      expect((await t.http.patch(`/api/v1/customers/${a1.id}/numbers/${assigned.id}`).set(adminB).send({ directory: false })).status).toBe(
        404,
      );
      expect((await t.http.delete(`/api/v1/customers/${a1.id}/numbers/${assigned.id}`).set(adminB)).status).toBe(404);
      expect((await t.http.patch(`/api/v1/customers/${b1.id}/numbers/${assigned.id}`).set(adminB).send({ directory: false })).status).toBe(
        404,
      );
      expect((await t.http.delete(`/api/v1/numbers/${free.id}`).set(adminB)).status).toBe(404);
      // B cannot take A's free number for its own customer, by id or by value.
      expect((await t.http.post(`/api/v1/customers/${b1.id}/numbers`).set(adminB).send({ numberId: free.id })).status).toBe(404);
      expect((await t.http.post(`/api/v1/customers/${b1.id}/numbers`).set(adminB).send({ number: '0201002' })).status).toBe(404);
      expect((await t.http.post(`/api/v1/customers/${a1.id}/numbers`).set(adminB).send({ number: '0201002' })).status).toBe(404);
      expect(await numberRow('0201000')).toMatchObject({ customerId: a1.id, directory: null });
      expect(await numberRow('0201002')).toMatchObject({ customerId: null });
    });

    it('does not let a customer reach its parent', async () => {
      expect((await t.http.get(`/api/v1/customers/${resellerA.id}/numbers`).set(adminA1)).status).toBe(404);
      expect((await t.http.post(`/api/v1/customers/${a1.id}/numbers`).set(adminA1).send({ number: '0201003' })).status).toBe(404);
    });
  });
});
