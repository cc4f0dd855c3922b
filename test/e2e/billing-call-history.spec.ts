import { parse } from 'csv-parse/sync';
import type TestAgent from 'supertest/lib/agent';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { authorize, callId, callTree, cdrBody, creditCustomer, postCdr, update, type CallTree } from '../factories/calls';
import { insertPerson } from '../factories/rows';
import { unique } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { textOf, webLogin } from './admin-helpers';
import { addCustomer, createPlan, HEADER, importDeck, type TestCustomer } from './rate-plans.fixtures';

const HOUR = 3_600_000;

/**
 * A four-level tree: system owner ─ reseller R ─ reseller C ─ customer D. A 61 s UK call of D costs D 3.00
 * (1.50/min, 60/60), C 2.40, R 0.92, and the carriers 0.61 (the cost level).
 */
interface HistoryTree extends CallTree {
  sub: TestCustomer;
  names: Record<'sub' | 'customer' | 'reseller', string>;
}

async function historyTree(t: TestApp): Promise<HistoryTree> {
  const tree = await callTree(t, { customerCredit: '100.00', customer: { reseller: true } });
  const plan = await createPlan(t, tree.customer.auth, { name: unique('Sub plan '), precision: 2 });
  await importDeck(t, tree.customer.auth, plan.id as number, [HEADER, '44,UK,0,0,1.50,60,60,0,outbound'].join('\n'));
  const sub = await addCustomer(t, { parentId: tree.customer.id, reseller: false, ratePlanId: plan.id as number });
  await update(t, sub.id, { billingType: 'prepaid', billingReference: 'REF-D' });
  await creditCustomer(t, sub.id, '100.00');
  const repo = t.dataSource.getRepository(CustomerEntity);
  const name = async (id: number) => (await repo.findOneByOrFail({ id })).name;
  return {
    ...tree,
    sub,
    names: { sub: await name(sub.id), customer: await name(tree.customer.id), reseller: await name(tree.reseller.id) },
  };
}

describe(`call history and active calls on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let tree: HistoryTree;
  /** Start of the fixture's calls: five answered calls an hour apart from here, then one unanswered. */
  let base: Date;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    tree = await historyTree(t);
    base = new Date(Math.floor((t.clock.now().getTime() - 10 * 24 * HOUR) / HOUR) * HOUR);
    for (let i = 0; i < 6; i++) {
      const id = callId('hist');
      ids.push(id);
      const res = await postCdr(t, tree.switchAuth, cdrBody(tree.sub.id, id, i < 5 ? 61 : 0, new Date(base.getTime() + i * HOUR)));
      if (res.status !== 201) throw new Error(`cdr: ${res.status} ${JSON.stringify(res.body)}`);
    }
  });
  afterAll(() => t.close());

  const history = (auth: Record<string, string>, query: Record<string, unknown>) => t.http.get('/api/v1/calls/cdrs').set(auth).query(query);
  const iso = (offsetHours: number) => new Date(base.getTime() + offsetHours * HOUR).toISOString();

  it('pages the calls newest first as { items, page, pageSize, total }', async () => {
    const first = await history(t.auth, { customerId: tree.sub.id, pageSize: 2 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 6 });
    expect(first.body.items.map((c: any) => c.callId)).toEqual([ids[5], ids[4]]);
    const unanswered = first.body.items[0];
    expect(unanswered).toMatchObject({
      customerId: tree.sub.id,
      customerName: tree.names.sub,
      caller: '441632960001',
      called: '442079460000',
      direction: 'outbound',
      status: 'ended',
      startedAt: iso(5),
      answeredAt: null,
      durationSeconds: 0,
      billingReference: 'REF-D',
      charges: [],
    });
    const third = await history(t.auth, { customerId: tree.sub.id, pageSize: 2, page: 3 });
    expect(third.body.items.map((c: any) => c.callId)).toEqual([ids[1], ids[0]]);
    expect(third.body.items[1]).toMatchObject({
      durationSeconds: 61,
      startedAt: iso(0),
      answeredAt: expect.any(String),
      endedAt: expect.any(String),
    });
  });

  it('takes from inclusive and to exclusive on the start time (dates or date-times)', async () => {
    const res = await history(t.auth, { customerId: tree.sub.id, from: iso(1), to: iso(3) });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((c: any) => c.callId)).toEqual([ids[2], ids[1]]);
    const day = base.toISOString().slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);
    const byDay = await history(t.auth, { customerId: tree.sub.id, from: day, to: next });
    expect(byDay.status).toBe(200);
    expect(byDay.body.items.every((c: any) => c.startedAt >= `${day}T` && c.startedAt < `${next}T`)).toBe(true);
    const none = await history(t.auth, { customerId: tree.sub.id, from: iso(100), to: iso(101) });
    expect(none.body).toEqual({ items: [], page: 1, pageSize: 50, total: 0 });
  });

  it('shows each caller the levels at or below its own customer; the cost only to the system owner', async () => {
    const levels = async (auth: Record<string, string>) => {
      const res = await history(auth, { customerId: tree.sub.id, from: iso(0), to: iso(1) });
      expect(res.status).toBe(200);
      return res.body.items[0].charges.map((c: any) => [c.customerId, c.kind, c.amount, c.currency]);
    };
    expect(await levels(t.auth)).toEqual([
      [tree.sub.id, 'charge', '3.00', 'EUR'],
      [tree.customer.id, 'charge', '2.40', 'EUR'],
      [tree.reseller.id, 'charge', '0.92', 'EUR'],
      [1, 'cost', '0.61', 'EUR'],
    ]);
    // R sees its own charge but not the cost.
    expect(await levels(tree.reseller.auth)).toEqual([
      [tree.sub.id, 'charge', '3.00', 'EUR'],
      [tree.customer.id, 'charge', '2.40', 'EUR'],
      [tree.reseller.id, 'charge', '0.92', 'EUR'],
    ]);
    // C, a reseller, does not see what its parent R paid, nor the cost.
    expect(await levels(tree.customer.auth)).toEqual([
      [tree.sub.id, 'charge', '3.00', 'EUR'],
      [tree.customer.id, 'charge', '2.40', 'EUR'],
    ]);
    // D sees its own charge only.
    expect(await levels(tree.sub.auth)).toEqual([[tree.sub.id, 'charge', '3.00', 'EUR']]);
    // Without customerId: the caller's own calls.
    const own = await history(tree.sub.auth, {});
    expect(own.body.total).toBe(6);
  });

  it('answers 404 for a customer outside the caller’s tree (an ancestor, another tree, nobody)', async () => {
    const other = await callTree(t);
    expect((await history(tree.customer.auth, { customerId: tree.reseller.id })).status).toBe(404);
    expect((await history(tree.sub.auth, { customerId: tree.customer.id })).status).toBe(404);
    expect((await history(other.reseller.auth, { customerId: tree.sub.id })).status).toBe(404);
    expect((await history(other.reseller.auth, { customerId: tree.sub.id, format: 'csv' })).status).toBe(404);
    expect((await history(t.auth, { customerId: 999_999_999 })).status).toBe(404);
    expect((await t.http.get('/api/v1/calls/active').set(other.reseller.auth).query({ customerId: tree.reseller.id })).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const bad = async (query: Record<string, unknown>, field: string) => {
      const res = await history(t.auth, { customerId: tree.sub.id, ...query });
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 400, code: 'validation_failed' });
      expect(res.body.details.map((d: any) => d.field)).toContain(field);
    };
    await bad({ from: 'yesterday' }, 'from');
    await bad({ to: '2026-02-30' }, 'to');
    await bad({ from: '2026-11-25T19:00:00' }, 'from'); // no offset
    await bad({ from: iso(2), to: iso(2) }, 'to');
    await bad({ from: iso(3), to: iso(1) }, 'to');
    await bad({ from: iso(3), to: iso(1), format: 'csv' }, 'to');
    await bad({ pageSize: 0 }, 'pageSize');
    await bad({ pageSize: 501 }, 'pageSize');
    await bad({ format: 'xml' }, 'format');
    await bad({ customerId: 'x' }, 'customerId');
  });

  it('exports the range as CSV with a column pair per visible ancestor level, parsed back', async () => {
    const res = await history(t.auth, { customerId: tree.sub.id, from: iso(0), to: iso(6), format: 'csv' }).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`calls-${tree.sub.id}-`);
    const rows = parse(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual([
      'call_id',
      'started_at',
      'answered_at',
      'ended_at',
      'duration',
      'caller',
      'called',
      'direction',
      'billing_reference',
      'charge',
      'currency',
      'level1_customer_id',
      'level1_charge',
      'level1_currency',
      'level2_customer_id',
      'level2_charge',
      'level2_currency',
      'cost',
      'cost_currency',
    ]);
    // Oldest first, every call of the range.
    expect(rows.map((r) => r.call_id)).toEqual(ids);
    expect(rows[0]).toMatchObject({
      started_at: iso(0),
      duration: '61',
      caller: '441632960001',
      called: '442079460000',
      direction: 'outbound',
      billing_reference: 'REF-D',
      charge: '3.00',
      currency: 'EUR',
      level1_customer_id: String(tree.customer.id),
      level1_charge: '2.40',
      level2_customer_id: String(tree.reseller.id),
      level2_charge: '0.92',
      cost: '0.61',
      cost_currency: 'EUR',
    });
    expect(rows[5]).toMatchObject({ answered_at: '', duration: '0', charge: '0.00', level1_charge: '0.00', cost: '' });

    // C sees no ancestor column above itself and no cost.
    const asC = await history(tree.customer.auth, { customerId: tree.sub.id, format: 'csv' }).buffer(true);
    const cRows = parse(asC.text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(cRows[0]).slice(9)).toEqual(['charge', 'currency', 'level1_customer_id', 'level1_charge', 'level1_currency']);
    expect(cRows).toHaveLength(6);
    // An empty range is the header alone.
    const empty = await history(t.auth, { customerId: tree.sub.id, from: iso(100), format: 'csv' }).buffer(true);
    expect(empty.status).toBe(200);
    expect(parse(empty.text)).toHaveLength(1);
  });

  it('lists active calls of a customer and its subtree with the reservation of each visible level', async () => {
    const id = callId('active');
    const ok = await authorize(t, tree.switchAuth, { callId: id, customerId: tree.sub.id });
    expect(ok.body).toMatchObject({ allowed: true });
    const active = async (auth: Record<string, string>, customerId?: number) => {
      const res = await t.http
        .get('/api/v1/calls/active')
        .set(auth)
        .query(customerId ? { customerId } : {});
      expect(res.status).toBe(200);
      return res.body;
    };
    const asR = await active(tree.reseller.auth);
    expect(asR).toMatchObject({ page: 1, pageSize: 50, total: 1 });
    const call = asR.items[0];
    expect(call).toMatchObject({
      callId: id,
      customerId: tree.sub.id,
      customerName: tree.names.sub,
      direction: 'outbound',
      maxDurationSeconds: ok.body.maxDurationSeconds,
      authorizedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(call.expiresAt) - Date.parse(call.authorizedAt)).toBe((ok.body.maxDurationSeconds + 300) * 1000);
    expect(call.levels.map((l: any) => [l.customerId, l.kind])).toEqual([
      [tree.sub.id, 'charge'],
      [tree.customer.id, 'charge'],
      [tree.reseller.id, 'charge'],
    ]);
    expect(call.levels.every((l: any) => Number(l.reserved) > 0 && l.currency === 'EUR')).toBe(true);
    // C sees the call, without R's level; D sees it with its own level only.
    expect((await active(tree.customer.auth)).items[0].levels.map((l: any) => l.customerId)).toEqual([tree.sub.id, tree.customer.id]);
    expect((await active(tree.sub.auth)).items[0].levels.map((l: any) => l.customerId)).toEqual([tree.sub.id]);
    // The system owner, asking for R's subtree.
    expect((await active(t.auth, tree.reseller.id)).items.map((c: any) => c.callId)).toEqual([id]);
    // A sibling subtree has none.
    const sibling = await addCustomer(t, { parentId: tree.reseller.id });
    expect((await active(tree.reseller.auth, sibling.id)).total).toBe(0);

    const cdr = await postCdr(t, tree.switchAuth, cdrBody(tree.sub.id, id, 10, new Date(t.clock.now().getTime() - 60_000)));
    expect(cdr.status).toBe(201);
    expect((await active(tree.reseller.auth)).total).toBe(0);
  });

  it('is described in the OpenAPI document: parameters, text/csv, error answers', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    const op = doc.paths['/api/v1/calls/cdrs'].get;
    expect(op.summary).toBeTruthy();
    expect(op.description).toContain('level<k>_customer_id');
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['customerId', 'from', 'to', 'page', 'pageSize', 'format']),
    );
    expect(Object.keys(op.responses['200'].content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    const active = doc.paths['/api/v1/calls/active'].get;
    expect(Object.keys(active.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect(Object.keys(doc.components.schemas.ActiveCallDto.properties)).toEqual(
      expect.arrayContaining(['authorizedAt', 'maxDurationSeconds', 'expiresAt', 'levels']),
    );
  });

  describe('admin pages', () => {
    let web: TestAgent;
    const password = 'a-long-password-1';

    beforeAll(async () => {
      const username = unique('callsweb');
      await insertPerson(t, tree.customer.id, { username, password });
      web = await webLogin(t, username, password);
    });

    it('Call history: the customer picker, per-level charges, totals of the page and the CSV link', async () => {
      const res = await web.get('/call-history').query({ customerId: tree.sub.id, from: base.toISOString().slice(0, 10), to: iso(6) });
      expect(res.status).toBe(200);
      expect(res.text).toContain('href="/call-history"');
      expect(res.text).toContain('href="/active-calls"');
      const text = textOf(res.text);
      // Columns: D's own and C's (the viewer) charges; not R's, not the cost.
      expect(text).toContain(`${tree.names.sub} ${tree.names.customer}`);
      expect(text).not.toContain(tree.names.reseller);
      expect(text).not.toContain('Cost');
      expect(text).toContain('3.00 EUR');
      expect(text).toContain('2.40 EUR');
      expect(text).not.toContain('0.92');
      // Five answered calls on the page: 15.00 and 12.00.
      expect(text).toContain('Total of this page 15.00 EUR 12.00 EUR');
      expect(text).toContain('unanswered');
      // The picker offers the viewer's tree only.
      expect(res.text).toContain(`<option value="${tree.sub.id}" selected>`);
      expect(res.text).not.toContain(`<option value="${tree.reseller.id}"`);
      const link = /href="(\/api\/v1\/calls\/cdrs\?[^"]+)"/
        .exec(res.text)![1]
        .replace(/&amp;/g, '&')
        .replace(/&#x3D;/g, '=');
      expect(link).toContain(`customerId=${tree.sub.id}`);
      expect(link).toContain('format=csv');
      const csv = await web.get(link).buffer(true);
      expect(csv.status).toBe(200);
      expect(parse(csv.text, { columns: true })).toHaveLength(6);
    });

    it('Call history: bad dates inline (400), a customer outside the tree is a 404', async () => {
      const res = await web.get('/call-history').query({ customerId: tree.sub.id, from: 'soon', to: '2026-13-01' });
      expect(res.status).toBe(400);
      const text = textOf(res.text);
      expect(text).toContain('From Must be a date (2026-11-25) or an ISO 8601 date-time');
      expect(text).toContain('To Must be a date (2026-11-25) or an ISO 8601 date-time');
      expect(text).not.toContain('Nothing was saved');
      expect(res.text).toContain('value="soon"');
      const order = await web.get('/call-history').query({ from: '2026-12-01', to: '2026-11-01' });
      expect(order.status).toBe(400);
      expect(textOf(order.text)).toContain('Must be after from.');
      expect((await web.get('/call-history').query({ customerId: tree.reseller.id })).status).toBe(404);
    });

    it('Active calls: the subtree’s calls with the customer linked', async () => {
      const id = callId('page');
      expect((await authorize(t, tree.switchAuth, { callId: id, customerId: tree.sub.id })).body.allowed).toBe(true);
      const res = await web.get('/active-calls');
      expect(res.status).toBe(200);
      expect(res.text).toContain(`<a href="/customers/${tree.sub.id}">${tree.names.sub}</a>`);
      expect(res.text).toContain(id);
      expect(textOf(res.text)).not.toContain(tree.names.reseller);
      const cdr = await postCdr(t, tree.switchAuth, cdrBody(tree.sub.id, id, 5, new Date(t.clock.now().getTime() - 60_000)));
      expect(cdr.status).toBe(201);
      expect(textOf((await web.get('/active-calls')).text)).toContain('No call in progress.');
    });
  });
});
