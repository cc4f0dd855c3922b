import { TransactionRunner } from '../../src/database/transaction-runner';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { OutboxDispatcher } from '../../src/modules/notifications/outbox.dispatcher';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { insertOutboxRow } from '../factories/outbox';
import { insertCustomer, insertPerson } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';

type Auth = { Authorization: string };

const loginContext = (name: string, url: string | null) => ({
  customerName: name,
  username: 'new-admin',
  setPasswordUrl: url,
  expiresAt: url ? '2026-11-28T19:00:00.000Z' : null,
  passwordWasSet: !url,
});

describe('outbox without SMTP (kept mode) and the outbox API', () => {
  let t: TestApp;
  let outbox: OutboxService;
  let dispatcher: OutboxDispatcher;
  let tx: TransactionRunner;
  let reseller: CustomerEntity;
  let child: CustomerEntity;
  let other: CustomerEntity;
  let resellerAdmin: Auth;
  let resellerUser: Auth;
  let otherAdmin: Auth;

  beforeAll(async () => {
    t = await startTestApp();
    outbox = t.app.get(OutboxService);
    dispatcher = t.app.get(OutboxDispatcher);
    tx = t.app.get(TransactionRunner);
    // No background passes: each test runs the dispatcher itself, so its counts are its own.
    dispatcher.pause();
    // Rows, not the API: creating customers and people through it emails, and the outbox must hold only the tests' mails.
    reseller = await insertCustomer(t, 1, { name: 'Reseller', reseller: true });
    child = await insertCustomer(t, reseller.id, { name: 'Child', reseller: true });
    other = await insertCustomer(t, 1, { name: 'Other', reseller: true });
    resellerAdmin = await insertPerson(t, reseller.id, { username: 'r-admin' });
    resellerUser = await insertPerson(t, reseller.id, { username: 'r-user', role: 'user' });
    otherAdmin = await insertPerson(t, other.id, { username: 'o-admin' });
  });
  afterAll(() => t.close());

  it('keeps a committed mail with its rendered text, and never sends it', async () => {
    const id = await tx.run((em) =>
      outbox.enqueue(em, {
        customerId: child.id,
        to: 'child@example.com',
        subject: 'Your login',
        template: 'login-details',
        context: loginContext('Child Ltd', 'http://localhost:3000/set-password/abc'),
      }),
    );
    const row = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id });
    expect(row.status).toBe('kept');
    expect(row.bodyText).toContain('An account has been opened for Child Ltd.');
    expect(row.bodyText).toContain('Login name: new-admin');
    expect(row.bodyText).toContain('http://localhost:3000/set-password/abc');
    expect(row.bodyText).toContain('expires on 2026-11-28 19:00 UTC');
    expect(row.bodyText).not.toContain('{{');
    const report = await dispatcher.dispatchOnce();
    expect(report).toMatchObject({ claimed: 0, sent: 0 });
    expect((await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id })).status).toBe('kept');
  });

  it('says the password was set instead of a link when one was given', async () => {
    const id = await tx.run((em) =>
      outbox.enqueue(em, {
        customerId: child.id,
        to: 'c@example.com',
        subject: 'Your login',
        template: 'login-details',
        context: loginContext('Child Ltd', null),
      }),
    );
    const row = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id });
    expect(row.bodyText).toContain('Your password was set when the account was opened');
    expect(row.bodyText).not.toContain('Choose your password');
  });

  it('writes nothing when the transaction rolls back', async () => {
    const before = await t.dataSource.getRepository(OutboxEmailEntity).count();
    await expect(
      tx.run(async (em) => {
        await outbox.enqueue(em, { customerId: null, to: 'x@example.com', subject: 'Never', template: 'low-balance', context: {} });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await t.dataSource.getRepository(OutboxEmailEntity).count()).toBe(before);
  });

  it('refuses an unknown template at enqueue time (and so the whole transaction)', async () => {
    await expect(
      tx.run((em) =>
        outbox.enqueue(em, { customerId: null, to: 'x@example.com', subject: 'S', template: 'no-such-template', context: {} }),
      ),
    ).rejects.toThrow(/unknown email template/);
    await expect(
      tx.run((em) => outbox.enqueue(em, { customerId: null, to: 'x@example.com', subject: 'S', template: '../layouts/main', context: {} })),
    ).rejects.toThrow(/unknown email template/);
  });

  it('renders kept rows that have no text yet; an unrenderable one gets an explanation', async () => {
    const plain = await insertOutboxRow(t, { status: 'kept', customerId: child.id });
    const broken = await insertOutboxRow(t, { status: 'kept', template: 'gone-template' });
    const report = await dispatcher.dispatchOnce();
    expect(report.rendered).toBeGreaterThanOrEqual(2);
    const a = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id: plain });
    expect(a.bodyText).toContain('The balance of Row is 1.00 EUR, below the low-balance threshold of 5.00 EUR.');
    expect(a.lastError).toBeNull();
    const b = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id: broken });
    expect(b.bodyText).toMatch(/could not be rendered/);
    expect(b.lastError).toMatch(/gone-template/);
    expect(b.status).toBe('kept');
  });

  it('leaves pending rows alone while SMTP is not configured', async () => {
    const id = await insertOutboxRow(t, { status: 'pending' });
    expect(await dispatcher.deliverDue()).toEqual({ claimed: 0, sent: 0, retrying: 0, failed: 0 });
    expect((await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ id })).status).toBe('pending');
    await t.dataSource.getRepository(OutboxEmailEntity).delete({ id });
  });

  describe('GET /api/v1/outbox', () => {
    let ids: { child: number; other: number; none: number };
    beforeAll(async () => {
      ids = {
        child: await insertOutboxRow(t, {
          status: 'kept',
          customerId: child.id,
          subject: 'for child',
          createdAt: new Date('2030-01-01T00:00:01Z'),
        }),
        other: await insertOutboxRow(t, {
          status: 'kept',
          customerId: other.id,
          subject: 'for other',
          createdAt: new Date('2030-01-01T00:00:02Z'),
        }),
        none: await insertOutboxRow(t, {
          status: 'failed',
          customerId: null,
          subject: 'for nobody',
          lastError: 'boom',
          createdAt: new Date('2030-01-01T00:00:03Z'),
        }),
      };
    });

    it('shows the system owner admin everything, newest first, with the documented fields', async () => {
      const res = await t.http.get('/api/v1/outbox?pageSize=3').set(t.auth);
      expect(res.status).toBe(200);
      expect(res.body.items.map((m: { id: number }) => m.id)).toEqual([ids.none, ids.other, ids.child]);
      expect(res.body.total).toBeGreaterThanOrEqual(6);
      expect(res.body.items[0]).toEqual({
        id: ids.none,
        customerId: null,
        to: 'x@example.com',
        subject: 'for nobody',
        template: 'low-balance',
        status: 'failed',
        attempts: 0,
        nextAttemptAt: null,
        createdAt: '2030-01-01T00:00:03.000Z',
        sentAt: null,
        lastError: 'boom',
        bodyText: null,
      });
    });

    it('filters by status and validates the filter', async () => {
      const res = await t.http.get('/api/v1/outbox?status=failed').set(t.auth);
      expect(res.body.items.map((m: { id: number }) => m.id)).toEqual([ids.none]);
      expect((await t.http.get('/api/v1/outbox?status=lost').set(t.auth)).status).toBe(400);
      expect((await t.http.get('/api/v1/outbox?page=0').set(t.auth)).status).toBe(400);
    });

    it("shows a reseller only its subtree's mails, not other branches' nor customer-less ones", async () => {
      const res = await t.http.get('/api/v1/outbox').set(resellerAdmin);
      expect(res.status).toBe(200);
      const seen = res.body.items.map((m: { id: number }) => m.id);
      expect(seen).toContain(ids.child);
      expect(seen).not.toContain(ids.other);
      expect(seen).not.toContain(ids.none);
      expect(res.body.items.every((m: { customerId: number }) => m.customerId === child.id)).toBe(true);
      expect((await t.http.get(`/api/v1/outbox/${ids.child}`).set(resellerAdmin)).body.subject).toBe('for child');
    });

    it('should not read a mail of another branch (404)', async () => {
      expect((await t.http.get(`/api/v1/outbox/${ids.other}`).set(resellerAdmin)).status).toBe(404);
      expect((await t.http.get(`/api/v1/outbox/${ids.none}`).set(resellerAdmin)).status).toBe(404);
      expect((await t.http.get(`/api/v1/outbox/${ids.child}`).set(otherAdmin)).status).toBe(404);
      expect((await t.http.get('/api/v1/outbox/99999').set(t.auth)).status).toBe(404);
    });

    it('is for administrators only: users get 403', async () => {
      expect((await t.http.get('/api/v1/outbox').set(resellerUser)).status).toBe(403);
      expect((await t.http.get(`/api/v1/outbox/${ids.child}`).set(resellerUser)).status).toBe(403);
      expect((await t.http.get('/api/v1/outbox')).status).toBe(401);
    });

    it('retries only a failed mail; without SMTP it goes back to kept, audited', async () => {
      expect((await t.http.post(`/api/v1/outbox/${ids.child}/retry`).set(t.auth)).status).toBe(409);
      expect((await t.http.post(`/api/v1/outbox/${ids.none}/retry`).set(resellerAdmin)).status).toBe(404);
      expect((await t.http.post(`/api/v1/outbox/${ids.none}/retry`).set(resellerUser)).status).toBe(403);
      const res = await t.http.post(`/api/v1/outbox/${ids.none}/retry`).set(t.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: ids.none, status: 'kept', attempts: 0 });
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'email_retried', entityId: String(ids.none) })).toBe(1);
      await dispatcher.whenIdle();
      await dispatcher.dispatchOnce();
      expect((await t.http.get(`/api/v1/outbox/${ids.none}`).set(t.auth)).body.bodyText).toContain('The balance of Row');
    });
  });

  it('describes the outbox in the OpenAPI document', async () => {
    const doc = await t.http.get('/api/docs-json');
    expect(doc.body.paths['/api/v1/outbox']).toBeDefined();
    expect(doc.body.paths['/api/v1/outbox/{id}/retry']).toBeDefined();
    expect(Object.keys(doc.body.components.schemas.OutboxEmailDto.properties)).toEqual(
      expect.arrayContaining([
        'id',
        'customerId',
        'to',
        'subject',
        'template',
        'status',
        'attempts',
        'createdAt',
        'sentAt',
        'lastError',
        'bodyText',
      ]),
    );
  });
});
