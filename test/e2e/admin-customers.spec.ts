import type TestAgent from 'supertest/lib/agent';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import {
  addDialPlan,
  addNumber,
  addRegion,
  addTax,
  createCustomer,
  createReseller,
  defaultPlanId,
  setSystemSettings,
  unique,
} from '../factories/customers';
import { insertPerson } from '../factories/rows';
import { ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { csrfOf, postForm, textOf, webLogin } from './admin-helpers';

/** The fields of the "add a customer" seed page, by their form names. */
const SEED_FIELDS = [
  'name',
  'description',
  'accountNumber',
  'directory',
  'lockedWeb',
  'lockedCalls',
  'dailySpendLimit',
  'maxConcurrentCalls',
  'purgeVoicemail',
  'maxVoicemailsPerFolder',
  'externalCallerId',
  'timezone',
  'dialPlanId',
  'ratePlanId',
  'billingType',
  'billingReference',
  'taxReference',
  'paymentType',
  'invoiceDueDays',
  'sendInvoices',
  'invoiceFormat',
  'invoiceDetail',
  'currency',
  'minimumContractMonths',
  'creditLimit',
  'taxIds',
  'lowBalanceThreshold',
  'autoTopUp',
  'billingAddress[line1]',
  'billingAddress[city]',
  'billingAddress[postcode]',
  'billingAddress[country]',
  'affiliate[customerId]',
  'affiliate[percentage]',
  'affiliate[basis]',
];

const hasField = (html: string, name: string): boolean => html.includes(`name="${name}"`);

describe('admin pages: Commerce » Customers', () => {
  let t: TestApp;
  let web: TestAgent;
  let planId: number;

  beforeAll(async () => {
    t = await startTestApp();
    web = await webLogin(t);
    planId = await defaultPlanId(t);
    await addTax(t, 1, { name: 'VAT' });
    await addDialPlan(t, 1, 'Standard dialling');
  });
  afterAll(() => t.close());

  const countCustomers = () => t.dataSource.getRepository(CustomerEntity).count();

  it('asks first whether the customer is normal or residential', async () => {
    const page = await web.get('/customers/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="type" value="normal"');
    expect(page.text).toContain('name="type" value="residential"');
    expect(page.text).toContain('action="/customers/new"');
  });

  it('has every field of the seed page on the normal form, with the system options filled in', async () => {
    const page = await web.get('/customers/new?type=normal');
    expect(page.status).toBe(200);
    for (const f of SEED_FIELDS) expect({ field: f, present: hasField(page.text, f) }).toEqual({ field: f, present: true });
    const text = textOf(page.text);
    for (const legend of [
      'Identity',
      'Locks & limits',
      'Voicemail',
      'Telephony',
      'Billing',
      'Invoices',
      'Taxes',
      'Low balance',
      'Billing address',
      'Affiliate',
    ]) {
      expect(text).toContain(legend);
    }
    expect(text).toContain('Customers enter this when topping up their account with vouchers.');
    expect(text).toContain('Faxes are not affected by this setting.');
    expect(text).toContain('Default (');
    expect(text).toContain('VAT');
    expect(text).toContain('Standard dialling');
    expect(text).toContain("Use the rate plan's value");
    // Prefix and region only when the system uses them.
    expect(hasField(page.text, 'prefix')).toBe(false);
    expect(hasField(page.text, 'regionId')).toBe(false);
    await setSystemSettings(t, { customerPrefixes: true, regions: true });
    await addRegion(t, 'North');
    const withBoth = await web.get('/customers/new?type=normal');
    expect(hasField(withBoth.text, 'prefix')).toBe(true);
    expect(hasField(withBoth.text, 'regionId')).toBe(true);
    expect(textOf(withBoth.text)).toContain('North');
    await setSystemSettings(t, { customerPrefixes: false, regions: false });
  });

  it('shows bad values inline, keeps everything typed, and creates nothing', async () => {
    const before = await countCustomers();
    const res = await postForm(web, '/customers/new?type=normal', '/customers', {
      type: 'normal',
      name: 'Kept Name Ltd',
      email: 'not-an-email',
      description: 'kept description',
      ratePlanId: String(planId),
      timezone: 'Europe/London',
      billingType: 'postpaid',
      paymentType: 'cash',
      creditLimit: '12,50',
      lowBalanceThreshold: '5.00',
      maxConcurrentCallsMode: 'amount',
      maxConcurrentCalls: '',
      lockedCalls: 'on',
      billingAddress: { city: 'Leeds', country: 'XX' },
      affiliate: { customerId: '', percentage: '', basis: 'revenue' },
    });
    expect(res.status).toBe(400);
    const text = textOf(res.text);
    expect(text).toContain('Nothing was saved.');
    // Errors next to their fields.
    expect(res.text).toMatch(/id="f-email"[^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/id="f-creditLimit"[^>]*aria-invalid="true"/);
    expect(res.text).toMatch(/id="f-billingAddress-country"[^>]*aria-invalid="true"/);
    expect(text).toMatch(/Must be an email/i);
    expect(text).toContain('Enter the number of calls');
    // Values kept.
    expect(res.text).toContain('value="Kept Name Ltd"');
    expect(res.text).toContain('value="12,50"');
    expect(res.text).toContain('value="Leeds"');
    expect(res.text).toContain('>kept description</textarea>');
    expect(res.text).toMatch(/name="lockedCalls" value="on" checked/);
    expect(res.text).toMatch(/<option value="postpaid" selected>/);
    expect(res.text).toMatch(/<option value="Europe\/London" selected>/);
    expect(await countCustomers()).toBe(before);
  });

  it("shows the service's own refusals inline (a duplicate account number) and creates nothing", async () => {
    await createCustomer(t, t.auth, { accountNumber: 'ACC-1' });
    const before = await countCustomers();
    const res = await postForm(web, '/customers/new?type=normal', '/customers', {
      type: 'normal',
      name: 'Second',
      email: 'second@example.com',
      accountNumber: 'ACC-1',
      ratePlanId: String(planId),
      timezone: 'UTC',
      billingType: 'prepaid',
      paymentType: 'none',
      creditLimit: '0.00',
      lowBalanceThreshold: '0.00',
    });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/id="f-accountNumber"[^>]*aria-invalid="true"/);
    expect(textOf(res.text)).toContain('already used by another');
    expect(res.text).toContain('value="Second"');
    expect(await countCustomers()).toBe(before);
  });

  it('creates a normal customer with every field, shows them all, and emails the login details', async () => {
    const affiliate = await createCustomer(t, t.auth, { name: 'Partner Co' });
    const vat = await t.dataSource.query(`SELECT id FROM taxes WHERE name = 'VAT'`);
    const dial = await t.dataSource.query(`SELECT id FROM dial_plans WHERE name = 'Standard dialling'`);
    const res = await postForm(web, '/customers/new?type=normal', '/customers', {
      type: 'normal',
      name: 'Acme Telecom',
      description: 'Our biggest customer',
      email: 'ops@acme.example',
      accountNumber: 'ACME-7',
      directory: 'on',
      lockedWeb: '',
      dailySpendLimitMode: 'amount',
      dailySpendLimit: '50.00',
      maxConcurrentCallsMode: 'unlimited',
      purgeVoicemail: 'on',
      maxVoicemailsPerFolder: '100',
      externalCallerId: 'true',
      timezone: 'America/New_York',
      dialPlanId: String(dial[0].id),
      ratePlanId: String(planId),
      billingType: 'postpaid',
      billingReference: 'BR-1',
      taxReference: 'GB123',
      paymentType: 'bank_transfer',
      invoiceDueDays: '14',
      sendInvoices: 'true',
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
      currency: 'EUR',
      minimumContractMonths: '12',
      creditLimit: '100.00',
      taxIds: [String(vat[0].id)],
      lowBalanceThreshold: '5.00',
      autoTopUp: 'on',
      billingAddress: {
        line1: '1 High Street',
        line2: '',
        line3: '',
        city: 'Leeds',
        state: 'West Yorkshire',
        postcode: 'LS1 1AA',
        country: 'GB',
      },
      affiliate: { customerId: String(affiliate.id), percentage: '5.5', basis: 'profit' },
    });
    expect(res.status).toBe(303);
    const id = Number(/^\/customers\/(\d+)$/.exec(res.headers.location)![1]);
    const row = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id });
    expect(row).toMatchObject({
      name: 'Acme Telecom',
      accountNumber: 'ACME-7',
      directory: true,
      lockedWeb: false,
      purgeVoicemail: true,
      maxVoicemailsPerFolder: 100,
      externalCallerId: true,
      timezone: 'America/New_York',
      billingType: 'postpaid',
      paymentType: 'bank_transfer',
      invoiceDueDays: 14,
      sendInvoices: true,
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
      minimumContractMonths: 12,
      autoTopUp: true,
      addressCity: 'Leeds',
      addressCountry: 'GB',
      affiliateCustomerId: affiliate.id,
      affiliateBasis: 'profit',
    });
    expect(row.creditLimit.toString()).toBe('100.00');
    expect(row.maxConcurrentCalls).toBe(-1);

    const detail = await web.get(res.headers.location);
    expect(detail.status).toBe(200);
    const text = textOf(detail.text);
    expect(text).toContain('Customer “Acme Telecom” created. Login details were emailed to ops@acme.example.');
    for (const shown of [
      'Our biggest customer',
      'ACME-7',
      '50.00 EUR',
      'Unlimited',
      '100',
      'America/New_York',
      'Standard dialling',
      'Post-paid',
      'BR-1',
      'GB123',
      'Bank transfer',
      '14 days',
      'XML (.xml, UBL)',
      'Calls: every call itemised',
      '12 months',
      '100.00 EUR',
      'VAT',
      '5.00 EUR',
      '1 High Street',
      'LS1 1AA Leeds',
      'United Kingdom',
      'Partner Co',
      '5.50% of the profit',
    ]) {
      expect({ shown, found: text.includes(shown) }).toEqual({ shown, found: true });
    }
    for (const link of ['people', 'sip-accounts', 'mailboxes', 'numbers']) expect(detail.text).toContain(`href="/customers/${id}/${link}"`);
    expect(detail.text).toContain(`href="/customers/${id}/edit"`);
    expect(detail.text).toContain(`action="/customers/${id}/switch"`);
    const mails = await t.dataSource.getRepository(OutboxEmailEntity).findBy({ customerId: id });
    expect(mails.map((m) => m.toAddress)).toEqual(['ops@acme.example']);
  });

  it("shows the rate plan's values where the customer leaves a setting unset", async () => {
    const c = await createCustomer(t, t.auth, { name: 'Inherits Everything' });
    const text = textOf((await web.get(`/customers/${c.id}`)).text);
    expect(text).toMatch(/Daily spend limit Rate plan's value: /);
    expect(text).toMatch(/Send invoices Rate plan's value: (Yes|No)/);
  });

  it('creates a residential customer from a free number and shows its secrets once', async () => {
    const num = await addNumber(t, 1, '442071230001');
    const form = await web.get('/customers/new?type=residential');
    expect(hasField(form.text, 'number')).toBe(true);
    expect(hasField(form.text, 'personName')).toBe(true);
    expect(hasField(form.text, 'name')).toBe(false);
    expect(form.text).toContain(`<option value="${num.number}"`);
    const res = await web
      .post('/customers')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        type: 'residential',
        number: num.number,
        personName: 'Jane Doe',
        email: 'jane@example.com',
        ratePlanId: String(planId),
        timezone: 'Europe/London',
        billingType: 'prepaid',
        paymentType: 'none',
        creditLimit: '0.00',
        lowBalanceThreshold: '0.00',
      });
    // Post/Redirect/Get: the secrets are on a GET page, shown once, never cached, not in the URL.
    const row = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ name: num.number });
    expect(row.type).toBe('residential');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/customers/${row.id}/created`);
    const once = await web.get(res.headers.location);
    expect(once.status).toBe(200);
    expect(once.headers['cache-control']).toBe('no-store');
    const text = textOf(once.text);
    expect(text).toContain(`Customer “${num.number}” created`);
    expect(text).toContain('SIP secret');
    expect(text).toContain('Voicemail PIN');
    const again = await web.get(res.headers.location);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/customers/${row.id}`);
    expect(textOf((await web.get(again.headers.location)).text)).toContain('shown only once');
    const detail = textOf((await web.get(`/customers/${row.id}`)).text);
    expect(detail).toContain('Jane Doe');
    expect(detail).not.toContain('SIP secret');
  });

  it('lists customers with search, paging with page numbers, and deleted ones on request', async () => {
    const tag = unique('Pager');
    for (let i = 1; i <= 27; i++)
      await createCustomer(t, t.auth, { name: `${tag} ${String(i).padStart(2, '0')}`, accountNumber: `${tag}-${i}` });
    const first = await web.get(`/customers?search=${encodeURIComponent(tag)}`);
    expect(first.status).toBe(200);
    expect(textOf(first.text)).toContain('1–25 of 27');
    expect(first.text.replace(/&#x3D;/g, '=')).toContain(`href="/customers?search=${encodeURIComponent(tag)}&amp;page=2"`);
    expect((first.text.match(new RegExp(`${tag} \\d\\d`, 'g')) ?? []).length).toBe(25);
    const second = await web.get(`/customers?search=${encodeURIComponent(tag)}&page=2`);
    expect(textOf(second.text)).toContain('26–27 of 27');
    expect(second.text).toMatch(/<span class="current" aria-current="page">2<\/span>/);
    // Search narrows the list.
    const one = await web.get(`/customers?search=${encodeURIComponent(`${tag} 07`)}`);
    expect(textOf(one.text)).toContain('1–1 of 1');
    const none = await web.get('/customers?search=no-such-customer-anywhere');
    expect(textOf(none.text)).toContain('No customer matches “no-such-customer-anywhere”.');
    // A bad page number is page 1, not an error.
    expect((await web.get('/customers?page=abc')).status).toBe(200);

    const gone = await createCustomer(t, t.auth, { name: `${tag} gone` });
    expect((await t.http.delete(`/api/v1/customers/${gone.id}`).set(t.auth)).status).toBeLessThan(300);
    expect(textOf((await web.get(`/customers?search=${encodeURIComponent(`${tag} gone`)}`)).text)).toContain('No customer matches');
    const withDeleted = await web.get(`/customers?search=${encodeURIComponent(`${tag} gone`)}&includeDeleted=on`);
    expect(textOf(withDeleted.text)).toContain('Deleted');
  });

  it('escapes user-entered text in the list and on the detail page', async () => {
    const evil = '<script>alert(1)</script>';
    const c = await createCustomer(t, t.auth, { name: evil, description: '<img src=x onerror=alert(2)>' });
    const list = await web.get('/customers?search=script');
    expect(list.text).not.toContain(evil);
    expect(list.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const detail = await web.get(`/customers/${c.id}`);
    expect(detail.text).not.toContain(evil);
    expect(detail.text).not.toContain('<img src=x');
    expect(detail.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const edit = await web.get(`/customers/${c.id}/edit`);
    expect(edit.text).not.toContain(evil);
    expect(edit.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('edits a customer: the form starts with its values, errors keep what was typed, saving changes it', async () => {
    const c = await createCustomer(t, t.auth, { name: 'Before Edit', billingAddress: { city: 'York', country: 'GB' } });
    const form = await web.get(`/customers/${c.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="Before Edit"');
    expect(form.text).toContain('value="York"');
    expect(hasField(form.text, 'type')).toBe(false);
    const fields = {
      name: 'After Edit',
      email: c.email,
      ratePlanId: String(planId),
      timezone: 'UTC',
      billingType: 'prepaid',
      paymentType: 'none',
      currency: c.currency,
      creditLimit: '-5',
      lowBalanceThreshold: '0.00',
      billingAddress: { city: 'York', country: 'GB' },
    };
    const bad = await web
      .post(`/customers/${c.id}/edit`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), ...fields });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="f-creditLimit"[^>]*aria-invalid="true"/);
    expect(bad.text).toContain('value="After Edit"');
    expect((await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: c.id })).name).toBe('Before Edit');
    const ok = await web
      .post(`/customers/${c.id}/edit`)
      .type('form')
      .send({ _csrf: csrfOf(bad.text), ...fields, creditLimit: '7.50', lockedCalls: 'on' });
    expect(ok.status).toBe(303);
    const row = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: c.id });
    expect(row.name).toBe('After Edit');
    expect(row.lockedCalls).toBe(true);
    expect(row.creditLimit.toString()).toBe('7.50');
    expect(textOf((await web.get(`/customers/${c.id}`)).text)).toContain('Changes to “Before Edit” saved.');
  });

  it('deletes after a confirmation page and undeletes', async () => {
    const c = await createCustomer(t, t.auth, { name: 'Short Lived' });
    const confirm = await web.get(`/customers/${c.id}/delete`);
    expect(textOf(confirm.text)).toContain('Delete “Short Lived”?');
    const del = await web
      .post(`/customers/${c.id}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(confirm.text) });
    expect(del.status).toBe(303);
    const shown = await web.get(`/customers/${c.id}`);
    expect(textOf(shown.text)).toContain('“Short Lived” deleted.');
    expect(shown.text).toContain(`action="/customers/${c.id}/undelete"`);
    const un = await web
      .post(`/customers/${c.id}/undelete`)
      .type('form')
      .send({ _csrf: csrfOf(shown.text) });
    expect(un.status).toBe(303);
    expect((await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: c.id })).deletedAt).toBeNull();
  });

  it('refuses to delete a customer that has customers of its own, with the reason shown', async () => {
    const reseller = await createReseller(t, t.auth);
    await createCustomer(t, reseller.auth);
    const confirm = await web.get(`/customers/${reseller.id}/delete`);
    const del = await web
      .post(`/customers/${reseller.id}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(confirm.text) });
    expect(del.status).toBe(303);
    const page = textOf((await web.get(`/customers/${reseller.id}`)).text);
    expect(page).toContain('was not deleted');
    expect((await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: reseller.id })).deletedAt).toBeNull();
  });

  it('switches to a customer (audited with the real person), acts for it, and switches back', async () => {
    const reseller = await createReseller(t, t.auth, { name: 'Reseller Switch' });
    const child = await createCustomer(t, reseller.auth, { name: 'Child Of Reseller' });
    const detail = await web.get(`/customers/${reseller.id}`);
    const sw = await web
      .post(`/customers/${reseller.id}/switch`)
      .type('form')
      .send({ _csrf: csrfOf(detail.text) });
    expect(sw.status).toBe(303);
    const admin = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ username: ADMIN_USERNAME });
    const audit = await t.dataSource
      .getRepository(AuditEntryEntity)
      .findOneByOrFail({ action: 'switch_to', entityId: String(reseller.id) });
    expect(audit).toMatchObject({ actorPersonId: admin.id, actorCustomerId: 1, customerId: reseller.id });

    const dash = await web.get('/');
    const text = textOf(dash.text);
    expect(text).toContain('You are acting as Reseller Switch');
    expect(text).toContain('Reseller Switch');
    const list = textOf((await web.get('/customers')).text);
    expect(list).toContain('Child Of Reseller');
    expect(list).not.toContain('Acme Telecom');
    // The system owner is out of reach while switched.
    expect((await web.get('/customers/1').set('Accept', 'text/html')).status).toBe(404);

    // A change made while switched is audited with the real person too.
    const edit = await web.get(`/customers/${child.id}/edit`);
    expect(edit.status).toBe(200);
    const saved = await web
      .post(`/customers/${child.id}/edit`)
      .type('form')
      .send({
        _csrf: csrfOf(edit.text),
        name: 'Child Renamed',
        email: child.email,
        ratePlanId: String(child.ratePlanId),
        timezone: child.timezone,
        billingType: child.billingType,
        paymentType: child.paymentType,
        currency: child.currency,
        creditLimit: child.creditLimit,
        lowBalanceThreshold: child.lowBalanceThreshold,
      });
    expect(saved.status).toBe(303);
    const changeAudit = await t.dataSource
      .getRepository(AuditEntryEntity)
      .findOneByOrFail({ action: 'customer_updated', entityId: String(child.id) });
    expect(changeAudit).toMatchObject({ actorPersonId: admin.id, actorCustomerId: 1, actingAsCustomerId: reseller.id });

    const back = await web
      .post('/switch-back')
      .type('form')
      .send({ _csrf: csrfOf(dash.text) });
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe(`/customers/${reseller.id}`);
    expect(textOf((await web.get('/')).text)).not.toContain('You are acting as');
    const backAudit = await t.dataSource.getRepository(AuditEntryEntity).findOneByOrFail({ action: 'switch_back' });
    expect(backAudit.actorPersonId).toBe(admin.id);
  });

  it('answers 404 for a customer of another branch', async () => {
    const a = await createReseller(t, t.auth);
    const b = await createReseller(t, t.auth);
    const bChild = await createCustomer(t, b.auth);
    const agent = await webLogin(t, a.username, a.password);
    expect((await agent.get(`/customers/${bChild.id}`).set('Accept', 'text/html')).status).toBe(404);
    expect((await agent.get(`/customers/${bChild.id}/edit`).set('Accept', 'text/html')).status).toBe(404);
    const page = await agent.get('/');
    expect(
      (
        await agent
          .post(`/customers/${bChild.id}/switch`)
          .type('form')
          .send({ _csrf: csrfOf(page.text) })
      ).status,
    ).toBe(404);
  });

  it('lists the sent mail of the subtree and shows a mail with its text escaped', async () => {
    await createCustomer(t, t.auth, { name: 'Mail Target', email: 'mail-target@example.com' });
    const list = await web.get('/outbox');
    expect(list.status).toBe(200);
    expect(textOf(list.text)).toContain('mail-target@example.com');
    const mail = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ toAddress: 'mail-target@example.com' });
    const detail = await web.get(`/outbox/${mail.id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('<pre class="mail-body">');
    expect(textOf(detail.text)).toContain(mail.subject);
    await t.dataSource.getRepository(OutboxEmailEntity).update({ id: mail.id }, { bodyText: 'Hello <b>there</b>' });
    const escaped = await web.get(`/outbox/${mail.id}`);
    expect(escaped.text).toContain('Hello &lt;b&gt;there&lt;/b&gt;');
    const kept = await web.get('/outbox?status=kept');
    expect(textOf(kept.text)).toContain('mail-target@example.com');
    expect(textOf((await web.get('/outbox?status=failed')).text)).toContain('No email with this status.');
  });

  it('lets an ordinary user look but not add or change customers', async () => {
    await insertPerson(t, 1, { username: 'looker', displayName: 'Only Looks', role: 'user', password: 'looker-password-1' });
    const user = await webLogin(t, 'looker', 'looker-password-1');
    const list = await user.get('/customers');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('href="/customers/new"');
    const some = await createCustomer(t, t.auth, { name: 'Seen By User' });
    const detail = await user.get(`/customers/${some.id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).not.toContain(`/customers/${some.id}/edit`);
    expect((await user.get('/customers/new?type=normal').set('Accept', 'text/html')).status).toBe(403);
    expect((await user.get(`/customers/${some.id}/edit`).set('Accept', 'text/html')).status).toBe(403);
    const refused = await user
      .post('/customers')
      .type('form')
      .send({ _csrf: csrfOf(list.text), type: 'normal', name: 'Nope' });
    expect(refused.status).toBe(403);
    expect(textOf(refused.text)).toContain('administrators only');
  });
});
