import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import createClient, { type Middleware } from 'openapi-fetch';
import { PROJECT_ROOT } from '../../src/shared/paths';
import type { components, paths } from '../client/openapi';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, type TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { fromFetch } from '../helpers/openapi-validator';

type ErrorBody = components['schemas']['ErrorBody'];

/**
 * A client generated from docs/openapi.json (openapi-typescript types + openapi-fetch) drives the main
 * flows against the app listening on a real port, with no casts: if the committed document stops
 * describing what these operations take or give, this file stops compiling or the contract check fails.
 */
describe(`typed REST client generated from the OpenAPI document (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let api: ReturnType<typeof createClient<paths>>;
  let token = '';
  const seen: string[] = [];
  /** The business customer of the first flow, invoiced in the next. */
  let businessId = 0;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    api = createClient<paths>({ baseUrl: `http://127.0.0.1:${port}` });
    const auth: Middleware = {
      onRequest: ({ request }) => {
        if (token) request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    };
    // Every answer the client receives is checked against the document too.
    const contract: Middleware = {
      onResponse: async ({ request, response }) => {
        const problem = t.contract.check(request.method, request.url, await fromFetch(response));
        if (problem) throw new Error(`OpenAPI contract: ${problem}`);
        seen.push(`${request.method} ${new URL(request.url).pathname} ${response.status}`);
        return response;
      },
    };
    api.use(auth, contract);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs in, builds a plan from a CSV deck, creates both kinds of customer, finds one, prices and charges a call', async () => {
    const login = await api.POST('/api/v1/auth/token', { body: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } });
    expect(login.response.status).toBe(200);
    token = login.data!.token;

    // The carriers' costs (the system owner's cost plan) and a plan for customers, both from CSV decks.
    const settings = await api.GET('/api/v1/system');
    const costPlanId = settings.data!.costPlanId!;
    const header = 'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction';
    const csv = (text: string) => ({
      body: text,
      bodySerializer: (body: string) => body,
      headers: { 'Content-Type': 'text/csv' },
    });
    const cost = await api.PUT('/api/v1/rate-plans/{id}/rates', {
      params: { path: { id: costPlanId } },
      ...csv(`${header}\n44,UK,0,0,0.60,1,1,0,outbound\n`),
    });
    expect(cost.response.status).toBe(200);

    const plan = await api.POST('/api/v1/rate-plans', { body: { name: 'Retail UK', currency: 'EUR', precision: 2, sharing: 'children' } });
    expect(plan.response.status).toBe(201);
    const planId = plan.data!.id;
    const imported = await api.PUT('/api/v1/rate-plans/{id}/rates', {
      params: { path: { id: planId } },
      ...csv(`${header}\n44,UK,0,0,1.20,60,60,0,outbound\n4420,London,0.05,0,1.00,60,60,0,outbound\n`),
    });
    expect(imported.error).toBeUndefined();
    expect(imported.data).toMatchObject({ applied: true, rows: 2 });

    // A residential customer takes a free number of the parent; a business customer is a "normal" one.
    const number = `44161${String(Date.now()).slice(-6)}`;
    const added = await api.POST('/api/v1/numbers', { body: { number, directory: false } });
    expect(added.response.status).toBe(201);
    const residential = await api.POST('/api/v1/customers', {
      body: {
        type: 'residential',
        number,
        personName: 'Ada Lovelace',
        email: 'ada@example.com',
        ratePlanId: planId,
        billingType: 'prepaid',
      },
    });
    expect(residential.response.status).toBe(201);
    expect(residential.data!.name).toBe(number);
    expect(residential.data!.sipAccountId).toEqual(expect.any(Number));

    const business = await api.POST('/api/v1/customers', {
      body: {
        type: 'normal',
        name: 'Acme Telecom Ltd',
        email: 'ops@acme.example',
        ratePlanId: planId,
        billingType: 'postpaid',
        creditLimit: '100.00',
        billingAddress: { line1: '1 High Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
      },
    });
    expect(business.response.status).toBe(201);
    const customerId = business.data!.id;
    businessId = customerId;

    const found = await api.GET('/api/v1/customers', { params: { query: { search: 'Acme' } } });
    // The list answers JSON or, asked for, CSV (a string): the JSON page is the object.
    const foundPage = found.data!;
    if (typeof foundPage === 'string') throw new Error('a JSON page was expected');
    expect(foundPage.items.map((c) => c.id)).toEqual([customerId]);

    const price = await api.GET('/api/v1/customers/{id}/price', {
      params: { path: { id: customerId }, query: { number: '442079460000', duration: 90 } },
    });
    expect(price.data!.levels[0]).toMatchObject({ customerId, prefix: '4420', perMinute: '1.00', price: '2.05' });

    const callId = `typed-client-${Date.now()}@test`;
    const call = { callId, customerId, caller: '441632960001', called: '442079460000', direction: 'outbound' as const };
    const authorized = await api.POST('/api/v1/calls/authorize', { body: call });
    expect(authorized.data).toMatchObject({ allowed: true, customerId });

    const answeredAt = new Date(Date.now() - 60_000);
    const cdr = await api.POST('/api/v1/calls/cdrs', {
      body: {
        ...call,
        startedAt: new Date(answeredAt.getTime() - 5000).toISOString(),
        answeredAt: answeredAt.toISOString(),
        endedAt: new Date(answeredAt.getTime() + 90_000).toISOString(),
      },
    });
    expect(cdr.response.status).toBe(201);
    expect(cdr.data!.charges.find((c) => c.customerId === customerId && c.kind === 'charge')?.amount).toBe('2.05');
  });

  it('invoices the month: starts a run, follows its progress, reads the invoice and downloads its documents', async () => {
    // A month later (the test clock), after the customer's first month ended; a fresh login (sessions age with the clock).
    t.clock.setNow(new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1, 5)));
    const login = await api.POST('/api/v1/auth/token', { body: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } });
    token = login.data!.token;

    const started = await api.POST('/api/v1/invoice-runs', { body: {} });
    expect(started.response.status).toBe(202);
    let run = started.data!;
    for (let i = 0; i < 200 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await api.GET('/api/v1/invoice-runs/{id}', { params: { path: { id: run.id } } })).data!;
    }
    expect(run).toMatchObject({ status: 'completed', failures: 0 });

    const list = await api.GET('/api/v1/invoices', { params: { query: { customerId: businessId } } });
    const invoicePage = list.data!;
    if (typeof invoicePage === 'string') throw new Error('a JSON page was expected');
    const [invoice] = invoicePage.items;
    expect(invoice).toMatchObject({ customerId: businessId, status: 'due', total: '2.05', type: 'invoice' });
    const one = await api.GET('/api/v1/invoices/{id}', { params: { path: { id: invoice.id } } });
    expect(one.data!.lines).toEqual([expect.objectContaining({ category: 'call', amount: '2.05' })]);
    const pdf = await api.GET('/api/v1/invoices/{id}/pdf', { params: { path: { id: invoice.id } }, parseAs: 'arrayBuffer' });
    expect(Buffer.from(pdf.data as ArrayBuffer).subarray(0, 5).toString()).toBe('%PDF-');
    const xml = await api.GET('/api/v1/invoices/{id}/xml', { params: { path: { id: invoice.id } }, parseAs: 'text' });
    expect(xml.data).toContain(`<cbc:ID>${invoice.number}</cbc:ID>`);
    // A move the status diagram does not allow, read through the typed error.
    const refused = await api.PATCH('/api/v1/invoices/{id}', { params: { path: { id: invoice.id } }, body: { status: 'pending' } });
    expect(refused.error?.code).toBe('status_change_not_allowed');
  });

  it('reads an error through the typed error shape', async () => {
    const bad = await api.POST('/api/v1/customers', {
      // A JSON number where money must be a decimal string: the server refuses it, field by field.
      body: { type: 'normal', name: 'Bad money', email: 'bad@example.com', ratePlanId: 2, creditLimit: 12.5 as unknown as string },
    });
    expect(bad.response.status).toBe(400);
    const error: ErrorBody | undefined = bad.error;
    expect(error?.code).toBe('validation_failed');
    expect(error?.details.map((d) => d.field)).toContain('creditLimit');

    const missing = await api.GET('/api/v1/customers/{id}', { params: { path: { id: 999_999 } } });
    expect(missing.error?.code).toBe('not_found');
    expect(missing.error?.statusCode).toBe(404);
  });

  it('describes the test clock only where TEST_CLOCK=true (the served document here, not the committed one)', async () => {
    const served = (await t.http.get('/api/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    const committed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs/openapi.json'), 'utf8')) as { paths: Record<string, unknown> };
    expect(Object.keys(served.paths)).toContain('/api/v1/test/clock');
    expect(Object.keys(committed.paths).filter((p) => p.startsWith('/api/v1/test/'))).toEqual([]);
  });

  it('checked every answer against the document', () => {
    expect(seen.length).toBeGreaterThan(12);
  });
});
