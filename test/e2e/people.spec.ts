import { IsNull } from 'typeorm';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { SessionEntity } from '../../src/modules/identity/entities/session.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { createCustomer, createPersonWithLogin, createReseller, type CustomerBody, type ResellerLogin } from '../factories/customers';
import { insertCustomer } from '../factories/rows';
import { loginHeader, startTestApp, TestApp } from '../helpers/app';

// a1 and the race customers start without any person (so the only administrator is the one a test makes):
// the customers API always creates one, so they are rows.
describe('people (HTTP)', () => {
  let t: TestApp;
  let resellerA: ResellerLogin;
  let a1: CustomerEntity;
  let resellerB: ResellerLogin;
  let b1: CustomerBody;
  let adminA: { Authorization: string };
  let userA: { Authorization: string };
  let adminB: { Authorization: string };

  const people = () => t.dataSource.getRepository(PersonEntity);
  const outbox = () => t.dataSource.getRepository(OutboxEmailEntity);
  const tokenOf = (mail: OutboxEmailEntity) => String(JSON.parse(mail.context).setPasswordUrl).split('/set-password/')[1];
  const tryLogin = (username: string, password: string) => t.http.post('/api/v1/auth/token').send({ username, password });

  beforeAll(async () => {
    t = await startTestApp();
    resellerA = await createReseller(t, t.auth, { name: 'Reseller A', username: 'admin-a' });
    a1 = await insertCustomer(t, resellerA.id, { name: 'A one' });
    resellerB = await createReseller(t, t.auth, { name: 'Reseller B', username: 'admin-b' });
    b1 = await createCustomer(t, resellerB.auth, { name: 'B one' });
    adminA = resellerA.auth;
    userA = (await createPersonWithLogin(t, adminA, resellerA.id, { username: 'user-a' })).auth;
    adminB = resellerB.auth;
  });
  afterAll(() => t.close());

  it('creates a person with a password who can log in at once; nothing is emailed', async () => {
    const mailsBefore = await outbox().count();
    const res = await t.http
      .post(`/api/v1/customers/${a1.id}/people`)
      .set(adminA)
      .send({ username: 'anna', displayName: 'Anna', email: 'anna@example.com', role: 'administrator', password: 'anna-password-1' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      customerId: a1.id,
      username: 'anna',
      displayName: 'Anna',
      role: 'administrator',
      passwordSet: true,
      loginLinkSent: false,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password(Hash)?"\s*:\s*"/);
    expect(await outbox().count()).toBe(mailsBefore);
    const row = (await people().findOneBy({ username: 'anna' }))!;
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    const anna = await loginHeader(t, 'anna', 'anna-password-1');
    const me = await t.http.get('/api/v1/auth/me').set(anna);
    expect(me.body).toMatchObject({ username: 'anna', customerId: a1.id });
  });

  it('creates a person without a password and emails a one-time set-password link in the same transaction', async () => {
    const res = await t.http
      .post(`/api/v1/customers/${a1.id}/people`)
      .set(adminA)
      .send({ username: 'ben', displayName: 'Ben', email: 'ben@example.com', role: 'user' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ passwordSet: false, loginLinkSent: true, role: 'user' });
    const mail = (await outbox().findOneBy({ toAddress: 'ben@example.com' }))!;
    expect(mail).toMatchObject({ customerId: a1.id, subject: 'Your login details', template: 'login-details', status: 'kept' });
    const context = JSON.parse(mail.context);
    expect(context).toMatchObject({ customerName: 'A one', username: 'ben', passwordWasSet: false });
    expect(context.setPasswordUrl).toMatch(/\/set-password\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(context.expiresAt)).toBeGreaterThan(Date.now());
    expect(mail.bodyText).toContain(context.setPasswordUrl);
    expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'login_link_sent', entityId: String(res.body.id) })).toBe(
      1,
    );

    expect((await tryLogin('ben', 'ben-password-1')).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/set-password').send({ token: tokenOf(mail), password: 'ben-password-1' })).status).toBe(204);
    expect((await tryLogin('ben', 'ben-password-1')).status).toBe(200);
  });

  it('refuses bad input, creating nothing and emailing nothing', async () => {
    const before = await people().count();
    const mailsBefore = await outbox().count();
    const url = `/api/v1/customers/${a1.id}/people`;
    for (const body of [
      { username: 'carl', displayName: 'Carl', role: 'user' },
      { username: 'carl', displayName: 'Carl', role: 'user', email: null },
      { username: 'carl', displayName: 'Carl', role: 'owner', email: 'carl@example.com' },
      { username: 'carl', displayName: 'Carl', role: 'user', password: 'short' },
      { username: 'carl', displayName: 'Carl', role: 'user', email: 'not-an-email' },
      { username: 'carl smith', displayName: 'Carl', role: 'user', email: 'carl@example.com' },
      { username: '', displayName: 'Carl', role: 'user', email: 'carl@example.com' },
      { username: 'carl', displayName: '', role: 'user', email: 'carl@example.com' },
      { username: 'carl', displayName: 'Carl\u0007', role: 'user', email: 'carl@example.com' },
      { username: 'carl', displayName: 'Carl', role: 'user', email: 'carl@example.com', customerId: b1.id },
      { username: 5, displayName: 'Carl', role: 'user', email: 'carl@example.com' },
    ]) {
      const res = await t.http.post(url).set(adminA).send(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    const noEmail = await t.http.post(url).set(adminA).send({ username: 'carl', displayName: 'Carl', role: 'user' });
    expect(noEmail.body.details).toEqual([
      { field: 'email', message: 'is required when no password is given (the login details are emailed)', code: 'validation_failed' },
    ]);
    expect(await people().count()).toBe(before);
    expect(await outbox().count()).toBe(mailsBefore);
  });

  it('refuses a username taken anywhere on the platform (any case) with 409, emailing nothing', async () => {
    const mailsBefore = await outbox().count();
    for (const username of ['admin', 'ANNA', 'admin-b']) {
      const res = await t.http
        .post(`/api/v1/customers/${a1.id}/people`)
        .set(adminA)
        .send({ username, displayName: 'Dup', role: 'user', email: 'dup@example.com' });
      expect(res.status).toBe(409);
      expect(res.body.details).toEqual([{ field: 'username', message: 'this username is already taken', code: 'already_exists' }]);
    }
    expect(await outbox().count()).toBe(mailsBefore);
  });

  it('lists and reads people; an ordinary user may read but not change', async () => {
    const list = await t.http.get(`/api/v1/customers/${a1.id}/people`).set(adminA);
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: { username: string }) => p.username)).toEqual(['anna', 'ben']);
    expect(JSON.stringify(list.body)).not.toContain('argon2');
    const searched = await t.http.get(`/api/v1/customers/${a1.id}/people?search=ben%40`).set(userA);
    expect(searched.body.items.map((p: { username: string }) => p.username)).toEqual(['ben']);
    const ben = searched.body.items[0];
    expect((await t.http.get(`/api/v1/customers/${a1.id}/people/${ben.id}`).set(userA)).body.email).toBe('ben@example.com');
    expect((await t.http.patch(`/api/v1/customers/${a1.id}/people/${ben.id}`).set(userA).send({ displayName: 'B' })).status).toBe(403);
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${a1.id}/people`)
          .set(userA)
          .send({ username: 'u2', displayName: 'U', role: 'user', password: 'long-enough-1' })
      ).status,
    ).toBe(403);
  });

  it('changes a person; a new password ends their open logins', async () => {
    const anna = (await people().findOneBy({ username: 'anna' }))!;
    const annaLogin = await loginHeader(t, 'anna', 'anna-password-1');
    const url = `/api/v1/customers/${a1.id}/people/${anna.id}`;
    const res = await t.http.patch(url).set(adminA).send({ displayName: 'Anna Smith', email: null, password: 'anna-password-2' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Anna Smith', email: null, passwordSet: true });
    expect((await t.http.get('/api/v1/auth/me').set(annaLogin)).status).toBe(401);
    expect((await tryLogin('anna', 'anna-password-1')).status).toBe(401);
    await loginHeader(t, 'anna', 'anna-password-2');
    const audit = await t.dataSource.getRepository(AuditEntryEntity).findOneBy({ action: 'person_updated', entityId: String(anna.id) });
    expect(audit!.details).not.toContain('anna-password-2');

    for (const body of [{ displayName: null }, { role: null }, { role: 'root' }, { password: 'short' }, { username: 'renamed' }]) {
      expect((await t.http.patch(url).set(adminA).send(body)).status).toBe(400);
    }
    expect(await people().findOneBy({ id: anna.id })).toMatchObject({ displayName: 'Anna Smith', role: 'administrator', username: 'anna' });
  });

  it('keeps at least one administrator per customer', async () => {
    const anna = (await people().findOneBy({ username: 'anna' }))!;
    const url = `/api/v1/customers/${a1.id}/people/${anna.id}`;
    const demote = await t.http.patch(url).set(adminA).send({ role: 'user' });
    expect(demote.status).toBe(409);
    expect(demote.body.message).toBe('a customer must keep at least one administrator');
    expect((await t.http.delete(url).set(adminA)).status).toBe(409);
    expect(await people().findOneBy({ id: anna.id })).toMatchObject({ role: 'administrator', deletedAt: null });

    // With a second administrator, the first may become a user.
    const ben = (await people().findOneBy({ username: 'ben' }))!;
    expect((await t.http.patch(`/api/v1/customers/${a1.id}/people/${ben.id}`).set(adminA).send({ role: 'administrator' })).status).toBe(
      200,
    );
    expect((await t.http.patch(url).set(adminA).send({ role: 'user' })).body.role).toBe('user');
    expect((await t.http.patch(url).set(adminA).send({ role: 'administrator' })).body.role).toBe('administrator');
  });

  it('keeps one administrator when two are removed at the same moment', async () => {
    for (let round = 0; round < 4; round++) {
      const c = await insertCustomer(t, resellerA.id, { name: `Race ${round}` });
      const make = (username: string) =>
        t.http
          .post(`/api/v1/customers/${c.id}/people`)
          .set(adminA)
          .send({ username, displayName: username, role: 'administrator', password: 'race-password-1' });
      const x = (await make(`race-x${round}`)).body.id as number;
      const y = (await make(`race-y${round}`)).body.id as number;
      const results = await Promise.all([x, y].map((id) => t.http.delete(`/api/v1/customers/${c.id}/people/${id}`).set(adminA)));
      expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
      expect(await people().countBy({ customerId: c.id, role: 'administrator', deletedAt: IsNull() })).toBe(1);
    }
  });

  it('does not let a person delete themself', async () => {
    const me = (await people().findOneBy({ username: 'admin-a' }))!;
    // Give reseller A a second administrator so that only the "yourself" rule applies.
    await createPersonWithLogin(t, adminA, resellerA.id, { username: 'admin-a2', role: 'administrator' });
    const res = await t.http.delete(`/api/v1/customers/${resellerA.id}/people/${me.id}`).set(adminA);
    expect(res.status).toBe(409);
    expect(res.body.message).toBe('you cannot delete yourself');
    expect((await people().findOneBy({ id: me.id }))!.deletedAt).toBeNull();
  });

  it('deletes a person: logins and API keys end, the username is free again', async () => {
    const ben = (await people().findOneBy({ username: 'ben' }))!;
    const benLogin = await loginHeader(t, 'ben', 'ben-password-1');
    const key = await t.http.post('/api/v1/api-keys').set(benLogin).send({ name: 'phone' });
    expect(key.status).toBe(201);
    const keyHeader = { Authorization: `Bearer ${key.body.secret as string}` };
    expect((await t.http.get('/api/v1/auth/me').set(keyHeader)).status).toBe(200);

    const url = `/api/v1/customers/${a1.id}/people/${ben.id}`;
    expect((await t.http.delete(url).set(adminA)).status).toBe(204);
    expect((await t.http.get('/api/v1/auth/me').set(benLogin)).status).toBe(401);
    expect((await t.http.get('/api/v1/auth/me').set(keyHeader)).status).toBe(401);
    expect((await tryLogin('ben', 'ben-password-1')).status).toBe(401);
    expect(await t.dataSource.getRepository(SessionEntity).countBy({ personId: ben.id })).toBe(0);
    expect((await t.http.get(url).set(adminA)).status).toBe(404);
    expect((await t.http.delete(url).set(adminA)).status).toBe(404);
    expect((await people().findOneBy({ id: ben.id }))!.deletedAt).not.toBeNull();
    expect((await t.http.get(`/api/v1/customers/${a1.id}/people`).set(adminA)).body.total).toBe(1);

    const again = await t.http
      .post(`/api/v1/customers/${a1.id}/people`)
      .set(adminA)
      .send({ username: 'ben', displayName: 'New Ben', role: 'user', password: 'new-ben-password' });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(ben.id);
  });

  it('re-sends the login link; only the newest link works', async () => {
    const created = await t.http
      .post(`/api/v1/customers/${a1.id}/people`)
      .set(adminA)
      .send({ username: 'dora', displayName: 'Dora', email: 'dora@example.com', role: 'user' });
    const firstMail = (await outbox().findOneBy({ toAddress: 'dora@example.com' }))!;
    const res = await t.http.post(`/api/v1/customers/${a1.id}/people/${created.body.id}/send-login-link`).set(adminA);
    expect(res.status).toBe(200);
    expect(res.body.to).toBe('dora@example.com');
    const mails = await outbox().find({ where: { toAddress: 'dora@example.com' }, order: { id: 'ASC' } });
    expect(mails).toHaveLength(2);
    expect(mails[1].template).toBe('login-details');
    expect((await t.http.post('/api/v1/auth/set-password').send({ token: tokenOf(firstMail), password: 'dora-password-1' })).status).toBe(
      422,
    );
    expect((await t.http.post('/api/v1/auth/set-password').send({ token: tokenOf(mails[1]), password: 'dora-password-1' })).status).toBe(
      204,
    );

    const anna = (await people().findOneBy({ username: 'anna' }))!;
    const noEmail = await t.http.post(`/api/v1/customers/${a1.id}/people/${anna.id}/send-login-link`).set(adminA);
    expect(noEmail.status).toBe(409);
    expect(await outbox().countBy({ toAddress: 'dora@example.com' })).toBe(2);
  });

  it('should not read a person of another branch', async () => {
    const anna = (await people().findOneBy({ username: 'anna' }))!;
    expect((await t.http.get(`/api/v1/customers/${a1.id}/people`).set(adminB)).status).toBe(404);
    expect((await t.http.get(`/api/v1/customers/${a1.id}/people/${anna.id}`).set(adminB)).status).toBe(404);
    expect((await t.http.get(`/api/v1/customers/${b1.id}/people/${anna.id}`).set(adminB)).status).toBe(404);
    expect((await t.http.get(`/api/v1/customers/${resellerA.id}/people`).set(await loginHeader(t, 'anna', 'anna-password-2'))).status).toBe(
      404,
    );
  });

  it('should not change a person of another branch', async () => {
    const anna = (await people().findOneBy({ username: 'anna' }))!;
    const mailsBefore = await outbox().count();
    const countBefore = await people().count();
    expect(
      (
        await t.http
          .post(`/api/v1/customers/${a1.id}/people`)
          .set(adminB)
          .send({ username: 'intruder', displayName: 'I', role: 'administrator', password: 'intruder-pass-1' })
      ).status,
    ).toBe(404);
    expect(
      (await t.http.patch(`/api/v1/customers/${a1.id}/people/${anna.id}`).set(adminB).send({ password: 'hijacked-pass-1' })).status,
    ).toBe(404);
    expect(
      (await t.http.patch(`/api/v1/customers/${b1.id}/people/${anna.id}`).set(adminB).send({ password: 'hijacked-pass-1' })).status,
    ).toBe(404);
    expect((await t.http.delete(`/api/v1/customers/${a1.id}/people/${anna.id}`).set(adminB)).status).toBe(404);
    expect((await t.http.post(`/api/v1/customers/${a1.id}/people/${anna.id}/send-login-link`).set(adminB)).status).toBe(404);
    expect((await tryLogin('anna', 'hijacked-pass-1')).status).toBe(401);
    expect(await people().findOneBy({ id: anna.id })).toMatchObject({ deletedAt: null, username: 'anna' });
    expect(await people().count()).toBe(countBefore);
    expect(await outbox().count()).toBe(mailsBefore);
  });

  it('lets the system owner manage people anywhere below it', async () => {
    const res = await t.http
      .post(`/api/v1/customers/${b1.id}/people`)
      .set(t.auth)
      .send({ username: 'bob-b1', displayName: 'Bob', role: 'administrator', email: 'bob@example.com' });
    expect(res.status).toBe(201);
    expect((await t.http.get(`/api/v1/customers/${b1.id}/people/${res.body.id}`).set(adminB)).body.username).toBe('bob-b1');
  });
});
