import type TestAgent from 'supertest/lib/agent';
import { balanceRow, billingCounts, credit, ledgerRows } from '../factories/billing';
import { createCustomerWithLogin, createPersonWithLogin, createReseller, type ResellerLogin } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { csrfOf, textOf, webLogin } from './admin-helpers';

/** The hidden idempotency key of the balance form on a page. */
function formKey(html: string): string {
  const m = /name="idempotencyKey" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no idempotency key on the page');
  return m[1];
}

/** Customers › X › Balance: the balance, the transactions and the form that credits the customer. */
describe(`admin page: a customer's balance on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  let customer: ResellerLogin;
  /** The reseller's administrator, logged in to the pages. */
  let web: TestAgent;
  const EVIL = '<script>alert(1)</script>';

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
    customer = await createCustomerWithLogin(t, reseller.auth, { name: `Acme ${EVIL}` });
    web = await webLogin(t, reseller.username, reseller.password);
  });
  afterAll(() => t.close());

  const page = (agent: TestAgent, id = customer.id) => agent.get(`/customers/${id}/transactions`);
  async function submit(agent: TestAgent, fields: Record<string, unknown>, id = customer.id) {
    const form = await page(agent, id);
    expect(form.status).toBe(200);
    return agent
      .post(`/customers/${id}/balance`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), idempotencyKey: formKey(form.text), ...fields });
  }

  it("is linked from the customer's page and shows the balance, no transactions yet, and the form", async () => {
    const detail = await web.get(`/customers/${customer.id}`);
    expect(detail.text).toContain(`href="/customers/${customer.id}/transactions"`);
    const res = await page(web);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain(`Customers › Acme ${EVIL} ›`);
    expect(res.text).not.toContain(EVIL);
    expect(text).toContain('Balance 0.00 EUR');
    expect(text).toContain('No transactions yet.');
    expect(res.text).toContain(`action="/customers/${customer.id}/balance"`);
    expect(res.text).toMatch(/<option value="topup"[^>]*>Top-up<\/option>/);
  });

  it('shows bad input inline, keeps what was typed, and posts nothing', async () => {
    const before = await billingCounts(t);
    const res = await submit(web, { amount: '-5', type: 'credit', description: 'Kept text' });
    expect(res.status).toBe(400);
    expect(textOf(res.text)).toContain('Nothing was saved.');
    expect(res.text).toMatch(/id="f-amount"[^>]*aria-invalid="true"/);
    expect(textOf(res.text)).toContain('Must be a decimal string greater than 0 with up to 6 decimal places.');
    expect(res.text).toContain('value="Kept text"');
    expect(res.text).toContain('value="-5"');
    const unknownType = await submit(web, { amount: '5', type: 'adjustment' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.text).toMatch(/id="f-type"[^>]*aria-invalid="true"/);
    const empty = await submit(web, {});
    expect(empty.status).toBe(400);
    expect(textOf(empty.text)).toContain('This field is required.');
    expect(await billingCounts(t)).toEqual(before);
  });

  it('posts a top-up, redirects (Post/Redirect/Get) and shows it with a flash message; a form sent twice posts once', async () => {
    const form = await page(web);
    const fields = {
      _csrf: csrfOf(form.text),
      idempotencyKey: formKey(form.text),
      amount: '12.5',
      type: 'topup',
      description: `Card ${EVIL}`,
      reference: 'R-1',
    };
    const res = await web.post(`/customers/${customer.id}/balance`).type('form').send(fields);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/customers/${customer.id}/transactions`);
    const shown = await page(web);
    const text = textOf(shown.text);
    expect(text).toContain('Top-up of 12.50 EUR recorded. The balance is now 12.50 EUR.');
    expect(text).toContain('Balance 12.50 EUR');
    expect(text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC Top-up Card <script>alert\(1\)<\/script> R-1 12\.50 EUR/);
    expect(shown.text).not.toContain(EVIL);

    // The same form again (a double click, a reload of the POST): recorded once.
    const again = await web.post(`/customers/${customer.id}/balance`).type('form').send(fields);
    expect(again.status).toBe(303);
    expect(textOf((await page(web)).text)).toContain('This form was already sent: the top-up of 12.50 EUR was recorded once.');
    expect(await ledgerRows(t, customer.id)).toHaveLength(1);
    expect(await balanceRow(t, customer.id)).toBe('12.50');
  });

  it('pages through the transactions, newest first', async () => {
    const c = await createCustomerWithLogin(t, reseller.auth);
    for (let i = 1; i <= 27; i++) await credit(t, reseller.auth, c.id, `${i}.00`);
    const first = textOf((await page(web, c.id)).text);
    expect(first).toContain('1–25 of 27');
    expect(first).toContain('Credit Credit — 27.00 EUR');
    expect(first).not.toContain('— 2.00 EUR');
    const second = await web.get(`/customers/${c.id}/transactions?page=2`);
    expect(second.status).toBe(200);
    const text = textOf(second.text);
    expect(text).toContain('26–27 of 27');
    expect(text).toContain('Credit Credit — 2.00 EUR');
    expect(text).toContain('Credit Credit — 1.00 EUR');
    // The form shown again after a refused POST pages the transactions page, not the POST's path.
    const refused = await submit(web, { amount: '0', type: 'credit' }, c.id);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(`href="/customers/${c.id}/transactions?page&#x3D;2"`);
  });

  it('shows the customer its own balance without the form, and refuses its own post (403, nothing posted)', async () => {
    const own = await webLogin(t, customer.username, customer.password);
    const res = await page(own);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toContain('Balance 12.50 EUR');
    expect(text).toContain("A customer's balance is credited by its parent, not by itself.");
    expect(res.text).not.toContain(`action="/customers/${customer.id}/balance"`);
    const before = await billingCounts(t);
    const post = await own
      .post(`/customers/${customer.id}/balance`)
      .type('form')
      .send({ _csrf: csrfOf(res.text), amount: '100', type: 'credit' });
    expect(post.status).toBe(403);
    expect(await billingCounts(t)).toEqual(before);
    // The dashboard links to it.
    expect((await own.get('/')).text).toContain(`href="/customers/${customer.id}/transactions"`);
  });

  it("shows an ordinary user of the parent the page without the form, and another branch's customer not at all", async () => {
    const user = await createPersonWithLogin(t, reseller.auth, reseller.id, { role: 'user' });
    const asUser = await webLogin(t, user.username, user.password);
    const res = await page(asUser);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(`action="/customers/${customer.id}/balance"`);
    const other = await createReseller(t, t.auth);
    const stranger = await createCustomerWithLogin(t, other.auth);
    expect((await page(web, stranger.id)).status).toBe(404);
  });

  it('needs the CSRF token', async () => {
    const before = await billingCounts(t);
    const res = await web.post(`/customers/${customer.id}/balance`).type('form').send({ amount: '1', type: 'credit' });
    expect(res.status).toBe(403);
    expect(await billingCounts(t)).toEqual(before);
  });
});
