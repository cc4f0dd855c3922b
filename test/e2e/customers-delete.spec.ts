import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { loginHeader, startTestApp, TestApp } from '../helpers/app';
import { createCustomer, createReseller, customerRow, customerRowCounts, ResellerLogin, setSystemSettings } from '../factories/customers';

describe('customers: soft delete and undelete (HTTP)', () => {
  let t: TestApp;
  let r: ResellerLogin;
  beforeAll(async () => {
    t = await startTestApp();
    r = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  const del = (id: number, auth = r.auth) => t.http.delete(`/api/v1/customers/${id}`).set(auth);
  const undel = (id: number, auth = r.auth) => t.http.post(`/api/v1/customers/${id}/undelete`).set(auth);

  it('soft-deletes: GET still answers with deleted: true, lists leave it out, its people cannot log in; undelete restores all', async () => {
    const c = await createCustomer(t, r.auth, { accountNumber: 'SOFT-1', username: 'soft-user', password: 'soft-password-1' });
    const login = await loginHeader(t, 'soft-user', 'soft-password-1');
    expect((await del(c.id)).status).toBe(204);
    const row = await customerRow(t, c.id);
    expect(row.deletedAt).not.toBeNull();
    const got = await t.http.get(`/api/v1/customers/${c.id}`).set(r.auth);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ deleted: true, accountNumber: 'SOFT-1' });
    expect(got.body.deletedAt).toEqual(expect.any(String));
    expect((await t.http.get('/api/v1/customers').set(r.auth)).body.items.map((x: { id: number }) => x.id)).not.toContain(c.id);
    expect((await t.http.get('/api/v1/auth/me').set(login)).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/token').send({ username: 'soft-user', password: 'soft-password-1' })).status).toBe(401);
    // A deleted customer cannot be changed, nor deleted again.
    expect((await t.http.patch(`/api/v1/customers/${c.id}`).set(r.auth).send({ name: 'x' })).status).toBe(409);
    expect((await del(c.id)).status).toBe(409);

    const back = await undel(c.id);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: c.id, deleted: false, deletedAt: null, accountNumber: 'SOFT-1' });
    expect((await undel(c.id)).status).toBe(409);
    expect((await t.http.get('/api/v1/auth/me').set(await loginHeader(t, 'soft-user', 'soft-password-1'))).status).toBe(200);

    const actions = (await t.dataSource.getRepository(AuditEntryEntity).findBy({ entityType: 'customer', entityId: String(c.id) })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['customer_created', 'customer_deleted', 'customer_undeleted']));
  });

  it('refuses to delete a customer with live sub-customers (409), and allows it once they are deleted', async () => {
    const parent = await createCustomer(t, r.auth, { reseller: true });
    const child = await createCustomer(t, r.auth, { parentId: parent.id });
    const before = await customerRow(t, parent.id);
    const res = await del(parent.id);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/sub-customers/);
    expect(await customerRow(t, parent.id)).toEqual(before);
    expect((await del(child.id)).status).toBe(204);
    expect((await del(parent.id)).status).toBe(204);
    // The child cannot come back while its parent is deleted.
    const refused = await undel(child.id);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/parent/);
    expect((await undel(parent.id)).status).toBe(200);
    expect((await undel(child.id)).status).toBe(200);
  });

  it('refuses to delete a customer that a live customer names as its affiliate (409)', async () => {
    const affiliate = await createCustomer(t, r.auth);
    const referrer = await createCustomer(t, r.auth, { affiliate: { customerId: affiliate.id, percentage: '10', basis: 'revenue' } });
    expect((await del(affiliate.id)).status).toBe(409);
    expect((await customerRow(t, affiliate.id)).deletedAt).toBeNull();
    // Once the referrer is gone (or drops the affiliate), it can be deleted.
    expect((await del(referrer.id)).status).toBe(204);
    expect((await del(affiliate.id)).status).toBe(204);
  });

  it('refuses to delete your own customer (409) and the system owner (403)', async () => {
    expect((await del(r.id)).status).toBe(409);
    expect((await customerRow(t, r.id)).deletedAt).toBeNull();
    expect((await del(1, t.auth)).status).toBe(403);
    expect((await customerRow(t, 1)).deletedAt).toBeNull();
  });

  it('frees the account number and prefix of a deleted customer; undelete is refused while they are used again (409)', async () => {
    await setSystemSettings(t, { customerPrefixes: true });
    try {
      const old = await createCustomer(t, r.auth, { accountNumber: 'REUSE-1', prefix: '5501' });
      expect((await del(old.id)).status).toBe(204);
      const reuser = await createCustomer(t, r.auth, { accountNumber: 'reuse-1' });
      let res = await undel(old.id);
      expect(res.status).toBe(409);
      expect(res.body.details[0].field).toBe('accountNumber');
      expect((await customerRow(t, old.id)).deletedAt).not.toBeNull();

      expect(
        (await t.http.patch(`/api/v1/customers/${reuser.id}`).set(r.auth).send({ accountNumber: 'OTHER-1', prefix: '5501' })).status,
      ).toBe(200);
      res = await undel(old.id);
      expect(res.status).toBe(409);
      expect(res.body.details[0].field).toBe('prefix');

      expect((await t.http.patch(`/api/v1/customers/${reuser.id}`).set(r.auth).send({ prefix: null })).status).toBe(200);
      res = await undel(old.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ accountNumber: 'REUSE-1', prefix: '5501', deleted: false });
      const row = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: old.id });
      expect(row).toMatchObject({ deletedAccountNumber: null, deletedPrefix: null });
    } finally {
      await setSystemSettings(t, { customerPrefixes: false });
    }
  });

  it('writes nothing when a delete or undelete is refused', async () => {
    const parent = await createCustomer(t, r.auth, { reseller: true });
    await createCustomer(t, r.auth, { parentId: parent.id });
    const before = await customerRowCounts(t);
    expect((await del(parent.id)).status).toBe(409);
    expect((await undel(parent.id)).status).toBe(409);
    expect((await del(999999)).status).toBe(404);
    expect((await undel(999999)).status).toBe(404);
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it('should not change a customer of another branch by deleting or undeleting it', async () => {
    const other = await createReseller(t, t.auth);
    const theirs = await createCustomer(t, other.auth);
    expect((await del(theirs.id)).status).toBe(404);
    expect((await customerRow(t, theirs.id)).deletedAt).toBeNull();
    expect((await del(theirs.id, other.auth)).status).toBe(204);
    expect((await undel(theirs.id)).status).toBe(404);
    expect((await customerRow(t, theirs.id)).deletedAt).not.toBeNull();
  });
});
