import type TestAgent from 'supertest/lib/agent';
import { insertPerson } from '../factories/rows';
import { startTestApp, TestApp } from '../helpers/app';
import { csrfOf, postForm, textOf, webLogin } from './admin-helpers';
import { addCustomer, costPlanId, createPlan, HEADER, importDeck, setCustomerPlan } from './rate-plans.fixtures';

describe('rate plan admin pages', () => {
  let t: TestApp;
  let web: TestAgent;
  beforeAll(async () => {
    t = await startTestApp();
    web = await webLogin(t);
  });
  afterAll(() => t.close());

  const planIdFrom = (location: string) => Number(/\/rate-plans\/(\d+)/.exec(location)![1]);

  it('lists plans with search and links to new', async () => {
    await createPlan(t, t.auth, { name: 'Listed Gold' });
    const page = await web.get('/rate-plans?search=Listed');
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Listed Gold');
    expect(text).not.toContain('Carrier costs');
    expect(page.text).toContain('href="/rate-plans/new"');
    expect(textOf((await web.get('/rate-plans')).text)).toMatch(/Carrier costs cost plan/);
  });

  it('creates a plan through the form, with inline errors first', async () => {
    const bad = await postForm(web, '/rate-plans/new', '/rate-plans', {
      name: 'Form plan',
      currency: 'EUR',
      sharing: 'private',
      'fees[signup]': '-1',
      'markups[outboundPerMinute]': '-200',
      maxConcurrentCalls: 'many',
    });
    expect(bad.status).toBe(400);
    const text = textOf(bad.text);
    expect(text).toContain('Nothing was saved');
    expect(bad.text).toMatch(/has-error[\s\S]*fees\[signup\]/);
    expect(text).toMatch(/greater than -100/);
    expect(bad.text).toContain('value="Form plan"');

    const ok = await postForm(web, '/rate-plans/new', '/rate-plans', {
      name: 'Form plan',
      description: 'made on the page',
      currency: 'USD',
      sharing: 'children',
      precision: '3',
      'fees[signup]': '10.00',
      'fees[account]': '',
      billingPeriod: 'quarterly',
      deferBilling: 'true',
      minimumContractMonths: '12',
      'markups[outboundPerMinute]': '20',
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: '5',
      sendInvoices: 'false',
      invoiceFormat: 'xml',
    });
    expect(ok.status).toBe(303);
    const id = planIdFrom(ok.headers.location);
    const api = (await t.http.get(`/api/v1/rate-plans/${id}`).set(t.auth)).body;
    expect(api).toMatchObject({
      name: 'Form plan',
      description: 'made on the page',
      currency: 'USD',
      sharing: 'children',
      precision: 3,
      fees: { signup: '10.00', account: null },
      billingPeriod: 'quarterly',
      deferBilling: true,
      minimumContractMonths: 12,
      markups: { outboundPerMinute: '20', outboundConnect: null },
      dailySpendLimit: 'unlimited',
      maxConcurrentCalls: 5,
      sendInvoices: false,
      invoiceFormat: 'xml',
      externalCallerId: null,
    });
    const detail = textOf((await web.get(`/rate-plans/${id}`)).text);
    expect(detail).toContain('Rate plan “Form plan” created.');
    expect(detail).toMatch(/Account fee 0\.00 \(inherited\)/);
    expect(detail).toMatch(/Outbound per minute 20 %/);
  });

  it('edits a plan: the form shows the values, empty fields go back to inherit', async () => {
    const plan = await createPlan(t, t.auth, { name: 'Editable', precision: 2, fees: { account: '4.00' } });
    const form = await web.get(`/rate-plans/${plan.id}/edit`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="4.00"');
    const saved = await web
      .post(`/rate-plans/${plan.id}/edit`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), name: 'Edited', currency: 'EUR', sharing: 'private', precision: '', 'fees[account]': '5.00' });
    expect(saved.status).toBe(303);
    const api = (await t.http.get(`/api/v1/rate-plans/${plan.id}`).set(t.auth)).body;
    expect(api).toMatchObject({ name: 'Edited', precision: null, fees: { account: '5.00' } });
    const noName = await web
      .post(`/rate-plans/${plan.id}/edit`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), name: '', currency: 'EUR', sharing: 'private' });
    expect(noName.status).toBe(400);
    expect(textOf(noName.text)).toContain('This field is required.');
  });

  it('refuses a form without a CSRF token', async () => {
    const res = await web.post('/rate-plans').type('form').send({ name: 'x', currency: 'EUR', sharing: 'private' });
    expect(res.status).toBe(403);
  });

  it('shows rates with search and paging, and adds, edits and deletes a rate', async () => {
    const plan = await createPlan(t, t.auth, { name: 'With rates' });
    await importDeck(
      t,
      t.auth,
      plan.id,
      `${HEADER}\n49,Germany,0,0,1.20,60,60,0,outbound\n4930,Berlin,0,0,0.90,1,1,0,outbound\n33,France,0,0,0.30,1,1,0,outbound`,
    );
    const all = textOf((await web.get(`/rate-plans/${plan.id}`)).text);
    expect(all).toMatch(/4930 Berlin outbound/);
    expect(all).toMatch(/33 France/);
    const searched = textOf((await web.get(`/rate-plans/${plan.id}?search=ber`)).text);
    expect(searched).toContain('Berlin');
    expect(searched).not.toContain('France');

    const bad = await postForm(web, `/rate-plans/${plan.id}/rates/new`, `/rate-plans/${plan.id}/rates`, {
      prefix: '39x',
      destination: 'Italy',
      direction: 'outbound',
      connectFee: '0',
      includedSeconds: '0',
      perMinute: 'cheap',
      firstBlock: '1',
      increment: '1',
      minimumCharge: '0',
      perMessage: '0',
      priority: '0',
    });
    expect(bad.status).toBe(400);
    expect(textOf(bad.text)).toMatch(/must be 1 to 20 digits/i);
    const added = await postForm(web, `/rate-plans/${plan.id}/rates/new`, `/rate-plans/${plan.id}/rates`, {
      prefix: '39',
      destination: 'Italy',
      direction: 'outbound',
      connectFee: '0.05',
      includedSeconds: '0',
      perMinute: '0.40',
      firstBlock: '30',
      increment: '6',
      minimumCharge: '0',
      perMessage: '0',
      days: '12345',
      startTime: '08:00',
      endTime: '18:00',
      priority: '1',
      validFrom: '2026-01-01',
      validUntil: '2027-01-01 12:00',
    });
    expect(added.status).toBe(303);
    const rates = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates?search=39`).set(t.auth)).body.items;
    expect(rates[0]).toMatchObject({
      prefix: '39',
      perMinute: '0.40',
      firstBlock: 30,
      increment: 6,
      days: '12345',
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2027-01-01T12:00:00.000Z',
    });

    const editPage = await web.get(`/rate-plans/${plan.id}/rates/${rates[0].id}/edit`);
    expect(editPage.text).toContain('value="0.40"');
    const edited = await web
      .post(`/rate-plans/${plan.id}/rates/${rates[0].id}/edit`)
      .type('form')
      .send({
        _csrf: csrfOf(editPage.text),
        prefix: '39',
        destination: 'Italia',
        direction: 'outbound',
        connectFee: '0.05',
        includedSeconds: '0',
        perMinute: '0.45',
        firstBlock: '30',
        increment: '6',
        minimumCharge: '0',
        perMessage: '0',
        priority: '1',
      });
    expect(edited.status).toBe(303);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates/${rates[0].id}`).set(t.auth)).body).toMatchObject({
      destination: 'Italia',
      perMinute: '0.45',
      days: null,
    });

    const csv = await web.get(`/api/v1/rate-plans/${plan.id}/rates.csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('39,Italia,0.05,0,0.45,30,6');
    const detail = await web.get(`/rate-plans/${plan.id}`);
    const deleted = await web
      .post(`/rate-plans/${plan.id}/rates/${rates[0].id}/delete`)
      .type('form')
      .send({ _csrf: csrfOf(detail.text) });
    expect(deleted.status).toBe(303);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates/${rates[0].id}`).set(t.auth)).status).toBe(404);
  });

  it('imports a CSV file: preview with added/changed/removed, then apply', async () => {
    const plan = await createPlan(t, t.auth, { name: 'Import target' });
    await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,1.20,1,1,0,outbound\n33,France,0,0,0.30,1,1,0,outbound`);
    const form = await web.get(`/rate-plans/${plan.id}/import`);
    expect(form.status).toBe(200);
    // No token in any URL (issue #14): the form's action is the bare path, the token its first (hidden) field.
    const action = /<form method="post" enctype="multipart\/form-data" action="([^"]+)"/.exec(form.text)![1];
    expect(action).toBe(`/rate-plans/${plan.id}/import`);
    expect(form.text).not.toMatch(/[?&]_csrf=/);
    const csv = `${HEADER}\n49,Germany,0,0,1.30,1,1,0,outbound\n44,UK,0,0,0.50,1,1,0,outbound\n`;
    const posted = await web
      .post(action)
      .field('_csrf', csrfOf(form.text))
      .attach('file', Buffer.from(csv), { filename: 'deck.csv', contentType: 'text/csv' });
    // Post/Redirect/Get: the preview is a GET page, which a reload shows again without uploading again.
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe(`/rate-plans/${plan.id}/import/preview`);
    const preview = await web.get(posted.headers.location);
    expect(preview.status).toBe(200);
    expect((await web.get(posted.headers.location)).status).toBe(200);
    const text = textOf(preview.text);
    expect(text).toMatch(/Added 1 .*Changed 1 .*Removed 1 .*Unchanged 0/);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.items.map((r: any) => r.prefix)).toEqual([
      '33',
      '49',
    ]);

    const token = /name="token" value="([^"]+)"/.exec(preview.text)![1];
    const applied = await web
      .post(`/rate-plans/${plan.id}/import/apply`)
      .type('form')
      .send({ _csrf: csrfOf(preview.text), token });
    expect(applied.status).toBe(303);
    expect(applied.headers.location).toBe(`/rate-plans/${plan.id}`);
    expect(
      (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.items.map((r: any) => `${r.prefix}:${r.perMinute}`),
    ).toEqual(['44:0.50', '49:1.30']);
    expect(textOf((await web.get(`/rate-plans/${plan.id}`)).text)).toContain('2 rate(s) imported');
    // The same preview cannot be applied twice.
    const again = await web
      .post(`/rate-plans/${plan.id}/import/apply`)
      .type('form')
      .send({ _csrf: csrfOf(preview.text), token });
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/rate-plans/${plan.id}/import`);
  });

  it('lists every bad line of a refused file, and a future start on the preview', async () => {
    const plan = await createPlan(t, t.auth, { name: 'Import errors' });
    const form = await web.get(`/rate-plans/${plan.id}/import`);
    const action = `/rate-plans/${plan.id}/import`;
    const token = csrfOf(form.text);
    const csv = `${HEADER}\n49,Germany,0,0,abc,1,1,0,outbound\n44,UK,0,0,0.50,1,1,0,outbound\n4x,Bad,0,0,1,1,1,0,outbound\n`;
    const res = await web
      .post(action)
      .field('_csrf', token)
      .attach('file', Buffer.from(csv), { filename: 'deck.csv', contentType: 'text/csv' });
    expect(res.status).toBe(400);
    const text = textOf(res.text);
    expect(text).toMatch(/2 bad line\(s\)/);
    expect(text).toMatch(/2 per_minute: must be a decimal amount/);
    expect(text).toMatch(/4 prefix: must be 1 to 20 digits/);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.total).toBe(0);

    const noFile = await web.post(action).field('_csrf', token).field('effectiveFrom', '');
    expect(noFile.status).toBe(400);
    expect(textOf(noFile.text)).toMatch(/choose a CSV file/i);

    const start = new Date(t.clock.now().getTime() + 86_400_000).toISOString().slice(0, 16).replace('T', ' ');
    const future = await web
      .post(action)
      .field('_csrf', token)
      .field('effectiveFrom', start)
      .attach('file', Buffer.from(`${HEADER}\n49,Germany,0,0,1,1,1,0,outbound\n`), { filename: 'd.csv', contentType: 'text/csv' });
    expect(future.status).toBe(303);
    expect(textOf((await web.get(future.headers.location)).text)).toContain(`take effect on ${start} UTC`);
    const noCsrf = await web
      .post(`/rate-plans/${plan.id}/import`)
      .attach('file', Buffer.from(csv), { filename: 'deck.csv', contentType: 'text/csv' });
    expect(noCsrf.status).toBe(403);
    // Refused unless the token comes before the file, is valid, and is not in the URL; a file-less post too.
    const cases = [
      web.post(action).field('_csrf', 'forged').attach('file', Buffer.from(csv), { filename: 'deck.csv', contentType: 'text/csv' }),
      web.post(action).attach('file', Buffer.from(csv), { filename: 'deck.csv', contentType: 'text/csv' }).field('_csrf', token),
      web.post(`${action}?_csrf=${encodeURIComponent(token)}`).attach('file', Buffer.from(csv), { filename: 'd.csv', contentType: 'text/csv' }),
      web.post(action).field('effectiveFrom', ''),
    ];
    for (const refused of cases) expect((await refused).status).toBe(403);
    // Scripts may send the header instead.
    const byHeader = await web
      .post(action)
      .set('X-CSRF-Token', token)
      .attach('file', Buffer.from(`${HEADER}\n49,Germany,0,0,1,1,1,0,outbound\n`), { filename: 'd.csv', contentType: 'text/csv' });
    expect(byHeader.status).toBe(303);
    // Any other page refuses a multipart post without the header (the token check is not skipped there).
    const detail = await web.get(`/rate-plans/${plan.id}`);
    const otherForm = await web.post(`/rate-plans/${plan.id}/edit`).field('_csrf', csrfOf(detail.text)).field('name', 'x');
    expect(otherForm.status).toBe(403);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.total).toBe(0);
  });

  it("looks up a customer's price per level", async () => {
    const cost = await costPlanId(t);
    await importDeck(t, t.auth, cost, `${HEADER}\n49,Germany,0,0,2.00,1,1,0,outbound`);
    const plan = await createPlan(t, t.auth, { name: 'Price page', markups: { outboundPerMinute: '20' } });
    const customer = await addCustomer(t, { reseller: false, login: false });
    await setCustomerPlan(t, customer.id, plan.id);
    const empty = await web.get(`/customers/${customer.id}/price`);
    expect(empty.status).toBe(200);
    const res = await web.get(`/customers/${customer.id}/price?number=%2B4912345&duration=60`);
    expect(res.status).toBe(200);
    const text = textOf(res.text);
    expect(text).toMatch(/level above, marked up 2\.40 EUR/);
    expect(text).toMatch(/Cost \(carriers\).*own rate 2\.00 EUR/);
    const none = await web.get(`/customers/${customer.id}/price?number=861234`);
    expect(none.status).toBe(422);
    expect(textOf(none.text)).toMatch(/No rate for 861234 \(outbound\)/);
    const bad = await web.get(`/customers/${customer.id}/price?number=abc`);
    expect(bad.status).toBe(400);
    expect(textOf(bad.text)).toContain('Give a phone number, e.g. +44 20 7946 0000');
  });

  it('shows a shared plan read-only to a sharee, and refuses its edit pages', async () => {
    const shared = await createPlan(t, t.auth, { name: 'Shared page', sharing: 'recursive' });
    const reseller = await addCustomer(t, { login: false });
    const password = 'a-long-password-1';
    await insertPerson(t, reseller.id, { username: 'page-reseller', displayName: 'R', password });
    const agent = await webLogin(t, 'page-reseller', password);
    const page = await agent.get(`/rate-plans/${shared.id}`);
    expect(page.status).toBe(200);
    expect(textOf(page.text)).toContain('shared with you by its owner');
    expect(page.text).not.toContain(`/rate-plans/${shared.id}/edit`);
    expect((await agent.get(`/rate-plans/${shared.id}/edit`)).status).toBe(403);
    expect((await agent.get(`/rate-plans/${shared.id}/import`)).status).toBe(403);
    const mine = await createPlan(t, t.auth, { name: 'Root private page' });
    expect((await agent.get(`/rate-plans/${mine.id}`)).status).toBe(404);
  });
});
