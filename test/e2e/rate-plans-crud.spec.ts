import { RatePlansApi } from '../../src/modules/rate-plans/rate-plans.api';
import { startTestApp, TestApp } from '../helpers/app';
import { unique } from '../factories/customers';
import { addCustomer, costPlanId, createPlan, setCustomerPlan } from './rate-plans.fixtures';

describe('rate plans: CRUD and validation (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const fullBody = () => ({
    name: unique('Gold '),
    description: 'For resellers',
    currency: 'USD',
    sharing: 'children',
    precision: 3,
    fees: { signup: '10.00', account: '5.50', perLine: '1.25', perNumber: '0.75' },
    includedSeconds: 600,
    billingPeriod: 'quarterly',
    dueDays: 14,
    overdueDays: 7,
    deferBilling: true,
    minimumContractMonths: 12,
    markups: { outboundConnect: '5', outboundPerMinute: '20', outboundMessage: '12.5', inboundConnect: '-5.5', inboundPerMinute: '0' },
    dailySpendLimit: '50.00',
    maxConcurrentCalls: 4,
    externalCallerId: true,
    invoiceDueDays: 21,
    sendInvoices: false,
    invoiceFormat: 'xml',
    invoiceDetail: 'calls',
  });

  it('creates a plan with every field and reads it back, own and effective values', async () => {
    const body = fullBody();
    const res = await t.http.post('/api/v1/rate-plans').set(t.auth).send(body);
    expect(res.status).toBe(201);
    const { effective, ...own } = res.body;
    expect(own).toMatchObject({
      ...body,
      ownerId: 1,
      inheritsFromId: null,
      dialPlanId: null,
      editable: true,
      costPlan: false,
      rateCount: 0,
    });
    expect(effective).toEqual({
      precision: 3,
      fees: body.fees,
      includedSeconds: 600,
      billingPeriod: 'quarterly',
      dueDays: 14,
      overdueDays: 7,
      deferBilling: true,
      minimumContractMonths: 12,
      markups: body.markups,
      dailySpendLimit: '50.00',
      maxConcurrentCalls: 4,
      externalCallerId: true,
      dialPlanId: null,
      invoiceDueDays: 21,
      sendInvoices: false,
      invoiceFormat: 'xml',
      invoiceDetail: 'calls',
    });
    const read = await t.http.get(`/api/v1/rate-plans/${res.body.id}`).set(t.auth);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('leaves unset settings null and shows the platform defaults as effective', async () => {
    const plan = await createPlan(t, t.auth, { name: 'Bare' });
    expect(plan).toMatchObject({
      currency: 'EUR',
      sharing: 'private',
      precision: null,
      includedSeconds: null,
      dailySpendLimit: null,
      maxConcurrentCalls: null,
    });
    expect(plan.fees).toEqual({ signup: null, account: null, perLine: null, perNumber: null });
    expect(plan.markups.outboundPerMinute).toBeNull();
    expect(plan.effective).toMatchObject({
      precision: 4,
      fees: { signup: '0.00', account: '0.00', perLine: '0.00', perNumber: '0.00' },
      billingPeriod: 'monthly',
      minimumContractMonths: 0,
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
      markups: { outboundPerMinute: '0' },
      sendInvoices: true,
      invoiceFormat: 'pdf',
    });
  });

  it('resolves effective values through the inheritance chain, own values first', async () => {
    const grand = await createPlan(t, t.auth, {
      precision: 2,
      dueDays: 10,
      markups: { outboundPerMinute: '30' },
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
    });
    const parent = await createPlan(t, t.auth, { inheritsFromId: grand.id, dueDays: 20, fees: { account: '3.00' } });
    const child = await createPlan(t, t.auth, { inheritsFromId: parent.id, markups: { outboundConnect: '1' } });
    expect(child.inheritsFromId).toBe(parent.id);
    expect(child.dueDays).toBeNull();
    expect(child.effective).toMatchObject({
      precision: 2,
      dueDays: 20,
      fees: { account: '3.00', signup: '0.00' },
      markups: { outboundPerMinute: '30', outboundConnect: '1' },
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 'unlimited',
    });
    expect(grand.dailySpendLimit).toBe('unlimited');
    // The same resolution for other modules (billing, invoicing).
    const api = t.app.get(RatePlansApi);
    const eff = await api.effectivePlanSettings(t.dataSource.manager, child.id);
    expect(eff).toMatchObject({ precision: 2, dueDays: 20, dailySpendLimit: 'unlimited', billingPeriod: 'monthly' });
    expect(eff?.fees.account.toString()).toBe('3.00');
    expect(eff?.markups.outboundPerMinute.toString()).toBe('30');
    expect(await api.effectivePlanSettings(t.dataSource.manager, 999999)).toBeNull();
    expect(grand.maxConcurrentCalls).toBe('unlimited');
  });

  it('changes fields with PATCH, null returns a setting to "inherit", partial fees and markups merge', async () => {
    const plan = await createPlan(t, t.auth, fullBody());
    const res = await t.http
      .patch(`/api/v1/rate-plans/${plan.id}`)
      .set(t.auth)
      .send({
        name: 'Renamed',
        precision: null,
        fees: { signup: null, perLine: '2.00' },
        markups: { outboundPerMinute: '25' },
        dailySpendLimit: 'unlimited',
        maxConcurrentCalls: null,
        description: null,
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      precision: null,
      description: null,
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: null,
    });
    expect(res.body.fees).toEqual({ signup: null, account: '5.50', perLine: '2.00', perNumber: '0.75' });
    expect(res.body.markups).toMatchObject({ outboundPerMinute: '25', outboundConnect: '5' });
    expect(res.body.effective.precision).toBe(4);
    const audit = await t.dataSource.query("SELECT action FROM audit_log WHERE entity_type = 'rate_plan' AND entity_id = ?", [
      String(plan.id),
    ]);
    expect(audit.map((a: any) => a.action)).toEqual(['rate_plan_created', 'rate_plan_updated']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing name', { name: undefined }, 'name'],
    ['empty name', { name: '' }, 'name'],
    ['name as number', { name: 5 }, 'name'],
    ['bad currency', { currency: 'EURO' }, 'currency'],
    ['bad sharing', { sharing: 'public' }, 'sharing'],
    ['precision 7', { precision: 7 }, 'precision'],
    ['precision -1', { precision: -1 }, 'precision'],
    ['precision 1.5', { precision: 1.5 }, 'precision'],
    ['negative fee', { fees: { signup: '-1.00' } }, 'fees.signup'],
    ['fee as number', { fees: { account: 5 } }, 'fees.account'],
    ['fee with 7 places', { fees: { perLine: '0.1234567' } }, 'fees.perLine'],
    ['unknown fee', { fees: { yearly: '1.00' } }, 'fees.yearly'],
    ['negative included seconds', { includedSeconds: -1 }, 'includedSeconds'],
    ['bad billing period', { billingPeriod: 'weekly' }, 'billingPeriod'],
    ['negative due days', { dueDays: -3 }, 'dueDays'],
    ['overdue days as string', { overdueDays: '7' }, 'overdueDays'],
    ['defer billing as string', { deferBilling: 'yes' }, 'deferBilling'],
    ['contract of 2 months', { minimumContractMonths: 2 }, 'minimumContractMonths'],
    ['markup -100', { markups: { outboundPerMinute: '-100' } }, 'markups.outboundPerMinute'],
    ['markup above 10000', { markups: { inboundConnect: '10000.5' } }, 'markups.inboundConnect'],
    ['markup as number', { markups: { outboundConnect: 20 } }, 'markups.outboundConnect'],
    ['markup with percent sign', { markups: { outboundMessage: '20%' } }, 'markups.outboundMessage'],
    ['negative spend limit', { dailySpendLimit: '-5.00' }, 'dailySpendLimit'],
    ['spend limit word', { dailySpendLimit: 'none' }, 'dailySpendLimit'],
    ['concurrent calls negative', { maxConcurrentCalls: -1 }, 'maxConcurrentCalls'],
    ['concurrent calls as string', { maxConcurrentCalls: '5' }, 'maxConcurrentCalls'],
    ['external caller id as string', { externalCallerId: 'true' }, 'externalCallerId'],
    ['invoice format', { invoiceFormat: 'doc' }, 'invoiceFormat'],
    ['invoice detail', { invoiceDetail: 'everything' }, 'invoiceDetail'],
    ['send invoices as number', { sendInvoices: 1 }, 'sendInvoices'],
    ['unknown field', { colour: 'blue' }, 'colour'],
    ['description with control characters', { description: 'a\u0001b' }, 'description'],
  ])('refuses %s with 400 naming the field', async (_name, change, field) => {
    const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM rate_plans');
    const res = await t.http
      .post('/api/v1/rate-plans')
      .set(t.auth)
      .send({ name: 'X', ...change });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    const after = await t.dataSource.query('SELECT COUNT(*) AS n FROM rate_plans');
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it('refuses null for name, currency and sharing on PATCH', async () => {
    const plan = await createPlan(t, t.auth);
    for (const field of ['name', 'currency', 'sharing']) {
      const res = await t.http
        .patch(`/api/v1/rate-plans/${plan.id}`)
        .set(t.auth)
        .send({ [field]: null });
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('checks the dial plan: one of the owner or its ancestors', async () => {
    const reseller = await addCustomer(t);
    await t.dataSource.query(
      "INSERT INTO dial_plans (owner_customer_id, name, created_at) VALUES (1, 'root dp', '2026-01-01 00:00:00.000')",
    );
    await t.dataSource.query(
      `INSERT INTO dial_plans (owner_customer_id, name, created_at) VALUES (${reseller.id}, 'reseller dp', '2026-01-01 00:00:00.000')`,
    );
    const rows = await t.dataSource.query('SELECT id, owner_customer_id AS owner FROM dial_plans ORDER BY id');
    const rootDp = Number(rows.find((r: any) => Number(r.owner) === 1).id);
    const resellerDp = Number(rows.find((r: any) => Number(r.owner) === reseller.id).id);
    expect((await t.http.post('/api/v1/rate-plans').set(reseller.auth).send({ name: 'dp', dialPlanId: rootDp })).status).toBe(201);
    const bad = await t.http.post('/api/v1/rate-plans').set(t.auth).send({ name: 'dp', dialPlanId: resellerDp });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('dialPlanId');
  });

  it('lists plans with search and paging', async () => {
    const tag = unique('Zebra');
    for (let i = 0; i < 3; i++) await createPlan(t, t.auth, { name: `${tag} ${i}` });
    const page1 = await t.http.get(`/api/v1/rate-plans?search=${tag}&pageSize=2`).set(t.auth);
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(page1.body.items.map((p: any) => p.name)).toEqual([`${tag} 0`, `${tag} 1`]);
    const page2 = await t.http.get(`/api/v1/rate-plans?search=${tag}&pageSize=2&page=2`).set(t.auth);
    expect(page2.body.items.map((p: any) => p.name)).toEqual([`${tag} 2`]);
    const wild = await t.http.get('/api/v1/rate-plans?search=%25').set(t.auth);
    expect(wild.body.total).toBe(0);
    expect((await t.http.get('/api/v1/rate-plans?pageSize=501').set(t.auth)).status).toBe(400);
  });

  it('marks the cost plan and refuses to delete it', async () => {
    const id = await costPlanId(t);
    const plan = await t.http.get(`/api/v1/rate-plans/${id}`).set(t.auth);
    expect(plan.body).toMatchObject({ costPlan: true, name: 'Carrier costs' });
    const res = await t.http.delete(`/api/v1/rate-plans/${id}`).set(t.auth);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/cost plan/);
  });

  it('deletes an unused plan (then 404) and refuses while a customer or another plan uses it', async () => {
    const used = await createPlan(t, t.auth);
    const customer = await addCustomer(t, { reseller: false, login: false });
    await setCustomerPlan(t, customer.id, used.id);
    const refused = await t.http.delete(`/api/v1/rate-plans/${used.id}`).set(t.auth);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/1 customer/);

    const parent = await createPlan(t, t.auth);
    await createPlan(t, t.auth, { inheritsFromId: parent.id });
    const refused2 = await t.http.delete(`/api/v1/rate-plans/${parent.id}`).set(t.auth);
    expect(refused2.status).toBe(409);
    expect(refused2.body.message).toMatch(/inherit/);

    const free = await createPlan(t, t.auth);
    expect((await t.http.delete(`/api/v1/rate-plans/${free.id}`).set(t.auth)).status).toBe(204);
    expect((await t.http.get(`/api/v1/rate-plans/${free.id}`).set(t.auth)).status).toBe(404);
    expect((await t.http.delete(`/api/v1/rate-plans/${free.id}`).set(t.auth)).status).toBe(404);
    const audit = await t.dataSource.query("SELECT action FROM audit_log WHERE entity_type = 'rate_plan' AND entity_id = ? ORDER BY id", [
      String(free.id),
    ]);
    expect(audit.map((a: any) => a.action)).toEqual(['rate_plan_created', 'rate_plan_deleted']);
  });

  it('answers 404 for unknown ids and 400 for non-numeric ones', async () => {
    expect((await t.http.get('/api/v1/rate-plans/999999').set(t.auth)).status).toBe(404);
    expect((await t.http.patch('/api/v1/rate-plans/999999').set(t.auth).send({ name: 'x' })).status).toBe(404);
    expect((await t.http.get('/api/v1/rate-plans/abc').set(t.auth)).status).toBe(400);
  });

  it('needs a login, and an administrator to change anything', async () => {
    expect((await t.http.get('/api/v1/rate-plans')).status).toBe(401);
    expect((await t.http.post('/api/v1/rate-plans').send({ name: 'x' })).status).toBe(401);
  });

  it('refuses a plan for a customer that is not a reseller', async () => {
    const normal = await addCustomer(t, { reseller: false });
    const res = await t.http.post('/api/v1/rate-plans').set(normal.auth).send({ name: 'Mine' });
    expect(res.status).toBe(403);
    const viaOwner = await t.http.post('/api/v1/rate-plans').set(t.auth).send({ name: 'For normal', ownerId: normal.id });
    expect(viaOwner.status).toBe(403);
  });

  it('creates a plan for a reseller of the tree with ownerId, in its currency by default', async () => {
    const reseller = await addCustomer(t, { currency: 'GBP', login: false });
    const plan = await createPlan(t, t.auth, { ownerId: reseller.id });
    expect(plan).toMatchObject({ ownerId: reseller.id, currency: 'GBP', editable: true });
  });
});
