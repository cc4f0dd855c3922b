import { verifySecret } from '../../src/shared/secrets';
import { MailboxEntity } from '../../src/modules/telephony/entities/mailbox.entity';
import { NumberEntity } from '../../src/modules/telephony/entities/number.entity';
import { SipAccountEntity } from '../../src/modules/telephony/entities/sip-account.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import {
  createCustomer,
  createPersonWithLogin,
  createReseller,
  type CustomerBody,
  deleteCustomer,
  type ResellerLogin,
} from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';

describe('telephone lines and mailboxes (HTTP)', () => {
  let t: TestApp;
  let resellerA: ResellerLogin;
  let a1: CustomerBody;
  let resellerB: ResellerLogin;
  let b1: CustomerBody;
  let adminA: { Authorization: string };
  let userA: { Authorization: string };
  let adminB: { Authorization: string };

  const sipRow = (id: number) => t.dataSource.getRepository(SipAccountEntity).findOneBy({ id });
  const mailboxRow = (id: number) => t.dataSource.getRepository(MailboxEntity).findOneBy({ id });
  const sipCount = () => t.dataSource.getRepository(SipAccountEntity).count();
  const mailboxCount = () => t.dataSource.getRepository(MailboxEntity).count();

  beforeAll(async () => {
    t = await startTestApp();
    resellerA = await createReseller(t, t.auth, { name: 'Reseller A', username: 'admin-a' });
    a1 = await createCustomer(t, resellerA.auth, { name: 'A one', purgeVoicemail: true, maxVoicemailsPerFolder: 50 });
    resellerB = await createReseller(t, t.auth, { name: 'Reseller B', username: 'admin-b' });
    b1 = await createCustomer(t, resellerB.auth, { name: 'B one' });
    adminA = resellerA.auth;
    userA = (await createPersonWithLogin(t, adminA, resellerA.id, { username: 'user-a' })).auth;
    adminB = resellerB.auth;
  });
  afterAll(() => t.close());

  describe('telephone lines', () => {
    let first: { id: number; secret: string };

    it('creates a line with a generated username and secret, shown in the answer only', async () => {
      const res = await t.http.post(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminA).send({ displayName: 'Reception' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        customerId: a1.id,
        username: `${a1.id}-1`,
        displayName: 'Reception',
        maxConcurrentCalls: null,
        numbers: [],
      });
      expect(res.body.secret).toMatch(/^[A-Za-z0-9]{20}$/);
      first = res.body;
      expect((await sipRow(first.id))!.secret).toBe(first.secret);

      const second = await t.http
        .post(`/api/v1/customers/${a1.id}/sip-accounts`)
        .set(adminA)
        .send({ displayName: 'Kitchen', secret: 'my-own-secret-1', maxConcurrentCalls: 2 });
      expect(second.status).toBe(201);
      expect(second.body).toMatchObject({ username: `${a1.id}-2`, secret: 'my-own-secret-1', maxConcurrentCalls: 2 });

      const named = await t.http
        .post(`/api/v1/customers/${a1.id}/sip-accounts`)
        .set(adminA)
        .send({ username: 'alice.desk', displayName: 'Alice' });
      expect(named.status).toBe(201);
      expect(named.body.username).toBe('alice.desk');
    });

    it('never shows the secret in reads', async () => {
      const list = await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminA);
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(3);
      const one = await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts/${first.id}`).set(adminA);
      expect(one.status).toBe(200);
      for (const body of [list.body, one.body]) {
        expect(JSON.stringify(body)).not.toContain(first.secret);
        expect(JSON.stringify(body)).not.toContain('my-own-secret-1');
        expect(JSON.stringify(body)).not.toContain('"secret"');
      }
      const searched = await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts?search=alice`).set(userA);
      expect(searched.body.items.map((s: { username: string }) => s.username)).toEqual(['alice.desk']);
    });

    it('refuses bad input and duplicate usernames, creating nothing', async () => {
      const before = await sipCount();
      const url = `/api/v1/customers/${a1.id}/sip-accounts`;
      for (const body of [
        {},
        { displayName: '' },
        { displayName: 'x', secret: 'short-1' },
        { displayName: 'x', secret: 'has spaces in it' },
        { displayName: 'x', username: 'bad name' },
        { displayName: 'x', username: '-dash' },
        { displayName: 'x', username: 'a'.repeat(51) },
        { displayName: 'x', maxConcurrentCalls: 0 },
        { displayName: 'x', maxConcurrentCalls: '2' },
        { displayName: 'x', customerId: b1.id },
      ]) {
        const res = await t.http.post(url).set(adminA).send(body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      const dup = await t.http.post(url).set(adminA).send({ username: 'ALICE.desk', displayName: 'Other' });
      expect(dup.status).toBe(409);
      expect(dup.body.details).toEqual([{ field: 'username', message: 'this username is already taken', code: 'already_exists' }]);
      // Usernames are unique on the whole platform, also across branches.
      expect(
        (await t.http.post(`/api/v1/customers/${b1.id}/sip-accounts`).set(adminB).send({ username: 'alice.desk', displayName: 'B' }))
          .status,
      ).toBe(409);
      expect((await t.http.post(url).set(userA).send({ displayName: 'User made' })).status).toBe(403);
      expect(await sipCount()).toBe(before);
    });

    it('changes a line; a regenerated secret is shown once', async () => {
      const url = `/api/v1/customers/${a1.id}/sip-accounts/${first.id}`;
      const renamed = await t.http.patch(url).set(adminA).send({ displayName: 'Front desk', maxConcurrentCalls: 3 });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ displayName: 'Front desk', maxConcurrentCalls: 3 });
      expect(renamed.body.secret).toBeUndefined();

      const regenerated = await t.http.patch(url).set(adminA).send({ regenerateSecret: true });
      expect(regenerated.body.secret).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(regenerated.body.secret).not.toBe(first.secret);
      expect((await sipRow(first.id))!.secret).toBe(regenerated.body.secret);

      const given = await t.http.patch(url).set(adminA).send({ secret: 'another-secret-2', maxConcurrentCalls: null });
      expect(given.body.secret).toBeUndefined();
      expect(given.body.maxConcurrentCalls).toBeNull();
      expect((await sipRow(first.id))!.secret).toBe('another-secret-2');

      for (const body of [
        { displayName: null },
        { secret: 'short' },
        { secret: 'another-secret-3', regenerateSecret: true },
        { username: 'renamed' },
      ]) {
        expect((await t.http.patch(url).set(adminA).send(body)).status).toBe(400);
      }
      expect(await sipRow(first.id)).toMatchObject({ displayName: 'Front desk', secret: 'another-secret-2', username: `${a1.id}-1` });
      const audit = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findBy({ action: 'sip_account_updated', entityId: String(first.id) });
      expect(audit).toHaveLength(3);
      expect(audit.map((a) => a.details).join()).not.toContain('another-secret-2');
    });

    it('deletes a line: its numbers stay with the customer unrouted, its username is free again', async () => {
      await t.http.post('/api/v1/numbers').set(adminA).send({ number: '5551234' });
      const assigned = await t.http.post(`/api/v1/customers/${a1.id}/numbers`).set(adminA).send({ number: '5551234' });
      await t.http.patch(`/api/v1/customers/${a1.id}/numbers/${assigned.body.id}`).set(adminA).send({ sipAccountId: first.id });

      const url = `/api/v1/customers/${a1.id}/sip-accounts/${first.id}`;
      expect((await t.http.delete(url).set(adminA)).status).toBe(204);
      expect((await t.http.get(url).set(adminA)).status).toBe(404);
      expect((await t.http.delete(url).set(adminA)).status).toBe(404);
      expect((await t.http.patch(url).set(adminA).send({ displayName: 'Ghost' })).status).toBe(404);
      const row = (await sipRow(first.id))!;
      expect(row.deletedAt).not.toBeNull();
      const number = await t.dataSource.getRepository(NumberEntity).findOneBy({ id: assigned.body.id });
      expect(number).toMatchObject({ customerId: a1.id, sipAccountId: null });
      expect((await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminA)).body.total).toBe(2);

      const reused = await t.http
        .post(`/api/v1/customers/${a1.id}/sip-accounts`)
        .set(adminA)
        .send({ username: `${a1.id}-1`, displayName: 'Again' });
      expect(reused.status).toBe(201);
      // The generator skips taken names.
      const generated = await t.http.post(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminA).send({ displayName: 'Next' });
      expect(generated.body.username).toBe(`${a1.id}-5`);
    });

    it('should not read a SIP account of another branch', async () => {
      const line = (await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts?search=alice`).set(adminA)).body.items[0];
      expect((await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminB)).status).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts/${line.id}`).set(adminB)).status).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${b1.id}/sip-accounts/${line.id}`).set(adminB)).status).toBe(404);
    });

    it('should not change a SIP account of another branch', async () => {
      const before = await sipCount();
      const line = (await t.http.get(`/api/v1/customers/${a1.id}/sip-accounts?search=alice`).set(adminA)).body.items[0];
      expect((await t.http.post(`/api/v1/customers/${a1.id}/sip-accounts`).set(adminB).send({ displayName: 'Intruder' })).status).toBe(404);
      expect(
        (await t.http.patch(`/api/v1/customers/${a1.id}/sip-accounts/${line.id}`).set(adminB).send({ displayName: 'Mine' })).status,
      ).toBe(404);
      expect(
        (await t.http.patch(`/api/v1/customers/${b1.id}/sip-accounts/${line.id}`).set(adminB).send({ regenerateSecret: true })).status,
      ).toBe(404);
      expect((await t.http.delete(`/api/v1/customers/${a1.id}/sip-accounts/${line.id}`).set(adminB)).status).toBe(404);
      expect((await t.http.delete(`/api/v1/customers/${b1.id}/sip-accounts/${line.id}`).set(adminB)).status).toBe(404);
      expect(await sipRow(line.id)).toMatchObject({ displayName: 'Alice', deletedAt: null });
      expect(await sipCount()).toBe(before);
    });
  });

  it('answers 404 for the lines and mailboxes of a deleted customer', async () => {
    const gone = await createCustomer(t, adminA, { name: 'Gone' });
    await deleteCustomer(t, adminA, gone.id);
    for (const path of ['sip-accounts', 'mailboxes', 'numbers', 'people']) {
      expect((await t.http.get(`/api/v1/customers/${gone.id}/${path}`).set(adminA)).status).toBe(404);
    }
    expect((await t.http.post(`/api/v1/customers/${gone.id}/sip-accounts`).set(adminA).send({ displayName: 'Late' })).status).toBe(404);
    expect((await t.http.post(`/api/v1/customers/${gone.id}/mailboxes`).set(adminA).send({ mailbox: '8888' })).status).toBe(404);
    expect(await t.dataSource.getRepository(SipAccountEntity).countBy({ customerId: gone.id })).toBe(0);
  });

  describe('mailboxes', () => {
    let box: { id: number; pin: string };

    it('creates a mailbox with a generated PIN, shown once and stored hashed', async () => {
      const res = await t.http.post(`/api/v1/customers/${a1.id}/mailboxes`).set(adminA).send({ mailbox: '2001', email: 'vm@example.com' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        customerId: a1.id,
        mailbox: '2001',
        email: 'vm@example.com',
        purge: null,
        maxPerFolder: null,
        effectivePurge: true,
        effectiveMaxPerFolder: 50,
      });
      expect(res.body.pin).toMatch(/^[0-9]{6}$/);
      box = res.body;
      const row = (await mailboxRow(box.id))!;
      expect(row.pinHash.startsWith('$argon2id$')).toBe(true);
      expect(await verifySecret(row.pinHash, box.pin)).toBe(true);

      const own = await t.http
        .post(`/api/v1/customers/${a1.id}/mailboxes`)
        .set(adminA)
        .send({ mailbox: '2002', pin: '0042', purge: false, maxPerFolder: 10 });
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({
        pin: '0042',
        purge: false,
        maxPerFolder: 10,
        effectivePurge: false,
        effectiveMaxPerFolder: 10,
        email: null,
      });
    });

    it('never shows the PIN in reads', async () => {
      const list = await t.http.get(`/api/v1/customers/${a1.id}/mailboxes`).set(adminA);
      const one = await t.http.get(`/api/v1/customers/${a1.id}/mailboxes/${box.id}`).set(userA);
      expect(list.body.total).toBe(2);
      expect(one.status).toBe(200);
      for (const body of [list.body, one.body]) {
        expect(JSON.stringify(body)).not.toMatch(/"pin/i);
        expect(JSON.stringify(body)).not.toContain(box.pin);
      }
    });

    it('refuses bad input and duplicate mailboxes, creating nothing', async () => {
      const before = await mailboxCount();
      const url = `/api/v1/customers/${a1.id}/mailboxes`;
      for (const body of [
        {},
        { mailbox: 'abc' },
        { mailbox: 2003 },
        { mailbox: '2003', pin: '123' },
        { mailbox: '2003', pin: '1234567890123' },
        { mailbox: '2003', pin: 'abcd' },
        { mailbox: '2003', email: 'not-an-email' },
        { mailbox: '2003', purge: 'yes' },
        { mailbox: '2003', maxPerFolder: 0 },
        { mailbox: '2003', maxPerFolder: 10001 },
        { mailbox: '2003', maxPerFolder: 1.5 },
      ]) {
        const res = await t.http.post(url).set(adminA).send(body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      const dup = await t.http.post(`/api/v1/customers/${b1.id}/mailboxes`).set(adminB).send({ mailbox: '2001' });
      expect(dup.status).toBe(409);
      expect(dup.body.details).toEqual([{ field: 'mailbox', message: 'this mailbox number is already taken', code: 'already_exists' }]);
      expect(await mailboxCount()).toBe(before);
    });

    it('changes a mailbox; null settings fall back to the customer', async () => {
      const url = `/api/v1/customers/${a1.id}/mailboxes/${box.id}`;
      const res = await t.http.patch(url).set(adminA).send({ purge: false, maxPerFolder: 5, email: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ purge: false, maxPerFolder: 5, effectivePurge: false, effectiveMaxPerFolder: 5, email: null });
      expect(res.body.pin).toBeUndefined();
      const back = await t.http.patch(url).set(adminA).send({ purge: null, maxPerFolder: null });
      expect(back.body).toMatchObject({ purge: null, maxPerFolder: null, effectivePurge: true, effectiveMaxPerFolder: 50 });

      const newPin = await t.http.patch(url).set(adminA).send({ pin: '98765' });
      expect(newPin.body.pin).toBeUndefined();
      expect(await verifySecret((await mailboxRow(box.id))!.pinHash, '98765')).toBe(true);
      const regenerated = await t.http.patch(url).set(adminA).send({ regeneratePin: true });
      expect(regenerated.body.pin).toMatch(/^[0-9]{6}$/);
      expect(await verifySecret((await mailboxRow(box.id))!.pinHash, regenerated.body.pin)).toBe(true);

      expect((await t.http.patch(url).set(adminA).send({ mailbox: '2002' })).status).toBe(409);
      for (const body of [{ mailbox: null }, { pin: '12' }, { pin: '1234', regeneratePin: true }, { maxPerFolder: 0 }]) {
        expect((await t.http.patch(url).set(adminA).send(body)).status).toBe(400);
      }
      expect(await mailboxRow(box.id)).toMatchObject({ mailbox: '2001', purge: null, maxPerFolder: null });
      const renumbered = await t.http.patch(url).set(adminA).send({ mailbox: '2009' });
      expect(renumbered.body.mailbox).toBe('2009');
      const audit = await t.dataSource.getRepository(AuditEntryEntity).findBy({ action: 'mailbox_updated', entityId: String(box.id) });
      expect(audit.map((a) => a.details).join()).not.toContain('98765');
    });

    it('deletes a mailbox and frees its number', async () => {
      const url = `/api/v1/customers/${a1.id}/mailboxes/${box.id}`;
      expect((await t.http.delete(url).set(userA)).status).toBe(403);
      expect((await t.http.delete(url).set(adminA)).status).toBe(204);
      expect((await t.http.get(url).set(adminA)).status).toBe(404);
      expect((await mailboxRow(box.id))!.deletedAt).not.toBeNull();
      expect((await t.http.post(`/api/v1/customers/${a1.id}/mailboxes`).set(adminA).send({ mailbox: '2009' })).status).toBe(201);
    });

    it('should not read a mailbox of another branch', async () => {
      const mb = (await t.http.get(`/api/v1/customers/${a1.id}/mailboxes`).set(adminA)).body.items[0];
      expect((await t.http.get(`/api/v1/customers/${a1.id}/mailboxes`).set(adminB)).status).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${a1.id}/mailboxes/${mb.id}`).set(adminB)).status).toBe(404);
      expect((await t.http.get(`/api/v1/customers/${b1.id}/mailboxes/${mb.id}`).set(adminB)).status).toBe(404);
    });

    it('should not change a mailbox of another branch', async () => {
      const mb = (await t.http.get(`/api/v1/customers/${a1.id}/mailboxes`).set(adminA)).body.items[0];
      const before = await mailboxRow(mb.id);
      expect((await t.http.post(`/api/v1/customers/${a1.id}/mailboxes`).set(adminB).send({ mailbox: '7777' })).status).toBe(404);
      expect((await t.http.patch(`/api/v1/customers/${a1.id}/mailboxes/${mb.id}`).set(adminB).send({ regeneratePin: true })).status).toBe(
        404,
      );
      expect((await t.http.patch(`/api/v1/customers/${b1.id}/mailboxes/${mb.id}`).set(adminB).send({ purge: true })).status).toBe(404);
      expect((await t.http.delete(`/api/v1/customers/${a1.id}/mailboxes/${mb.id}`).set(adminB)).status).toBe(404);
      expect(await mailboxRow(mb.id)).toEqual(before);
      expect(await t.dataSource.getRepository(MailboxEntity).countBy({ mailbox: '7777' })).toBe(0);
    });
  });
});
