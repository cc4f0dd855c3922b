import type TestAgent from 'supertest/lib/agent';
import { verifySecret } from '../../src/shared/secrets';
import { MailboxEntity } from '../../src/modules/telephony/entities/mailbox.entity';
import { NumberEntity } from '../../src/modules/telephony/entities/number.entity';
import { SipAccountEntity } from '../../src/modules/telephony/entities/sip-account.entity';
import { addNumber, createCustomer, createReseller, type CustomerBody, unique } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { csrfOf, followOnce, postForm, textOf, webLogin } from './admin-helpers';

/** The secret or PIN on a "shown once" page. */
function shownSecret(html: string, label: 'Secret' | 'PIN'): string {
  const m = new RegExp(`<dt>${label}</dt><dd><code[^>]*>([^<]+)</code>`).exec(html);
  if (!m) throw new Error(`no ${label} on the page: ${textOf(html).slice(0, 400)}`);
  return m[1]
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`');
}

const htmlEscaped = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/=/g, '&#x3D;')
    .replace(/`/g, '&#x60;');

describe('admin pages: telephone lines, mailboxes and numbers', () => {
  let t: TestApp;
  let web: TestAgent;
  let acme: CustomerBody;
  const EVIL = '<script>alert(1)</script>';

  beforeAll(async () => {
    t = await startTestApp();
    web = await webLogin(t);
    acme = await createCustomer(t, t.auth, { name: `Acme ${EVIL}` });
  });
  afterAll(() => t.close());

  const lineCount = () => t.dataSource.getRepository(SipAccountEntity).count();
  const mailboxCount = () => t.dataSource.getRepository(MailboxEntity).count();
  const numberCount = () => t.dataSource.getRepository(NumberEntity).count();

  describe('telephone lines', () => {
    it('lists the lines with a breadcrumb back to the customer, its name escaped', async () => {
      const page = await web.get(`/customers/${acme.id}/sip-accounts`);
      expect(page.status).toBe(200);
      const text = textOf(page.text);
      expect(text).toContain(`Customers › Acme ${EVIL} › Telephone lines`);
      expect(page.text).toContain(`href="/customers/${acme.id}"`);
      expect(page.text).not.toContain(EVIL);
      expect(page.text).toContain('Acme &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(text).toContain('has no telephone lines yet');
      expect((await web.get(`/customers/${acme.id}/sip-accounts/new`)).status).toBe(200);
    });

    it('shows bad values inline, keeps them, and creates nothing', async () => {
      const before = await lineCount();
      const res = await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, {
        username: 'bad name!',
        displayName: 'Kept Reception',
        maxConcurrentCalls: 'lots',
      });
      expect(res.status).toBe(400);
      expect(textOf(res.text)).toContain('Nothing was saved.');
      expect(res.text).toMatch(/id="f-username"[^>]*aria-invalid="true"/);
      expect(res.text).toMatch(/id="f-maxConcurrentCalls"[^>]*aria-invalid="true"/);
      expect(res.text).not.toMatch(/id="f-displayName"[^>]*aria-invalid="true"/);
      expect(res.text).toContain('value="Kept Reception"');
      expect(res.text).toContain('value="lots"');
      expect(res.text).toContain('value="bad name!"');
      expect(await lineCount()).toBe(before);

      const missing = await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, {
        displayName: '',
      });
      expect(missing.status).toBe(400);
      expect(missing.text).toMatch(/id="f-displayName"[^>]*aria-invalid="true"/);
      expect(textOf(missing.text)).toContain('This field is required.');
      expect(await lineCount()).toBe(before);
    });

    it('creates a line, shows its secret once and never again, and lists it', async () => {
      const posted = await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, {
        displayName: `Reception ${EVIL}`,
        maxConcurrentCalls: '4',
      });
      // Post/Redirect/Get to a page that shows the secret once.
      expect(posted.headers.location).toMatch(new RegExp(`^/customers/${acme.id}/sip-accounts/\\d+/secret$`));
      const res = await followOnce(web, posted);
      expect(res.status).toBe(200);
      expect(textOf(res.text)).toContain('shown only once');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).not.toContain(EVIL);
      const secret = shownSecret(res.text, 'Secret');
      const row = await t.dataSource
        .getRepository(SipAccountEntity)
        .findOneByOrFail({ customerId: acme.id, displayName: `Reception ${EVIL}` });
      expect(row.secret).toBe(secret);
      expect(row.maxConcurrentCalls).toBe(4);
      expect(row.username).toBe(`${acme.id}-1`);

      const list = await web.get(`/customers/${acme.id}/sip-accounts`);
      const text = textOf(list.text);
      expect(text).toContain(`Reception ${EVIL}`);
      expect(text).toContain(row.username);
      expect(list.text).not.toContain(EVIL);
      for (const later of [
        list,
        await web.get(`/customers/${acme.id}/sip-accounts/${row.id}/edit`),
        await web.get(`/customers/${acme.id}/sip-accounts/${row.id}/delete`),
      ]) {
        expect(later.status).toBe(200);
        expect(later.text).not.toContain(secret);
        expect(later.text).not.toContain(htmlEscaped(secret));
      }
    });

    it("shows the service's refusal (a taken username) inline", async () => {
      const before = await lineCount();
      await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, {
        username: 'taken-line',
        displayName: 'First',
      });
      const res = await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, {
        username: 'taken-line',
        displayName: 'Second',
      });
      expect(res.status).toBe(409);
      expect(res.text).toMatch(/id="f-username"[^>]*aria-invalid="true"/);
      expect(textOf(res.text)).toContain('already taken');
      expect(res.text).toContain('value="Second"');
      expect(await lineCount()).toBe(before + 1);
    });

    it('edits a line: errors keep what was typed, saving changes it; a new secret is shown once', async () => {
      const created = await followOnce(
        web,
        await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, { displayName: 'To Edit' }),
      );
      const first = shownSecret(created.text, 'Secret');
      const row = await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ displayName: 'To Edit' });
      const form = await web.get(`/customers/${acme.id}/sip-accounts/${row.id}/edit`);
      expect(form.text).toContain('value="To Edit"');
      const bad = await web
        .post(`/customers/${acme.id}/sip-accounts/${row.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(form.text), displayName: '', maxConcurrentCalls: '0' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/id="f-displayName"[^>]*aria-invalid="true"/);
      expect(bad.text).toMatch(/id="f-maxConcurrentCalls"[^>]*aria-invalid="true"/);
      expect(bad.text).toContain('value="0"');
      expect((await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ id: row.id })).displayName).toBe('To Edit');

      const ok = await web
        .post(`/customers/${acme.id}/sip-accounts/${row.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(bad.text), displayName: 'Edited', maxConcurrentCalls: '' });
      expect(ok.status).toBe(303);
      expect(ok.headers.location).toBe(`/customers/${acme.id}/sip-accounts`);
      const after = await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ id: row.id });
      expect(after).toMatchObject({ displayName: 'Edited', maxConcurrentCalls: null, secret: first });
      expect(textOf((await web.get(ok.headers.location)).text)).toContain('Telephone line “Edited” saved.');

      const regen = await followOnce(
        web,
        await web
          .post(`/customers/${acme.id}/sip-accounts/${row.id}/secret`)
          .type('form')
          .send({ _csrf: csrfOf(form.text) }),
      );
      const second = shownSecret(regen.text, 'Secret');
      expect(second).not.toBe(first);
      expect((await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ id: row.id })).secret).toBe(second);
      const again = await web.get(`/customers/${acme.id}/sip-accounts/${row.id}/edit`);
      expect(again.text).not.toContain(htmlEscaped(second));
    });

    it('deletes a line after a confirmation page', async () => {
      await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, {
        displayName: 'Short Lived Line',
      });
      const row = await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ displayName: 'Short Lived Line' });
      const confirm = await web.get(`/customers/${acme.id}/sip-accounts/${row.id}/delete`);
      expect(textOf(confirm.text)).toContain('Delete the telephone line “Short Lived Line”');
      const del = await web
        .post(`/customers/${acme.id}/sip-accounts/${row.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(del.status).toBe(303);
      expect((await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ id: row.id })).deletedAt).not.toBeNull();
      const list = textOf((await web.get(`/customers/${acme.id}/sip-accounts`)).text);
      expect(list).toContain('deleted.');
      expect(list).not.toMatch(/Short Lived Line\s+\d/);
      // A deleted line is gone for its pages too.
      expect((await web.get(`/customers/${acme.id}/sip-accounts/${row.id}/edit`)).status).toBe(404);
    });

    it('refuses a form without its CSRF token', async () => {
      const before = await lineCount();
      const res = await web.post(`/customers/${acme.id}/sip-accounts`).type('form').send({ displayName: 'No token' });
      expect(res.status).toBe(403);
      expect(await lineCount()).toBe(before);
    });
  });

  describe('mailboxes', () => {
    it('renders the list and the form', async () => {
      const list = await web.get(`/customers/${acme.id}/mailboxes`);
      expect(list.status).toBe(200);
      expect(textOf(list.text)).toContain(`Customers › Acme ${EVIL} › Mailboxes`);
      expect(list.text).not.toContain(EVIL);
      const form = await web.get(`/customers/${acme.id}/mailboxes/new`);
      expect(form.status).toBe(200);
      expect(textOf(form.text)).toContain("Customer's setting (No)");
    });

    it('shows bad values inline, keeps them, and creates nothing', async () => {
      const before = await mailboxCount();
      const res = await postForm(web, `/customers/${acme.id}/mailboxes/new`, `/customers/${acme.id}/mailboxes`, {
        mailbox: '20x1',
        email: 'not-an-email',
        purge: 'true',
        maxPerFolder: '0',
      });
      expect(res.status).toBe(400);
      for (const f of ['mailbox', 'email', 'maxPerFolder']) expect(res.text).toMatch(new RegExp(`id="f-${f}"[^>]*aria-invalid="true"`));
      expect(res.text).toContain('value="20x1"');
      expect(res.text).toContain('value="not-an-email"');
      expect(res.text).toMatch(/<option value="true" selected>/);
      expect(await mailboxCount()).toBe(before);
    });

    it('creates a mailbox, shows its PIN once, and lists the effective settings', async () => {
      const res = await followOnce(
        web,
        await postForm(web, `/customers/${acme.id}/mailboxes/new`, `/customers/${acme.id}/mailboxes`, {
          mailbox: '7001',
          email: 'vm@acme.example',
          purge: '',
          maxPerFolder: '',
        }),
      );
      const pin = shownSecret(res.text, 'PIN');
      expect(pin).toMatch(/^\d{6}$/);
      expect(res.headers['cache-control']).toBe('no-store');
      const row = await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ mailbox: '7001' });
      expect(await verifySecret(row.pinHash, pin)).toBe(true);
      expect(row).toMatchObject({ purge: null, maxPerFolder: null, email: 'vm@acme.example' });

      const list = await web.get(`/customers/${acme.id}/mailboxes`);
      const text = textOf(list.text);
      expect(text).toContain('7001');
      expect(text).toContain("Customer's setting (No)");
      expect(text).toContain("Customer's setting (no limit)");
      const edit = await web.get(`/customers/${acme.id}/mailboxes/${row.id}/edit`);
      for (const later of [list, edit]) expect(later.text).not.toMatch(new RegExp(`>${pin}<`));

      // Own settings are shown as such.
      const saved = await web
        .post(`/customers/${acme.id}/mailboxes/${row.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(edit.text), mailbox: '7001', email: '', purge: 'true', maxPerFolder: '50' });
      expect(saved.status).toBe(303);
      const after = textOf((await web.get(`/customers/${acme.id}/mailboxes`)).text);
      expect(after).toContain('Mailbox 7001 saved.');
      expect(after).toMatch(/7001 — Yes 50/);
      expect(await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ id: row.id })).toMatchObject({
        purge: true,
        maxPerFolder: 50,
        email: null,
      });
    });

    it('refuses a taken mailbox number inline, and an emptied one', async () => {
      await postForm(web, `/customers/${acme.id}/mailboxes/new`, `/customers/${acme.id}/mailboxes`, { mailbox: '7002' });
      const before = await mailboxCount();
      const dup = await postForm(web, `/customers/${acme.id}/mailboxes/new`, `/customers/${acme.id}/mailboxes`, {
        mailbox: '7002',
        email: 'kept@acme.example',
      });
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/id="f-mailbox"[^>]*aria-invalid="true"/);
      expect(dup.text).toContain('value="kept@acme.example"');
      expect(await mailboxCount()).toBe(before);
      const row = await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ mailbox: '7002' });
      const edit = await web.get(`/customers/${acme.id}/mailboxes/${row.id}/edit`);
      const empty = await web
        .post(`/customers/${acme.id}/mailboxes/${row.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(edit.text), mailbox: '' });
      expect(empty.status).toBe(400);
      expect(textOf(empty.text)).toContain('This field is required.');
      expect((await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ id: row.id })).mailbox).toBe('7002');
    });

    it('makes a new PIN (shown once) and deletes a mailbox after confirmation', async () => {
      const res = await followOnce(
        web,
        await postForm(web, `/customers/${acme.id}/mailboxes/new`, `/customers/${acme.id}/mailboxes`, { mailbox: '7003' }),
      );
      const first = shownSecret(res.text, 'PIN');
      const row = await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ mailbox: '7003' });
      const edit = await web.get(`/customers/${acme.id}/mailboxes/${row.id}/edit`);
      const regen = await followOnce(
        web,
        await web
          .post(`/customers/${acme.id}/mailboxes/${row.id}/pin`)
          .type('form')
          .send({ _csrf: csrfOf(edit.text) }),
      );
      const second = shownSecret(regen.text, 'PIN');
      const after = await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ id: row.id });
      expect(await verifySecret(after.pinHash, second)).toBe(true);
      if (second !== first) expect(await verifySecret(after.pinHash, first)).toBe(false);

      const confirm = await web.get(`/customers/${acme.id}/mailboxes/${row.id}/delete`);
      expect(textOf(confirm.text)).toContain('Delete mailbox 7003?');
      const del = await web
        .post(`/customers/${acme.id}/mailboxes/${row.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(del.status).toBe(303);
      expect(textOf((await web.get(`/customers/${acme.id}/mailboxes`)).text)).toContain('Mailbox 7003 deleted.');
      expect((await t.dataSource.getRepository(MailboxEntity).findOneByOrFail({ id: row.id })).deletedAt).not.toBeNull();
    });
  });

  describe('the number inventory (/numbers)', () => {
    it('renders the list and both add forms', async () => {
      const list = await web.get('/numbers');
      expect(list.status).toBe(200);
      expect(list.text).toContain('href="/numbers/new"');
      expect(list.text).toContain('href="/numbers/new-range"');
      expect((await web.get('/numbers/new')).status).toBe(200);
      expect((await web.get('/numbers/new-range')).status).toBe(200);
    });

    it('shows a bad number inline, keeps it, and adds nothing', async () => {
      const before = await numberCount();
      const res = await postForm(web, '/numbers/new', '/numbers', { number: '+44 1632', directory: 'false' });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="f-number"[^>]*aria-invalid="true"/);
      expect(res.text).toContain('value="+44 1632"');
      expect(res.text).toMatch(/<option value="false" selected>/);
      expect(await numberCount()).toBe(before);
    });

    it('adds one number (a duplicate is refused inline) and finds it with the search', async () => {
      const n = `4416329${Date.now() % 100000}`.padEnd(12, '0');
      const res = await postForm(web, '/numbers/new', '/numbers', { number: n, directory: '' });
      expect(res.status).toBe(303);
      const list = await web.get(res.headers.location);
      expect(textOf(list.text)).toContain(`Number ${n} added to your inventory.`);
      expect(textOf(list.text)).toContain(n);
      const before = await numberCount();
      const dup = await postForm(web, '/numbers/new', '/numbers', { number: n });
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/id="f-number"[^>]*aria-invalid="true"/);
      expect(textOf(dup.text)).toContain('already exists');
      expect(await numberCount()).toBe(before);
    });

    it('adds a range (all or nothing), filters free/assigned and pages', async () => {
      const before = await numberCount();
      const bad = await postForm(web, '/numbers/new-range', '/numbers/range', { from: '5550100', to: '5550001' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/id="f-to"[^>]*aria-invalid="true"/);
      expect(bad.text).toContain('value="5550100"');
      expect(await numberCount()).toBe(before);

      const ok = await postForm(web, '/numbers/new-range', '/numbers/range', { from: '5550100', to: '5550129', directory: 'true' });
      expect(ok.status).toBe(303);
      expect(await numberCount()).toBe(before + 30);
      const first = await web.get('/numbers?search=55501&status=free');
      const text = textOf(first.text);
      expect(text).toContain('30 numbers from 5550100 to 5550129 added');
      expect(text).toContain('1–25 of 30');
      expect(first.text.replace(/&#x3D;/g, '=')).toContain('href="/numbers?search=55501&amp;status=free&amp;page=2"');
      expect(textOf((await web.get('/numbers?search=55501&status=free&page=2')).text)).toContain('26–30 of 30');
      expect(textOf((await web.get('/numbers?search=55501&status=assigned')).text)).toContain('No number matches.');

      // Overlapping range: refused as a whole, with the duplicates named.
      const dup = await postForm(web, '/numbers/new-range', '/numbers/range', { from: '5550128', to: '5550131' });
      expect(dup.status).toBe(409);
      const dupText = textOf(dup.text);
      expect(dupText).toContain('2 of these numbers already exist: 5550128, 5550129.');
      expect(dup.text).toContain('value="5550131"');
      expect(await numberCount()).toBe(before + 30);
    });

    it('deletes a free number but not an assigned one', async () => {
      const free = await addNumber(t, 1, '5559000001');
      const assigned = await addNumber(t, 1, '5559000002', acme.id as number);
      const list = await web.get('/numbers?search=555900000');
      expect(list.text).toContain(`action="/numbers/${free.id}/delete"`);
      expect(list.text).not.toContain(`action="/numbers/${assigned.id}/delete"`);
      const del = await web
        .post(`/numbers/${free.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(list.text), number: free.number });
      expect(del.status).toBe(303);
      expect(await t.dataSource.getRepository(NumberEntity).findOneBy({ id: free.id })).toBeNull();
      const refused = await web
        .post(`/numbers/${assigned.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(list.text), number: assigned.number });
      expect(refused.status).toBe(303);
      expect(textOf((await web.get('/numbers')).text)).toContain(
        'Number 5559000002 was not deleted: the number is assigned to a customer; release it first.',
      );
      expect(await t.dataSource.getRepository(NumberEntity).findOneBy({ id: assigned.id })).not.toBeNull();
    });
  });

  describe("a customer's numbers", () => {
    it('assigns a free number, routes it to a line, overrides the directory and releases it', async () => {
      const n = await addNumber(t, 1, '5557000001');
      const list = await web.get(`/customers/${acme.id}/numbers`);
      expect(list.status).toBe(200);
      expect(textOf(list.text)).toContain(`Customers › Acme ${EVIL} › Numbers`);
      const form = await web.get(`/customers/${acme.id}/numbers/assign?search=5557000001`);
      expect(form.status).toBe(200);
      expect(form.text).toContain(`<option value="${n.id}">5557000001</option>`);

      const none = await web
        .post(`/customers/${acme.id}/numbers/assign`)
        .type('form')
        .send({ _csrf: csrfOf(form.text), numberId: '' });
      expect(none.status).toBe(400);
      expect(none.text).toMatch(/id="f-numberId"[^>]*aria-invalid="true"/);
      expect((await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: n.id })).customerId).toBeNull();

      const ok = await web
        .post(`/customers/${acme.id}/numbers/assign`)
        .type('form')
        .send({ _csrf: csrfOf(form.text), numberId: String(n.id) });
      expect(ok.status).toBe(303);
      expect((await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: n.id })).customerId).toBe(acme.id);
      const assigned = textOf((await web.get(`/customers/${acme.id}/numbers`)).text);
      expect(assigned).toContain('Number 5557000001 assigned');
      expect(assigned).toMatch(/5557000001 not routed Customer's setting \((Yes|No)\)/);
      // Taken numbers are no longer offered.
      expect((await web.get(`/customers/${acme.id}/numbers/assign?search=5557000001`)).text).not.toContain(`<option value="${n.id}"`);

      await postForm(web, `/customers/${acme.id}/sip-accounts/new`, `/customers/${acme.id}/sip-accounts`, { displayName: 'Desk phone' });
      const line = await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ displayName: 'Desk phone' });
      const edit = await web.get(`/customers/${acme.id}/numbers/${n.id}/edit`);
      expect(edit.text).toContain(`<option value="${line.id}">Desk phone (${line.username})</option>`);
      const bad = await web
        .post(`/customers/${acme.id}/numbers/${n.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(edit.text), sipAccountId: '999999', directory: 'false' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/id="f-sipAccountId"[^>]*aria-invalid="true"/);
      expect(bad.text).toMatch(/<option value="false" selected>/);
      const saved = await web
        .post(`/customers/${acme.id}/numbers/${n.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(edit.text), sipAccountId: String(line.id), directory: 'false' });
      expect(saved.status).toBe(303);
      expect(await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: n.id })).toMatchObject({
        sipAccountId: line.id,
        directory: false,
      });
      expect(textOf((await web.get(`/customers/${acme.id}/numbers`)).text)).toContain(`5557000001 Desk phone (${line.username}) No`);
      expect(textOf((await web.get(`/customers/${acme.id}/sip-accounts`)).text)).toContain('5557000001');

      const confirm = await web.get(`/customers/${acme.id}/numbers/${n.id}/release`);
      expect(textOf(confirm.text)).toContain('Release 5557000001');
      const released = await web
        .post(`/customers/${acme.id}/numbers/${n.id}/release`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(released.status).toBe(303);
      expect(await t.dataSource.getRepository(NumberEntity).findOneByOrFail({ id: n.id })).toMatchObject({
        customerId: null,
        sipAccountId: null,
      });
    });
  });

  describe('tenancy', () => {
    it("answers 404 for another branch's customer pages", async () => {
      const a = await createReseller(t, t.auth, { name: unique('Branch A ') });
      const b = await createReseller(t, t.auth, { name: unique('Branch B ') });
      const bChild = await createCustomer(t, b.auth, { name: 'Child of B' });
      await t.http.post(`/api/v1/customers/${bChild.id}/sip-accounts`).set(b.auth).send({ displayName: 'B line' });
      const bLine = await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ customerId: bChild.id as number });
      const webA = await webLogin(t, a.username, a.password);
      const own = await webA.get(`/customers/${a.id}/sip-accounts`);
      expect(own.status).toBe(200);
      for (const path of [
        `/customers/${bChild.id}/sip-accounts`,
        `/customers/${bChild.id}/sip-accounts/new`,
        `/customers/${bChild.id}/sip-accounts/${bLine.id}/edit`,
        `/customers/${bChild.id}/mailboxes`,
        `/customers/${bChild.id}/mailboxes/new`,
        `/customers/${bChild.id}/numbers`,
        `/customers/${bChild.id}/numbers/assign`,
        `/customers/${b.id}/numbers`,
        // A's own customer id with B's line id is not found either.
        `/customers/${a.id}/sip-accounts/${bLine.id}/edit`,
      ]) {
        const res = await webA.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      const before = await lineCount();
      const post = await webA
        .post(`/customers/${bChild.id}/sip-accounts`)
        .type('form')
        .send({ _csrf: csrfOf(own.text), displayName: 'Intruder' });
      expect(post.status).toBe(404);
      const del = await webA
        .post(`/customers/${bChild.id}/sip-accounts/${bLine.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(own.text) });
      expect(del.status).toBe(404);
      expect(await lineCount()).toBe(before);
      expect((await t.dataSource.getRepository(SipAccountEntity).findOneByOrFail({ id: bLine.id })).deletedAt).toBeNull();
    });
  });
});
