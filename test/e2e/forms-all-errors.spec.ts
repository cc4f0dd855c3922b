import type TestAgent from 'supertest/lib/agent';
import { addNumber, addRatePlan, createCustomer, createReseller, customerInput, customerRowCounts, unique } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { csrfOf, postForm, textOf, webLogin } from './admin-helpers';

type Detail = { field: string; message: string; code: string };
const byField = (details: Detail[]) => Object.fromEntries(details.map((d) => [d.field, d.code]));

/**
 * Every error in one round (issue #14 item 1): the API's 400 lists every problem of a request at once,
 * format and business checks together, one `details` entry per field with its own `code`, and writes
 * nothing; the form shows them all next to their fields after one save, keeping what was typed. And
 * Post/Redirect/Get (item 2): a saved form answers 303 to the resource's page with a flash message.
 */
describe('forms: every error in one round, Post/Redirect/Get (customers)', () => {
  let t: TestApp;
  let web: TestAgent;
  let foreignPlanId: number;
  let takenUsername: string;
  let takenAccount: string;

  beforeAll(async () => {
    t = await startTestApp();
    web = await webLogin(t);
    // A plan of a reseller below: not the system owner's to assign.
    const reseller = await createReseller(t, t.auth);
    foreignPlanId = (await addRatePlan(t, reseller.id)).id;
    takenUsername = unique('taken');
    takenAccount = unique('ACC')
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 30);
    await createCustomer(t, t.auth, { username: takenUsername, accountNumber: takenAccount });
  });
  afterAll(() => t.close());

  it('API create: format errors and every business check in one 400, each detail with its code, nothing created', async () => {
    const before = await customerRowCounts(t);
    const res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(
        await customerInput(t, {
          username: takenUsername.toUpperCase(), // login names are compared ignoring case
          accountNumber: takenAccount,
          email: 'not-an-email',
          creditLimit: '-5',
          ratePlanId: foreignPlanId,
        }),
      );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(byField(res.body.details)).toEqual({
      email: 'validation_failed',
      creditLimit: 'validation_failed',
      username: 'already_exists',
      accountNumber: 'already_exists',
      ratePlanId: 'not_found',
    });
    // One entry per field.
    expect(new Set(res.body.details.map((d: Detail) => d.field)).size).toBe(res.body.details.length);
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it("API create: a residential customer's missing number is in the first 400, with the other problems", async () => {
    const before = await customerRowCounts(t);
    const res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send({ type: 'residential', email: 'bad email', ratePlanId: foreignPlanId, creditLimit: 'lots' });
    expect(res.status).toBe(400);
    expect(byField(res.body.details)).toEqual({
      number: 'validation_failed',
      personName: 'validation_failed',
      email: 'validation_failed',
      creditLimit: 'validation_failed',
      ratePlanId: 'not_found',
    });
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it('API create: a taken username, a number that is not free and a bad email, all at once', async () => {
    const used = await addNumber(t, 1, `44207${Date.now() % 1e7}`.padEnd(12, '1'));
    await createCustomer(t, t.auth, {
      type: 'residential',
      name: undefined,
      number: used.number,
      personName: 'First',
      email: 'f@example.com',
    });
    const before = await customerRowCounts(t);
    const residential = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { type: 'residential', name: undefined, number: used.number, personName: 'P', email: 'x' }));
    expect(residential.status).toBe(400);
    expect(byField(residential.body.details)).toEqual({ number: 'already_exists', email: 'validation_failed' });
    const normal = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { username: takenUsername, email: 'x', billingAddress: { country: 'XX' } }));
    expect(normal.status).toBe(400);
    expect(byField(normal.body.details)).toEqual({
      username: 'already_exists',
      email: 'validation_failed',
      'billingAddress.country': 'validation_failed',
    });
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it('API: problems of one kind keep their status (two taken values: 409 already_exists)', async () => {
    const res = await t.http
      .post('/api/v1/customers')
      .set(t.auth)
      .send(await customerInput(t, { username: takenUsername, accountNumber: takenAccount }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('already_exists');
    expect(byField(res.body.details)).toEqual({ username: 'already_exists', accountNumber: 'already_exists' });
  });

  it('API update: a bad email and a taken account number together, nothing changed', async () => {
    const c = await createCustomer(t, t.auth, { name: 'Patch target' });
    const res = await t.http
      .patch(`/api/v1/customers/${c.id}`)
      .set(t.auth)
      .send({ email: 'nope', accountNumber: takenAccount, name: 'Renamed', dialPlanId: 999999 });
    expect(res.status).toBe(400);
    expect(byField(res.body.details)).toEqual({ email: 'validation_failed', accountNumber: 'already_exists', dialPlanId: 'not_found' });
    expect((await t.http.get(`/api/v1/customers/${c.id}`).set(t.auth)).body.name).toBe('Patch target');
  });

  it('API people, lines and mailboxes: the uniqueness check and the format errors in one answer, nothing created', async () => {
    const c = await createCustomer(t, t.auth);
    const base = `/api/v1/customers/${c.id}`;
    // A person: a taken login name, a bad email and a short password.
    const person = await t.http
      .post(`${base}/people`)
      .set(t.auth)
      .send({ username: takenUsername, displayName: 'P', role: 'user', email: 'x', password: 'short' });
    expect(person.status).toBe(400);
    expect(byField(person.body.details)).toEqual({ username: 'already_exists', email: 'validation_failed', password: 'validation_failed' });
    // A line: a taken SIP username and a bad limit.
    const first = await t.http.post(`${base}/sip-accounts`).set(t.auth).send({ displayName: 'First' });
    expect(first.status).toBe(201);
    const line = await t.http
      .post(`${base}/sip-accounts`)
      .set(t.auth)
      .send({ username: first.body.username, displayName: 'Second', maxConcurrentCalls: -1 });
    expect(line.status).toBe(400);
    expect(byField(line.body.details)).toEqual({ username: 'already_exists', maxConcurrentCalls: 'validation_failed' });
    // A mailbox: a taken number and a bad email, on create and on change.
    const box = await t.http
      .post(`${base}/mailboxes`)
      .set(t.auth)
      .send({ mailbox: `9${Date.now() % 1e6}` });
    expect(box.status).toBe(201);
    const other = await t.http
      .post(`${base}/mailboxes`)
      .set(t.auth)
      .send({ mailbox: `8${Date.now() % 1e6}` });
    const dup = await t.http.post(`${base}/mailboxes`).set(t.auth).send({ mailbox: box.body.mailbox, email: 'nope' });
    expect(dup.status).toBe(400);
    expect(byField(dup.body.details)).toEqual({ mailbox: 'already_exists', email: 'validation_failed' });
    const patch = await t.http.patch(`${base}/mailboxes/${other.body.id}`).set(t.auth).send({ mailbox: box.body.mailbox, email: 'nope' });
    expect(patch.status).toBe(400);
    expect(byField(patch.body.details)).toEqual({ mailbox: 'already_exists', email: 'validation_failed' });
    const counts = await Promise.all(
      ['people', 'sip-accounts', 'mailboxes'].map(async (what) => (await t.http.get(`${base}/${what}`).set(t.auth)).body.total),
    );
    expect(counts).toEqual([1, 1, 2]);
  });

  it('rate plans: a reference check and the format errors in one answer, nothing created', async () => {
    const before = (await t.http.get('/api/v1/rate-plans').set(t.auth)).body.total;
    const res = await t.http
      .post('/api/v1/rate-plans')
      .set(t.auth)
      .send({ name: '', currency: 'EUR', dialPlanId: 999999, inheritsFromId: foreignPlanId });
    expect(res.status).toBe(400);
    expect(byField(res.body.details)).toEqual({
      name: 'validation_failed',
      dialPlanId: 'validation_failed',
      inheritsFromId: 'validation_failed',
    });
    expect((await t.http.get('/api/v1/rate-plans').set(t.auth)).body.total).toBe(before);
  });

  it('rates: the missing fields and the badly formed ones in one answer', async () => {
    const plan = await t.http
      .post('/api/v1/rate-plans')
      .set(t.auth)
      .send({ name: unique('Rates plan'), currency: 'EUR' });
    const res = await t.http.post(`/api/v1/rate-plans/${plan.body.id}/rates`).set(t.auth).send({ connectFee: 'free', firstBlock: -1 });
    expect(res.status).toBe(400);
    expect(byField(res.body.details)).toEqual({
      connectFee: 'validation_failed',
      firstBlock: 'validation_failed',
      prefix: 'validation_failed',
      destination: 'validation_failed',
      perMinute: 'validation_failed',
    });
  });

  it('system settings and exchange rates: the references and the format errors in one answer', async () => {
    const settings = await t.http.patch('/api/v1/system').set(t.auth).send({ costPlanId: 999999, currency: 'euro' });
    expect(settings.status).toBe(400);
    expect(byField(settings.body.details)).toEqual({ costPlanId: 'not_found', currency: 'validation_failed' });
    const system = (await t.http.get('/api/v1/system').set(t.auth)).body.currency as string;
    const rate = await t.http
      .post('/api/v1/exchange-rates')
      .set(t.auth)
      .send({ currency: system, rate: 'one', validFrom: '2026-01-01T00:00:00Z' });
    expect(rate.status).toBe(400);
    expect(byField(rate.body.details)).toEqual({ currency: 'validation_failed', rate: 'validation_failed' });
  });

  it('dial plans: a taken name and an over-long description in one answer', async () => {
    const name = unique('Dial');
    expect((await t.http.post('/api/v1/dial-plans').set(t.auth).send({ name })).status).toBe(201);
    const res = await t.http
      .post('/api/v1/dial-plans')
      .set(t.auth)
      .send({ name, description: 'x'.repeat(501) });
    expect(res.status).toBe(400);
    expect(byField(res.body.details)).toEqual({ name: 'already_exists', description: 'validation_failed' });
  });

  it('voucher batches: an expiry in the past, a blank name and a bad count in one answer, nothing made', async () => {
    const res = await t.http
      .post('/api/v1/voucher-batches')
      .set(t.auth)
      .send({ name: '   ', value: '5.00', currency: 'EUR', count: 0, expiresAt: '2001-01-01T00:00:00Z' });
    expect(res.status).toBe(400);
    expect(byField(res.body.details)).toEqual({ count: 'validation_failed', expiresAt: 'validation_failed', name: 'validation_failed' });
    expect((await t.http.get('/api/v1/voucher-batches').set(t.auth)).body.total).toBe(0);
  });

  it('password change: a wrong current password, a short new one and a different repetition in one round', async () => {
    const api = await t.http.post('/api/v1/auth/password').set(t.auth).send({ currentPassword: 'not-it', newPassword: 'short' });
    expect(api.status).toBe(400);
    expect(byField(api.body.details)).toEqual({ currentPassword: 'validation_failed', newPassword: 'validation_failed' });
    const page = await postForm(web, '/account', '/account/password', {
      currentPassword: 'not-it',
      newPassword: 'short',
      confirmPassword: 'other',
    });
    expect(page.status).toBe(400);
    for (const field of ['currentPassword', 'newPassword', 'confirmPassword']) {
      expect(page.text).toMatch(new RegExp(`id="f-${field}-help"><p class="error-text">`));
    }
    // The summary is above the password form only, not above the page's other form (API keys).
    expect(page.text.match(/Nothing was saved/g)).toHaveLength(1);
    expect(page.text.indexOf('Nothing was saved')).toBeLessThan(page.text.indexOf('id="f-currentPassword"'));
    // Passwords are never sent back into the form.
    expect(page.text).not.toContain('value="not-it"');
    expect(page.text).not.toContain('value="short"');
  });

  it('the page shows every error next to its field after one save and keeps what was typed', async () => {
    const before = await customerRowCounts(t);
    const res = await postForm(web, '/customers/new?type=normal', '/customers', {
      type: 'normal',
      name: 'Several Mistakes Ltd',
      username: takenUsername,
      accountNumber: takenAccount,
      email: 'not an email',
      ratePlanId: String(foreignPlanId),
      timezone: 'Europe/London',
      billingType: 'prepaid',
      paymentType: 'none',
      creditLimit: 'ten',
      lowBalanceThreshold: '0.00',
    });
    expect(res.status).toBe(400);
    const help = (field: string) => textOf(new RegExp(`id="f-${field}-help">([\\s\\S]*?)</div>`).exec(res.text)?.[1] ?? '');
    expect(help('username')).toMatch(/already taken/);
    expect(help('accountNumber')).toMatch(/already used/);
    expect(help('email')).toMatch(/email/i);
    expect(help('creditLimit')).toMatch(/decimal/i);
    expect(help('ratePlanId')).toMatch(/rate plan/i);
    expect(res.text).toContain('value="Several Mistakes Ltd"');
    expect(res.text).toContain(`value="${takenAccount}"`);
    expect(res.text).toContain('value="not an email"');
    expect(await customerRowCounts(t)).toEqual(before);
  });

  it('a saved form answers 303 to the resource with a flash; the edit form too', async () => {
    const name = unique('PRG Ltd');
    const res = await postForm(web, '/customers/new?type=normal', '/customers', {
      type: 'normal',
      name,
      email: 'prg@example.com',
      ratePlanId: String((await customerInput(t)).ratePlanId),
      timezone: 'Europe/London',
      billingType: 'prepaid',
      paymentType: 'none',
      creditLimit: '0.00',
      lowBalanceThreshold: '0.00',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/customers\/\d+$/);
    const page = await web.get(res.headers.location);
    expect(textOf(page.text)).toContain(`Customer “${name}” created.`);
    // The flash is shown once; a reload of the page is a plain GET.
    expect(textOf((await web.get(res.headers.location)).text)).not.toContain('created.');
    const id = res.headers.location.split('/').pop();
    const edit = await web.get(`/customers/${id}/edit`);
    const bad = await web
      .post(`/customers/${id}/edit`)
      .type('form')
      .send({
        _csrf: csrfOf(edit.text),
        name,
        email: 'bad',
        accountNumber: takenAccount,
        timezone: 'Europe/London',
        billingType: 'prepaid',
        paymentType: 'none',
        creditLimit: '0.00',
        lowBalanceThreshold: '0.00',
      });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-email-help"><p class="error-text">/);
    expect(bad.text).toMatch(/id="f-accountNumber-help"><p class="error-text">/);
  });
});
