import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { OutboxDispatcher } from '../../src/modules/notifications/outbox.dispatcher';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { addNumber, createReseller, customerInput, defaultPlanId, unique } from '../factories/customers';
import { insertPerson } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';
import { bodyParts } from '../helpers/mime';
import { header, TestSmtp, type Received } from '../helpers/smtp';
import { csrfOf, textOf, webLogin } from './admin-helpers';

/**
 * Issue #14 item 13: the login-details email, received over real SMTP: an HTML and a text part from
 * templates/emails in the shared layout, from the customer's provider (its parent) by name, greeting the
 * person by name, with the login name, the one-time link and when it expires. The outbox page shows the HTML.
 */
describe('the login-details email (SMTP)', () => {
  const smtp = new TestSmtp();
  let t: TestApp;

  beforeAll(async () => {
    const port = await smtp.start();
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Billing <billing@test.example>' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  /** The mail to `to`, once the dispatcher delivered it. */
  async function mailTo(to: string): Promise<Received> {
    const dispatcher = t.app.get(OutboxDispatcher);
    for (let i = 0; i < 100; i++) {
      const found = smtp.messages.find((m) => m.rcpt.includes(to));
      if (found) return found;
      dispatcher.kick();
      await dispatcher.whenIdle();
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no mail to ${to}`);
  }

  const linkOf = (text: string) => /(http:\/\/\S+\/set-password\/\S+)/.exec(text)?.[1];

  it('a new customer’s administrator: from the parent by name, greeted by name, with login, link and expiry, in HTML and text', async () => {
    const root = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: 1 });
    await t.dataSource.getRepository(CustomerEntity).update({ id: 1 }, { name: 'Telco & Partners' });
    try {
      const input = await customerInput(t, { name: 'Acme <Labs>', username: unique('acme') });
      const before = Date.now();
      const res = await t.http.post('/api/v1/customers').set(t.auth).send(input);
      expect(res.status).toBe(201);
      const mail = await mailTo(input.email as string);
      expect(header(mail.raw, 'Subject')).toBe('Your login details');
      expect(header(mail.raw, 'Content-Type')).toMatch(/^multipart\/alternative/);
      const { text, html } = bodyParts(mail.raw);
      expect(text).not.toBeNull();
      expect(html).not.toBeNull();

      // Text part: greeting, issuer, login name, the link and its expiry (72 hours), the layout's footer.
      expect(text!.startsWith('Hello Acme <Labs>,\n\nTelco & Partners has opened an account for Acme <Labs>.')).toBe(true);
      expect(text).toContain(`Login name: ${input.username as string}`);
      const link = linkOf(text!);
      expect(link).toMatch(/^http:\/\/localhost:\d+\/set-password\/[\w-]+$/);
      const expiry = /expires on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(text!)?.[1];
      const expiresAt = new Date(`${expiry!.replace(' ', 'T')}:00Z`).getTime();
      expect(Math.abs(expiresAt - (before + 72 * 3600_000))).toBeLessThan(120_000);
      expect(text!.trimEnd().endsWith('--\nSent by Telco & Partners.')).toBe(true);

      // HTML part: the shared layout with the issuer's name, escaped; the same link as a button and as text.
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('>Telco &amp; Partners</div>');
      expect(html).not.toContain('<img');
      expect(html).toContain('Hello Acme &lt;Labs&gt;,');
      expect(html).toContain(`<strong>${input.username as string}</strong>`);
      expect(html).toContain(`<a href="${link!}"`);
      expect(html).toContain(`expires on <strong>${expiry!} UTC</strong>`);
      expect(html).not.toContain('<Labs>');
      expect(root.name).toBeTruthy();
    } finally {
      await t.dataSource.getRepository(CustomerEntity).update({ id: 1 }, { name: root.name });
    }
  });

  it('a person added later, and a reseller’s customer: the issuer is that customer’s parent', async () => {
    const reseller = await createReseller(t, t.auth, { name: 'Northern Voice Ltd' });
    // A residential customer: on a free number of the parent's inventory, its person named.
    const { number } = await addNumber(t, reseller.id, `4420${Math.floor(1e7 + Math.random() * 8e7)}`);
    const input = {
      type: 'residential',
      number,
      personName: 'Jane Doe',
      email: `${unique('jane')}@example.com`,
      ratePlanId: await defaultPlanId(t),
    };
    const res = await t.http.post('/api/v1/customers').set(reseller.auth).send(input);
    expect(res.status).toBe(201);
    const first = bodyParts((await mailTo(input.email)).raw);
    expect(first.text!.startsWith('Hello Jane Doe,\n\nNorthern Voice Ltd has opened an account for')).toBe(true);

    const email = `${unique('ops')}@example.com`;
    const person = await t.http
      .post(`/api/v1/customers/${res.body.id as number}/people`)
      .set(reseller.auth)
      .send({ username: unique('ops'), displayName: 'Omar Pérez', email, role: 'user' });
    expect(person.status).toBe(201);
    const second = bodyParts((await mailTo(email)).raw);
    expect(second.text!.startsWith('Hello Omar Pérez,\n\nNorthern Voice Ltd has opened an account for')).toBe(true);
    expect(second.html).toContain('Hello Omar Pérez,');
    expect(second.html).toContain('>Northern Voice Ltd</div>');
    expect(second.html).not.toContain('<img');
    expect(linkOf(second.text!)).toBeTruthy();
  });

  it('a parent with a logo: its <img> (alt: its name) instead of the name, for a new customer and a person added later', async () => {
    const reseller = await createReseller(t, t.auth, { name: 'Logo & Voice Ltd' });
    // The reseller sets its own logo (a self-editable field); the answer shows it.
    const logo = 'https://cdn.example/brand/logo.png?v=2&size=small';
    const set = await t.http.patch(`/api/v1/customers/${reseller.id}`).set(reseller.auth).send({ logoUrl: logo });
    expect(set.status).toBe(200);
    expect(set.body.logoUrl).toBe(logo);
    expect((await t.http.get(`/api/v1/customers/${reseller.id}`).set(reseller.auth)).body.logoUrl).toBe(logo);

    const input = await customerInput(t, { name: 'Branded Customer', username: unique('branded') });
    const res = await t.http.post('/api/v1/customers').set(reseller.auth).send(input);
    expect(res.status).toBe(201);
    expect(res.body.logoUrl).toBeNull();
    const first = bodyParts((await mailTo(input.email as string)).raw);
    const img = '<img src="https://cdn.example/brand/logo.png?v&#x3D;2&amp;size&#x3D;small" alt="Logo &amp; Voice Ltd"';
    expect(first.html).toContain(img);
    expect(first.html).not.toContain('>Logo &amp; Voice Ltd</div>');
    // The text part has no image: the name.
    expect(first.text!.startsWith('Hello Branded Customer,\n\nLogo & Voice Ltd has opened an account for')).toBe(true);

    const email = `${unique('later')}@example.com`;
    const person = await t.http
      .post(`/api/v1/customers/${res.body.id as number}/people`)
      .set(reseller.auth)
      .send({ username: unique('later'), displayName: 'Later Person', email, role: 'user' });
    expect(person.status).toBe(201);
    expect(bodyParts((await mailTo(email)).raw).html).toContain(img);

    // Cleared with "" (or null): the name again.
    const cleared = await t.http.patch(`/api/v1/customers/${reseller.id}`).set(reseller.auth).send({ logoUrl: '' });
    expect(cleared.status).toBe(200);
    expect(cleared.body.logoUrl).toBeNull();
    const again = await customerInput(t, { name: 'Unbranded Customer', username: unique('unbranded') });
    expect((await t.http.post('/api/v1/customers').set(reseller.auth).send(again)).status).toBe(201);
    const plain = bodyParts((await mailTo(again.email as string)).raw);
    expect(plain.html).toContain('>Logo &amp; Voice Ltd</div>');
    expect(plain.html).not.toContain('<img');
  });

  it('a logo that is not an https URL is refused (400, validation_failed on logoUrl) and nothing changes', async () => {
    const reseller = await createReseller(t, t.auth, { name: 'Careful Reseller' });
    const good = 'https://careful.example/logo.svg';
    expect((await t.http.patch(`/api/v1/customers/${reseller.id}`).set(t.auth).send({ logoUrl: good })).status).toBe(200);
    const bad = [
      'http://careful.example/logo.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'https://',
      'https://careful.example/a b.png',
      'https://careful.example/"onerror="alert(1)',
      `https://careful.example/${'a'.repeat(480)}`,
      42,
    ];
    for (const logoUrl of bad) {
      const res = await t.http.patch(`/api/v1/customers/${reseller.id}`).set(t.auth).send({ logoUrl, name: 'Renamed' });
      expect({ logoUrl, status: res.status, code: res.body.code }).toEqual({ logoUrl, status: 400, code: 'validation_failed' });
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'logoUrl' })]));
    }
    const row = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: reseller.id });
    expect(row.logoUrl).toBe(good);
    expect(row.name).toBe('Careful Reseller');
    // On create too: no customer is made.
    const input = await customerInput(t, { name: unique('Refused'), username: unique('refused'), logoUrl: 'javascript:alert(1)' });
    const created = await t.http.post('/api/v1/customers').set(t.auth).send(input);
    expect(created.status).toBe(400);
    expect(created.body.code).toBe('validation_failed');
    expect(created.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'logoUrl' })]));
    expect(await t.dataSource.getRepository(CustomerEntity).countBy({ name: input.name as string })).toBe(0);
  });

  it('the forms: "Logo URL" on the customer form and on a reseller\'s own details, with its error inline', async () => {
    const reseller = await createReseller(t, t.auth, { name: 'Form Reseller' });
    // The parent's form.
    const web = await webLogin(t);
    const form = await web.get(`/customers/${reseller.id}/edit`);
    expect(form.text).toMatch(/<label for="f-logoUrl">Logo URL<\/label>/);
    // The reseller's own details (its own "Edit").
    const own = await webLogin(t, reseller.username, reseller.password);
    const page = await own.get(`/customers/${reseller.id}/own-details`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<label for="f-logoUrl">Logo URL<\/label>/);
    const fields = { name: 'Form Reseller', email: reseller.body.email as string, timezone: reseller.body.timezone as string };
    const bad = await own
      .post(`/customers/${reseller.id}/own-details`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), ...fields, logoUrl: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-logoUrl"[^>]*aria-invalid="true"/);
    expect(textOf(bad.text)).toContain('Must be an https:// address such as https://example.com/logo.png.');
    expect(bad.text).toContain('value="javascript:alert(1)"');
    expect((await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: reseller.id })).logoUrl).toBeNull();
    const ok = await own
      .post(`/customers/${reseller.id}/own-details`)
      .type('form')
      .send({ _csrf: csrfOf(bad.text), ...fields, logoUrl: 'https://form.example/logo.png' });
    expect(ok.status).toBe(303);
    expect((await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: reseller.id })).logoUrl).toBe('https://form.example/logo.png');
    // A customer that is not a reseller issues no login details: its own form has no logo field.
    const plain = await createReseller(t, reseller.auth, { name: 'Plain Customer', reseller: false });
    const plainWeb = await webLogin(t, plain.username, plain.password);
    expect((await plainWeb.get(`/customers/${plain.id}/own-details`)).text).not.toContain('f-logoUrl');
  });

  it('the customer page links to its audit log for administrators only', async () => {
    const reseller = await createReseller(t, t.auth, { name: 'Audited Reseller' });
    const link = `<a href="/audit?customer=${reseller.id}">Audit log</a>`;
    expect((await t.http.get(`/customers/${reseller.id}`).set(t.auth)).text).toContain(link);
    expect((await t.http.get(`/audit?customer=${reseller.id}`).set(t.auth)).status).toBe(200);
    const user = await insertPerson(t, reseller.id, { role: 'user' });
    const asUser = await t.http.get(`/customers/${reseller.id}`).set(user);
    expect(asUser.status).toBe(200);
    expect(asUser.text).not.toContain('/audit?customer=');
  });

  it('the outbox page shows the rendered HTML in a sandboxed frame, never in its own DOM', async () => {
    const input = await customerInput(t, { name: 'Frame <b>Test</b>', username: unique('frame') });
    expect((await t.http.post('/api/v1/customers').set(t.auth).send(input)).status).toBe(201);
    await mailTo(input.email as string);
    const row = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ toAddress: input.email as string });
    const web = await webLogin(t);
    const page = await web.get(`/outbox/${row.id}`);
    expect(page.status).toBe(200);
    const frame = /<iframe class="mail-preview"([^>]*)><\/iframe>/.exec(page.text);
    expect(frame).not.toBeNull();
    expect(frame![1]).toContain('sandbox=""');
    const srcdoc = /srcdoc="([^"]*)"/.exec(frame![1])![1];
    // The whole email is in the attribute, escaped: its markup is text to this page.
    expect(srcdoc).toContain('&lt;!DOCTYPE html&gt;');
    expect(srcdoc).toContain('Frame &amp;lt;b&amp;gt;Test&amp;lt;/b&amp;gt;');
    expect(page.text.replace(frame![0], '')).not.toMatch(/<div style=|<b>Test<\/b>/);
    expect(textOf(page.text)).toContain('Hello Frame <b>Test</b>,');
  });
});
