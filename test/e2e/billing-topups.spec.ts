import { TopUpRequestEntity } from '../../src/modules/billing/topups/entities/topup-request.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { balanceRow, billingCounts, ledgerRows } from '../factories/billing';
import { createCustomerWithLogin, createPersonWithLogin, createReseller, type Auth, type ResellerLogin } from '../factories/customers';
import { expectLedgerInOrder, mailsOf, move, requestsOf } from '../factories/topups';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { csrfOf, textOf, webLogin } from './admin-helpers';

/**
 * Automatic top-up to the parent (no card provider configured) and Commerce » Requests: the API
 * `/api/v1/topup-requests` and the page `/requests`.
 */
describe(`billing: automatic top-up requests to the parent on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  let other: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
    other = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  /** A customer of the reseller with automatic top-up at 5.00, a logged-in administrator, and a balance of 10.00. */
  async function autoCustomer(extra: Record<string, unknown> = {}): Promise<ResellerLogin> {
    const c = await createCustomerWithLogin(t, reseller.auth, { lowBalanceThreshold: '5.00', autoTopUp: true, ...extra });
    await move(t, c.id, '10.00');
    return c;
  }

  /** Debits the customer from 10.00 to 4.00: a crossing that raises a request for 6.00 (back to 2 × 5.00). */
  async function raise(c: ResellerLogin): Promise<TopUpRequestEntity> {
    expect(await move(t, c.id, '-6.00', 'call')).toBe('4.00');
    const open = (await requestsOf(t, c.id)).filter((r) => r.status === 'pending');
    expect(open).toHaveLength(1);
    return open[0];
  }

  const approve = (auth: Auth, id: number, key?: string) => {
    const req = t.http.post(`/api/v1/topup-requests/${id}/approve`).set(auth);
    if (key) req.set('Idempotency-Key', key);
    return req.send();
  };
  const reject = (auth: Auth, id: number, body: Record<string, unknown> = {}) =>
    t.http.post(`/api/v1/topup-requests/${id}/reject`).set(auth).send(body);

  describe('raising', () => {
    it('raises a request to the parent when the balance crosses the threshold, emails the customer and the parent, and audits it', async () => {
      const c = await autoCustomer({ accountNumber: 'ACC-77' });
      const r = await raise(c);
      expect(r).toMatchObject({
        customerId: c.id,
        parentId: reseller.id,
        customerName: c.body.name,
        accountNumber: 'ACC-77',
        currency: 'EUR',
        status: 'pending',
        channel: 'parent',
        automatic: true,
        provider: null,
        openCustomerId: c.id,
      });
      expect(r.amount.toString()).toBe('6.00');
      expect(r.balanceAtRequest.toString()).toBe('4.00');

      const [low] = await mailsOf(t, 'low-balance', c.id);
      expect(low.ctx).toMatchObject({ balance: '4.00', threshold: '5.00', autoTopUp: true, topUpAmount: '6.00' });
      expect(low.bodyText).toContain('An automatic top-up of 6.00 EUR has been requested.');
      const [ask] = await mailsOf(t, 'topup-request', reseller.id);
      expect(ask).toMatchObject({ toAddress: reseller.body.email, subject: `Top-up request from ${c.body.name}` });
      expect(ask.ctx).toMatchObject({
        customerName: c.body.name,
        accountNumber: 'ACC-77',
        amount: '6.00',
        currency: 'EUR',
        automatic: true,
      });
      expect(ask.ctx.reviewUrl).toMatch(/\/requests\?status=pending$/);
      expect(ask.bodyText).toContain(`${c.body.name} (account ACC-77) asks for a top-up of 6.00 EUR (automatic top-up on low balance)`);

      const audit = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findOneByOrFail({ action: 'topup_requested', entityId: String(r.id) });
      expect(audit).toMatchObject({ customerId: c.id, actorPersonId: null });
      await expectLedgerInOrder(t);
    });

    it('keeps one open request per customer: a second crossing while one is pending raises none, and the email names the open one', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      await move(t, c.id, '-30.00', 'call');
      await move(t, c.id, '40.00'); // back above (14.00)
      await move(t, c.id, '-13.00', 'call'); // below again (1.00): a second crossing
      expect(await requestsOf(t, c.id)).toHaveLength(1);
      const mails = await mailsOf(t, 'low-balance', c.id);
      expect(mails).toHaveLength(2);
      expect(mails[1].ctx).toMatchObject({ balance: '1.00', autoTopUp: true, topUpAmount: r.amount.toString() });
      expect(await mailsOf(t, 'topup-request', reseller.id).then((m) => m.filter((x) => x.ctx.customerName === c.body.name))).toHaveLength(
        1,
      );
    });

    it('raises none without automatic top-up, and sends payment type credit card to the parent when no card provider is configured', async () => {
      const plain = await createCustomerWithLogin(t, reseller.auth, { lowBalanceThreshold: '5.00', autoTopUp: false });
      await move(t, plain.id, '10.00');
      await move(t, plain.id, '-9.00');
      expect(await requestsOf(t, plain.id)).toEqual([]);

      const card = await autoCustomer({ paymentType: 'credit_card' });
      expect((await raise(card)).channel).toBe('parent');
    });
  });

  describe('listing', () => {
    it("lists the caller's descendants' requests, newest first, paged, by status and search", async () => {
      const c = await autoCustomer({ name: 'Listed Searchable Ltd' });
      const r = await raise(c);
      const res = await t.http.get('/api/v1/topup-requests').set(reseller.auth).query({ status: 'pending', pageSize: 500 }).expect(200);
      expect(res.body).toMatchObject({ page: 1, pageSize: 500, total: expect.any(Number) });
      const item = (res.body.items as Array<Record<string, unknown>>).find((i) => i.id === r.id);
      expect(item).toEqual({
        id: r.id,
        customerId: c.id,
        customerName: 'Listed Searchable Ltd',
        accountNumber: null,
        parentId: reseller.id,
        amount: '6.00',
        currency: 'EUR',
        balanceAtRequest: '4.00',
        status: 'pending',
        channel: 'parent',
        automatic: true,
        provider: null,
        providerReference: null,
        reason: null,
        decidedByPersonId: null,
        ledgerTransactionId: null,
        createdAt: expect.stringMatching(/Z$/),
        decidedAt: null,
      });
      const ids = (res.body.items as Array<{ id: number }>).map((i) => i.id);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);

      const found = await t.http.get('/api/v1/topup-requests').set(reseller.auth).query({ search: 'searchable' }).expect(200);
      expect(found.body.items.map((i: { id: number }) => i.id)).toEqual([r.id]);
      const byId = await t.http
        .get('/api/v1/topup-requests')
        .set(reseller.auth)
        .query({ search: String(r.id) })
        .expect(200);
      expect(byId.body.items.map((i: { id: number }) => i.id)).toContain(r.id);
      const paged = await t.http.get('/api/v1/topup-requests').set(reseller.auth).query({ pageSize: 1, page: 2 }).expect(200);
      expect(paged.body.items).toHaveLength(1);
      expect(paged.body.total).toBeGreaterThanOrEqual(2);
      // The system owner sees its grandchildren's requests too.
      const root = await t.http.get('/api/v1/topup-requests').set(t.auth).query({ search: 'searchable' }).expect(200);
      expect(root.body.items.map((i: { id: number }) => i.id)).toEqual([r.id]);
      // Another branch and the customer itself (its own requests are not its descendants') see none of it.
      for (const auth of [other.auth, c.auth]) {
        expect((await t.http.get('/api/v1/topup-requests').set(auth).expect(200)).body.items).toEqual([]);
      }
      expect((await t.http.get(`/api/v1/topup-requests/${r.id}`).set(c.auth).expect(200)).body.id).toBe(r.id);
      await t.http.get(`/api/v1/topup-requests/${r.id}`).set(other.auth).expect(404);
    });

    it('refuses a bad filter with 400', async () => {
      const res = await t.http.get('/api/v1/topup-requests').set(reseller.auth).query({ status: 'bogus' }).expect(400);
      expect(res.body.code).toBe('validation_failed');
      await t.http.get('/api/v1/topup-requests').set(reseller.auth).query({ pageSize: 501 }).expect(400);
    });
  });

  describe('approving', () => {
    it('credits the amount once as a top-up, emails the customer the outcome, audits it; a second approval is a 409', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      const res = await approve(reseller.auth, r.id).expect(200);
      expect(res.body).toMatchObject({ request: { id: r.id, status: 'approved', decidedAt: expect.any(String) }, balance: '10.00' });
      expect(res.body.request.decidedByPersonId).toEqual(expect.any(Number));
      expect(await balanceRow(t, c.id)).toBe('10.00');
      const topups = (await ledgerRows(t, c.id)).filter((row) => row.type === 'topup');
      expect(topups).toHaveLength(1);
      expect(topups[0]).toMatchObject({
        id: res.body.request.ledgerTransactionId,
        reference: `topup-request:${r.id}`,
        actorPersonId: res.body.request.decidedByPersonId,
      });
      expect(topups[0].amount.toString()).toBe('6.00');
      expect((await requestsOf(t, c.id))[0]).toMatchObject({ status: 'approved', openCustomerId: null });

      const [outcome] = await mailsOf(t, 'topup-outcome', c.id);
      expect(outcome).toMatchObject({ toAddress: c.body.email });
      expect(outcome.ctx).toMatchObject({ amount: '6.00', currency: 'EUR', approved: true, reason: null, newBalance: '10.00' });
      expect(outcome.bodyText).toContain('was approved');
      expect(outcome.bodyText).toContain('The balance is now 10.00 EUR.');
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'topup_approved', entityId: String(r.id) })).toBe(1);

      const again = await approve(reseller.auth, r.id).expect(409);
      expect(again.body.code).toBe('already_decided');
      await reject(reseller.auth, r.id).expect(409);
      expect((await ledgerRows(t, c.id)).filter((row) => row.type === 'topup')).toHaveLength(1);
      await expectLedgerInOrder(t);
    });

    it('credits exactly once when approvals race', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      const answers = await Promise.all([reseller.auth, reseller.auth, t.auth, reseller.auth].map((auth) => approve(auth, r.id)));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
      for (const a of answers.filter((x) => x.status === 409)) expect(a.body.code).toBe('already_decided');
      expect((await ledgerRows(t, c.id)).filter((row) => row.type === 'topup')).toHaveLength(1);
      expect(await balanceRow(t, c.id)).toBe('10.00');
      expect(await mailsOf(t, 'topup-outcome', c.id)).toHaveLength(1);
      await expectLedgerInOrder(t);
    });

    it('answers a repeat with the same Idempotency-Key with the first answer, crediting once', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      const first = await approve(reseller.auth, r.id, `approve-${r.id}`).expect(200);
      const second = await approve(reseller.auth, r.id, `approve-${r.id}`).expect(200);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect((await ledgerRows(t, c.id)).filter((row) => row.type === 'topup')).toHaveLength(1);
    });

    it('lets a new crossing raise a new request once the last one was decided', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      await approve(reseller.auth, r.id).expect(200); // 10.00
      await move(t, c.id, '-6.00', 'call');
      const all = await requestsOf(t, c.id);
      expect(all.map((x) => x.status)).toEqual(['approved', 'pending']);
    });
  });

  describe('rejecting', () => {
    it('moves nothing, emails the customer the outcome with the reason, audits it; deciding it again is a 409', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      const before = await billingCounts(t);
      const res = await reject(reseller.auth, r.id, { reason: '  Please pay the open invoice first ' }).expect(200);
      expect(res.body).toMatchObject({
        request: { id: r.id, status: 'rejected', reason: 'Please pay the open invoice first' },
        balance: null,
      });
      const after = await billingCounts(t);
      expect({ transactions: after.transactions, balances: after.balances }).toEqual({
        transactions: before.transactions,
        balances: before.balances,
      });
      expect(await balanceRow(t, c.id)).toBe('4.00');
      const [outcome] = await mailsOf(t, 'topup-outcome', c.id);
      expect(outcome.ctx).toMatchObject({ approved: false, reason: 'Please pay the open invoice first', newBalance: null });
      expect(outcome.bodyText).toContain('was rejected');
      expect(outcome.bodyText).toContain('Note: Please pay the open invoice first');
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'topup_rejected', entityId: String(r.id) })).toBe(1);
      expect((await approve(reseller.auth, r.id).expect(409)).body.code).toBe('already_decided');
      await expectLedgerInOrder(t);
    });

    it('refuses a reason that is too long with 400 and leaves the request pending', async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      const res = await reject(reseller.auth, r.id, { reason: 'x'.repeat(501) }).expect(400);
      expect(res.body.details[0].field).toBe('reason');
      expect((await requestsOf(t, c.id))[0].status).toBe('pending');
    });
  });

  describe('who may decide', () => {
    it("answers 404 to another branch, 403 to the customer itself and to its parent's users; nothing moves", async () => {
      const c = await autoCustomer();
      const r = await raise(c);
      const user = await createPersonWithLogin(t, reseller.auth, reseller.id, { role: 'user' });
      const before = await billingCounts(t);

      expect((await approve(other.auth, r.id).expect(404)).body.code).toBe('not_found');
      await reject(other.auth, r.id).expect(404);
      expect((await approve(c.auth, r.id).expect(403)).body.code).toBe('forbidden');
      await reject(c.auth, r.id).expect(403);
      await approve(user.auth, r.id).expect(403);
      await approve(reseller.auth, 999_999_999).expect(404);

      expect((await billingCounts(t)).transactions).toBe(before.transactions);
      expect((await requestsOf(t, c.id))[0].status).toBe('pending');
    });
  });

  it('describes every endpoint in the OpenAPI document', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    const list = doc.paths['/api/v1/topup-requests'].get;
    expect(list.summary).toBeTruthy();
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['page', 'pageSize', 'status', 'search']));
    expect(doc.paths['/api/v1/topup-requests/{id}'].get.summary).toBeTruthy();
    const approveOp = doc.paths['/api/v1/topup-requests/{id}/approve'].post;
    expect(Object.keys(approveOp.responses)).toEqual(expect.arrayContaining(['200', '403', '404', '409']));
    expect(approveOp.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(Object.keys(doc.paths['/api/v1/topup-requests/{id}/reject'].post.responses)).toEqual(
      expect.arrayContaining(['200', '400', '403', '404', '409']),
    );
    expect(doc.components.schemas.TopUpRequestDto.properties.amount).toMatchObject({ type: 'string' });
  });

  describe('Commerce » Requests page', () => {
    it('lists the requests with search and status filter, and approves and rejects them with CSRF-protected forms', async () => {
      const a = await autoCustomer({ name: 'Page Approve Co' });
      const b = await autoCustomer({ name: 'Page Reject Co' });
      const ra = await raise(a);
      const rb = await raise(b);
      const web = await webLogin(t);

      const page = await web.get('/requests').query({ status: 'pending', search: 'Page ' }).expect(200);
      const text = textOf(page.text);
      expect(text).toContain('Page Approve Co');
      expect(text).toContain('Page Reject Co');
      expect(page.text).toContain(`action="/requests/${ra.id}/approve"`);
      expect(page.text).toContain('href="/requests" class="active"');

      // Without the CSRF token: refused, nothing decided.
      await web.post(`/requests/${ra.id}/approve`).type('form').send({}).expect(403);
      expect((await requestsOf(t, a.id))[0].status).toBe('pending');

      const csrf = csrfOf(page.text);
      const approved = await web
        .post(`/requests/${ra.id}/approve`)
        .type('form')
        .send({ _csrf: csrf, idempotencyKey: 'form-key-1' })
        .expect(303);
      expect(approved.headers.location).toBe('/requests?status=pending');
      // The same form sent twice (a double click) credits once.
      await web.post(`/requests/${ra.id}/approve`).type('form').send({ _csrf: csrf, idempotencyKey: 'form-key-1' }).expect(303);
      expect((await ledgerRows(t, a.id)).filter((row) => row.type === 'topup')).toHaveLength(1);
      const flash = await web.get('/requests?status=pending').expect(200);
      expect(textOf(flash.text)).toContain(`request #${ra.id} was credited once`);

      await web.post(`/requests/${rb.id}/reject`).type('form').send({ _csrf: csrf, reason: 'Not this month' }).expect(303);
      expect((await requestsOf(t, b.id))[0]).toMatchObject({ status: 'rejected', reason: 'Not this month' });
      // Deciding again shows the refusal as a message.
      await web.post(`/requests/${rb.id}/approve`).type('form').send({ _csrf: csrf }).expect(303);
      expect(textOf((await web.get('/requests').expect(200)).text)).toContain(`Request #${rb.id} was not approved`);

      const decided = await web.get('/requests').query({ search: 'Page Reject' }).expect(200);
      expect(textOf(decided.text)).toContain('Not this month');
      expect(decided.text).not.toContain(`action="/requests/${rb.id}/approve"`);
      await expectLedgerInOrder(t);
    });
  });
});
