import type TestAgent from 'supertest/lib/agent';
import { parse } from 'csv-parse/sync';
import { billingCounts, ledgerRows } from '../factories/billing';
import { createCustomerWithLogin, createPersonWithLogin, createReseller, type ResellerLogin, unique } from '../factories/customers';
import { batchRow, clearThrottle, createBatch, serialsOf } from '../factories/vouchers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { csrfOf, postForm, textOf, webLogin } from './admin-helpers';

/** The hidden idempotency key of the redeem form on a page. */
function formKey(html: string): string {
  const m = /name="idempotencyKey" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no idempotency key on the page');
  return m[1];
}

/** Commerce » Vouchers: the batches list, a new batch, a batch with its vouchers, lock/unlock, redeeming. */
describe(`admin pages: vouchers on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  let customer: ResellerLogin;
  let account: string;
  let web: TestAgent;
  const EVIL = '<script>alert(1)</script>';

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth, { currency: 'EUR' });
    account = unique('ACC-');
    customer = await createCustomerWithLogin(t, reseller.auth, { accountNumber: account, currency: 'EUR' });
    web = await webLogin(t, reseller.username, reseller.password);
  });
  afterAll(() => t.close());
  beforeEach(() => clearThrottle(t));

  it('is in the menu, and lists no batches at first', async () => {
    const res = await web.get('/vouchers');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<a href="\/vouchers" class="active" aria-current="page">Vouchers<\/a>/);
    const text = textOf(res.text);
    expect(text).toContain('No voucher batches yet.');
    expect(res.text).toContain('href="/vouchers/new"');
  });

  it('shows bad input inline, keeps what was typed, and makes nothing', async () => {
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM voucher_batches');
    const res = await postForm(web, '/vouchers/new', '/vouchers', {
      name: 'Kept name',
      value: '-1',
      currency: 'EUR',
      count: '0',
      expiresAt: '2001-01-01',
    });
    expect(res.status).toBe(400);
    expect(textOf(res.text)).toContain('Nothing was saved.');
    expect(res.text).toMatch(/id="f-value"[^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/id="f-count"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('value="Kept name"');
    const past = await postForm(web, '/vouchers/new', '/vouchers', {
      name: 'Past',
      value: '5',
      currency: 'EUR',
      count: '2',
      expiresAt: '2001-01-01',
    });
    expect(past.status).toBe(400);
    expect(textOf(past.text)).toContain('Must be in the future.');
    expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM voucher_batches')).toEqual(before);
  });

  it('issues a batch, shows it with its serials and a CSV link, and locks and unlocks it', async () => {
    const res = await postForm(web, '/vouchers/new', '/vouchers', {
      name: `Cards ${EVIL}`,
      value: '10',
      currency: 'EUR',
      count: '60',
      serialLength: '12',
      expiresAt: '2099-12-31 23:59',
    });
    expect(res.status).toBe(303);
    const id = Number(/^\/vouchers\/(\d+)$/.exec(res.headers.location)?.[1]);
    expect(id).toBeGreaterThan(0);
    const page = await web.get(`/vouchers/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(EVIL);
    const text = textOf(page.text);
    expect(text).toContain(`Voucher batch “Cards ${EVIL}” created with 60 vouchers.`);
    expect(text).toContain('0 of 60 redeemed');
    expect(text).toContain('2099-12-31 23:59');
    const serials = await serialsOf(t, id);
    for (const s of serials.slice(0, 50)) expect(text).toContain(s);
    expect(text).not.toContain(serials[50]);
    expect(text).toContain('1–50 of 60');
    expect((await web.get(`/vouchers/${id}?page=2`)).text).toContain(serials[59]);
    expect(page.text).toContain(`href="/api/v1/voucher-batches/${id}/vouchers?format&#x3D;csv"`);
    // The link works with the page's session.
    const csv = await web.get(`/api/v1/voucher-batches/${id}/vouchers?format=csv`).expect(200);
    expect((parse(csv.text, { columns: true }) as Array<{ serial: string }>).map((r) => r.serial)).toEqual(serials);

    const locked = await web
      .post(`/vouchers/${id}/lock`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), locked: 'on' });
    expect(locked.status).toBe(303);
    const after = await web.get(`/vouchers/${id}`);
    expect(textOf(after.text)).toContain(`Batch “Cards ${EVIL}” locked: its vouchers cannot be redeemed.`);
    expect((await batchRow(t, id)).locked).toBeTruthy();
    expect(after.text).toContain('>Unlock</button>');
    await web
      .post(`/vouchers/${id}/lock`)
      .type('form')
      .send({ _csrf: csrfOf(after.text) })
      .expect(303);
    expect((await batchRow(t, id)).locked).toBeFalsy();

    // The list shows it; search finds it, or nothing.
    const list = textOf((await web.get('/vouchers?search=cards')).text);
    expect(list).toContain(`Cards ${EVIL} 10.00 EUR 0 of 60`);
    expect(textOf((await web.get('/vouchers?search=nothing-like-this')).text)).toContain('No batch matches “nothing-like-this”.');
  });

  it("shows an ancestor the batch without serials, and another branch's administrator a 404", async () => {
    const b = await createBatch(t, reseller.auth, { count: 2 });
    const [serial] = await serialsOf(t, b.id);
    const owner = await webLogin(t);
    const asOwner = await owner.get(`/vouchers/${b.id}`);
    expect(asOwner.status).toBe(200);
    expect(asOwner.text).not.toContain(serial);
    expect(textOf(asOwner.text)).toContain("Only the issuer's administrators see the serials.");
    const other = await createReseller(t, t.auth);
    const stranger = await webLogin(t, other.username, other.password);
    expect((await stranger.get(`/vouchers/${b.id}`)).status).toBe(404);
  });

  it('lets a customer (an ordinary user too) redeem a voucher from the page, once per form', async () => {
    const b = await createBatch(t, reseller.auth, { count: 1, value: '4.5', currency: 'EUR' });
    const [serial] = await serialsOf(t, b.id);
    const user = await createPersonWithLogin(t, customer.auth, customer.id, { role: 'user' });
    const agent = await webLogin(t, user.username, user.password);
    const list = await agent.get('/vouchers');
    expect(list.status).toBe(200);
    expect(list.text).toContain('href="/vouchers/redeem"');
    expect(list.text).not.toContain('href="/vouchers/new"');

    // A wrong serial: shown inline, the serial not echoed, nothing credited.
    const before = await billingCounts(t);
    const wrong = await postForm(agent, '/vouchers/redeem', '/vouchers/redeem', { accountNumber: account, serial: '9999 8888 7777' });
    expect(wrong.status).toBe(422);
    expect(textOf(wrong.text)).toContain('No voucher with this serial for this account number.');
    expect(wrong.text).not.toContain('9999 8888 7777');
    expect(wrong.text).toContain(`value="${account}"`);
    expect(await billingCounts(t)).toEqual(before);

    const form = await agent.get('/vouchers/redeem');
    const fields = { _csrf: csrfOf(form.text), idempotencyKey: formKey(form.text), accountNumber: account, serial };
    const ok = await agent.post('/vouchers/redeem').type('form').send(fields);
    expect(ok.status).toBe(303);
    expect(textOf((await agent.get('/vouchers/redeem')).text)).toContain(
      'Voucher redeemed: 4.50 EUR credited. The balance is now 4.50 EUR.',
    );
    const again = await agent.post('/vouchers/redeem').type('form').send(fields);
    expect(again.status).toBe(303);
    expect(textOf((await agent.get('/vouchers/redeem')).text)).toContain(
      'This form was already sent: the voucher was redeemed once (4.50 EUR).',
    );
    expect(await ledgerRows(t, customer.id)).toHaveLength(1);
  });

  it('needs the CSRF token', async () => {
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM voucher_batches');
    const res = await web.post('/vouchers').type('form').send({ name: 'x', value: '1', currency: 'EUR', count: '1' });
    expect(res.status).toBe(403);
    expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM voucher_batches')).toEqual(before);
  });
});
