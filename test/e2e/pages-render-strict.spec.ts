import { Logger } from '@nestjs/common';
import type TestAgent from 'supertest/lib/agent';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { InvoiceRunsService } from '../../src/modules/invoicing/invoice-runs.service';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { addDialPlan, addNumber, addRegion, createCustomer, unique } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { browser, csrfOf, webLogin } from './admin-helpers';
import { createPlan, HEADER, importDeck } from './rate-plans.fixtures';

/**
 * Every page route of the *.admin.controller.ts files, rendered at least once as the system owner's
 * administrator. Templates are compiled with `strict: true` (src/modules/admin/view-engine.ts): a variable
 * that the view model lacks is an error, the page answers 500 and the error is logged with the template's
 * name. Each test asserts both, so a failure shows which template read what.
 */
describe('every page renders with strict templates', () => {
  let t: TestApp;
  let web: TestAgent;
  /** Ids of the rows the pages show, by the placeholder that stands for them in the paths below. */
  const ids: Record<string, string> = {};
  /** Messages logged at error level while a test ran (a failed render logs "render failed: template …"). */
  let errorsLogged: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => {
      errorsLogged.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' '));
    });
    web = await webLogin(t);

    const plan = await createPlan(t, t.auth, { name: unique('Smoke plan ') });
    await importDeck(t, t.auth, plan.id as number, `${HEADER}\n4930,Berlin,0.00,0,0.0120,1,1,0.00,outbound\n`);
    const rates = await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth);
    const customer = await createCustomer(t, t.auth, { name: unique('Smoke '), reseller: true, ratePlanId: plan.id });
    const people = await t.http.get(`/api/v1/customers/${customer.id}/people`).set(t.auth);
    const line = await t.http.post(`/api/v1/customers/${customer.id}/sip-accounts`).set(t.auth).send({ displayName: 'Reception' });
    const mailbox = await t.http
      .post(`/api/v1/customers/${customer.id}/mailboxes`)
      .set(t.auth)
      .send({ mailbox: String(Math.floor(1e6 + Math.random() * 9e6)) });
    const settings = await t.http.get('/api/v1/system').set(t.auth);
    const rate = await t.http
      .post('/api/v1/exchange-rates')
      .set(t.auth)
      .send({ currency: settings.body.currency === 'USD' ? 'EUR' : 'USD', rate: '1.0825', validFrom: '2026-01-01T00:00:00Z' });
    const voucherBatchId = async (): Promise<number> => {
      const res = await t.http
        .post('/api/v1/voucher-batches')
        .set(t.auth)
        .send({ name: 'Smoke', value: '5.00', currency: 'EUR', count: 3 });
      if (res.status !== 201) throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as number;
    };
    for (const res of [rates, people, line, mailbox, settings, rate]) {
      if (res.status >= 300) throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
    }
    await addNumber(t, 1); // a free number, for the "assign" page
    const assigned = await addNumber(t, 1, undefined, customer.id as number);
    // The login-details mail of the new customer: the outbox page, and the one-time link it carries.
    const mail = await t.dataSource.getRepository(OutboxEmailEntity).findOneByOrFail({ customerId: customer.id as number });
    const link = String((JSON.parse(mail.context) as { setPasswordUrl: string }).setPasswordUrl);
    // Invoices: the customer, postpaid since two months ago, is invoiced for the months that ended since.
    await t.dataSource
      .getRepository(CustomerEntity)
      .update({ id: customer.id as number }, { billingType: 'postpaid', createdAt: new Date(Date.now() - 70 * 86_400_000) });
    const run = await t.http.post('/api/v1/invoice-runs').set(t.auth).send({});
    await t.app.get(InvoiceRunsService).idle();
    const invoices = await t.http.get('/api/v1/invoices').query({ customerId: customer.id }).set(t.auth);
    for (const res of [run, invoices]) {
      if (res.status >= 300 || (res === invoices && !res.body.items.length))
        throw new Error(`fixture: ${res.status} ${JSON.stringify(res.body)}`);
    }

    Object.assign(ids, {
      customer: String(customer.id),
      person: String(people.body.items[0].id),
      line: String(line.body.id),
      mailbox: String(mailbox.body.id),
      number: String(assigned.id),
      plan: String(plan.id),
      rate: String(rates.body.items[0].id),
      region: String((await addRegion(t)).id),
      exchangeRate: String(rate.body.id),
      dialPlan: String((await addDialPlan(t, 1)).id),
      mail: String(mail.id),
      token: link.split('/').pop() ?? '',
      voucherBatch: String(await voucherBatchId()),
      run: String(run.body.id),
      invoice: String(invoices.body.items[0].id),
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });
  beforeEach(() => {
    errorsLogged = [];
  });

  const path = (template: string): string => template.replace(/\{(\w+)\}/g, (_, k: string) => ids[k] ?? `{${k}}`);

  /** GETs a page; answers what the assertions compare (the status and any error logged meanwhile). */
  async function visit(agent: TestAgent, template: string) {
    const res = await agent.get(path(template));
    return { page: template, status: res.status, errorsLogged };
  }

  // Every @Get of the page controllers (customers, dashboard, identity, telephony, notifications, rate-plans, system, billing, invoicing).
  const PAGES = [
    '/',
    '/customers',
    '/customers?parentId={customer}',
    '/customers?search=nobody&includeDeleted=on',
    '/customers/new',
    '/customers/new?type=normal',
    '/customers/new?type=residential',
    '/customers/new?type=normal&parentId={customer}',
    '/customers/{customer}',
    '/customers/{customer}/edit',
    '/customers/{customer}/delete',
    '/customers/{customer}/transactions',
    '/account',
    '/customers/{customer}/people',
    '/customers/{customer}/people?search=nobody',
    '/customers/{customer}/people/new',
    '/customers/{customer}/people/{person}/edit',
    '/customers/{customer}/people/{person}/delete',
    '/customers/{customer}/sip-accounts',
    '/customers/{customer}/sip-accounts/new',
    '/customers/{customer}/sip-accounts/{line}/edit',
    '/customers/{customer}/sip-accounts/{line}/delete',
    '/customers/{customer}/mailboxes',
    '/customers/{customer}/mailboxes/new',
    '/customers/{customer}/mailboxes/{mailbox}/edit',
    '/customers/{customer}/mailboxes/{mailbox}/delete',
    '/customers/{customer}/numbers',
    '/customers/{customer}/numbers/assign',
    '/customers/{customer}/numbers/assign?search=0000000',
    '/customers/{customer}/numbers/{number}/edit',
    '/customers/{customer}/numbers/{number}/release',
    '/numbers',
    '/numbers?status=free',
    '/numbers/new',
    '/numbers/new-range',
    '/requests',
    '/requests?status=pending&search=nobody',
    '/active-calls',
    '/call-history',
    '/call-history?customerId={customer}&from=2026-01-01&to=2026-02-01&page=2',
    '/outbox',
    '/outbox?status=sent',
    '/outbox/{mail}',
    '/rate-plans',
    '/rate-plans?search=nothing-like-this',
    '/rate-plans/new',
    '/rate-plans/{plan}',
    '/rate-plans/{plan}/edit',
    '/rate-plans/{plan}/delete',
    '/rate-plans/{plan}/rates/new',
    '/rate-plans/{plan}/rates/{rate}/edit',
    '/rate-plans/{plan}/import',
    '/customers/{customer}/price',
    '/system',
    '/system/regions',
    '/system/regions/{region}/edit',
    '/system/regions/{region}/delete',
    '/system/exchange-rates',
    '/system/exchange-rates?currency=USD',
    '/system/exchange-rates/{exchangeRate}/delete',
    '/dial-plans',
    '/dial-plans/{dialPlan}/edit',
    '/dial-plans/{dialPlan}/delete',
    '/vouchers',
    '/vouchers?search=nothing-like-this',
    '/vouchers/new',
    '/vouchers/redeem',
    '/vouchers/{voucherBatch}',
    '/vouchers/{voucherBatch}?page=2',
    '/invoices',
    '/invoices?customerId={customer}&status=due&periodStart=2026-01-01&page=2',
    '/invoices/{invoice}',
    '/invoice-runs',
    '/invoice-runs?page=2',
    '/invoice-runs/{run}',
  ];

  it.each(PAGES)('GET %s answers 200', async (page) => {
    expect(await visit(web, page)).toEqual({ page, status: 200, errorsLogged: [] });
  });

  it('renders the public pages for a visitor: log in, set a password (valid and used-up link)', async () => {
    const visitor = browser(t);
    expect(await visit(visitor, '/login')).toEqual({ page: '/login', status: 200, errorsLogged: [] });
    expect(await visit(visitor, '/login?next=%2Fcustomers')).toEqual({ page: '/login?next=%2Fcustomers', status: 200, errorsLogged: [] });
    expect(await visit(visitor, '/set-password/{token}')).toEqual({ page: '/set-password/{token}', status: 200, errorsLogged: [] });
    expect(await visit(visitor, '/set-password/not-a-token')).toEqual({ page: '/set-password/not-a-token', status: 410, errorsLogged: [] });
  });

  it('renders the error page (the exception filter gives it only a title and the error) without a render failure', async () => {
    expect(await visit(web, '/customers/999999999')).toEqual({ page: '/customers/999999999', status: 404, errorsLogged: [] });
    expect(await visit(web, '/no-such-page')).toEqual({ page: '/no-such-page', status: 404, errorsLogged: [] });
  });

  it('renders the layout while switched to a customer (the "acting as" banner)', async () => {
    const agent = await webLogin(t);
    const page = await agent.get(path('/customers/{customer}'));
    const switched = await agent
      .post(path('/customers/{customer}/switch'))
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(switched.status).toBe(303);
    for (const p of ['/', '/account', '/customers']) {
      const res = await agent.get(p);
      expect({ page: p, status: res.status, errorsLogged, banner: res.text.includes('You are acting as') }).toEqual({
        page: p,
        status: 200,
        errorsLogged: [],
        banner: true,
      });
    }
  });

  it('shows forms again from a raw body that lacks whole groups of fields (400, not 500)', async () => {
    const forms: [string, string, Record<string, unknown>][] = [
      ['/customers/new?type=normal', '/customers', { type: 'normal' }],
      ['/customers/new?type=residential', '/customers', { type: 'residential' }],
      ['/customers/{customer}/edit', '/customers/{customer}/edit', { email: 'not-an-email' }],
      ['/rate-plans/new', '/rate-plans', {}],
      ['/rate-plans/{plan}/edit', '/rate-plans/{plan}/edit', { name: '' }],
      ['/rate-plans/{plan}/rates/new', '/rate-plans/{plan}/rates', {}],
      ['/account', '/account/password', {}],
      ['/account', '/account/api-keys', {}],
      ['/vouchers/new', '/vouchers', {}],
      ['/vouchers/redeem', '/vouchers/redeem', {}],
      ['/invoice-runs', '/invoice-runs', { date: 'yesterday' }],
      ['/invoices/{invoice}', '/invoices/{invoice}/status', {}],
      ['/invoices/{invoice}', '/invoices/{invoice}/payments', {}],
      ['/invoices/{invoice}', '/invoices/{invoice}/credit-notes', { credit: { amount: '1.00' } }],
    ];
    for (const [formPage, action, fields] of forms) {
      const page = await web.get(path(formPage));
      const res = await web
        .post(path(action))
        .type('form')
        .send({ _csrf: csrfOf(page.text), ...fields });
      expect({ action, status: res.status, errorsLogged }).toEqual({ action, status: 400, errorsLogged: [] });
    }
  });
});
