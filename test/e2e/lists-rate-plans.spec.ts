import { parse } from 'csv-parse/sync';
import { startTestApp, TestApp } from '../helpers/app';
import { textOf, webLogin } from './admin-helpers';
import { createPlan, HEADER, importDeck } from './rate-plans.fixtures';

/**
 * Rates found by a number as people write it, by prefix or by destination (issue #14 item 7), rate plans
 * and rates sorted, filtered and exported as CSV (item 9), through the API and the pages.
 */
describe('lists: rate plans and rates', () => {
  let t: TestApp;
  let planId: number;

  beforeAll(async () => {
    t = await startTestApp();
    planId = (await createPlan(t, t.auth, { name: 'Lists Alpha', currency: 'GBP', sharing: 'children' })).id;
    await createPlan(t, t.auth, { name: 'Lists Bravo', currency: 'EUR', sharing: 'private' });
    await importDeck(
      t,
      t.auth,
      planId,
      [
        HEADER,
        '44,United Kingdom,0,0,0.10,1,1,0,outbound',
        '4420,United Kingdom London,0,0,0.05,1,1,0,outbound',
        '442079,London Westminster,0,0,0.04,1,1,0,outbound',
        '447,United Kingdom Mobile,0.01,0,0.20,1,1,0,outbound',
        '49,Germany,0,0,0.08,1,1,0,outbound',
        '4420,United Kingdom London,0,0,0.01,1,1,0,inbound',
      ].join('\n'),
    );
  });
  afterAll(() => t.close());

  const rates = (q: Record<string, unknown>) => t.http.get(`/api/v1/rate-plans/${planId}/rates`).query(q).set(t.auth);
  const keys = async (q: Record<string, unknown>) =>
    ((await rates(q).expect(200)).body.items as Array<{ prefix: string; direction: string }>).map((r) => `${r.prefix}/${r.direction[0]}`);

  it('finds the rates a number written in any usual way could use, a prefix’s longer prefixes, a destination by text', async () => {
    // Same prefix: the older rate (outbound, imported first) first.
    const london = ['44/o', '4420/o', '4420/i', '442079/o'];
    for (const typed of ['+44 20 7946 0000', '0044 (20) 7946-0000', '442079460000']) {
      expect([typed, await keys({ search: typed })]).toEqual([typed, london]);
    }
    // A short one is a prefix: its longer prefixes only.
    expect(await keys({ search: '+44 20' })).toEqual(['4420/o', '4420/i', '442079/o']);
    expect(await keys({ search: '447' })).toEqual(['447/o']);
    expect(await keys({ search: '+44 7700 900123' })).toEqual(['44/o', '447/o']);
    expect(await keys({ search: 'mobile' })).toEqual(['447/o']);
    expect(await keys({ search: 'germ' })).toEqual(['49/o']);
  });

  it('filters by direction and sorts by any column both ways, ties by id', async () => {
    expect(await keys({ direction: 'inbound' })).toEqual(['4420/i']);
    expect(await keys({ sort: '-perMinute', direction: 'outbound' })).toEqual(['447/o', '44/o', '49/o', '4420/o', '442079/o']);
    expect(await keys({ sort: 'destination', search: 'london' })).toEqual(['442079/o', '4420/o', '4420/i']);
    expect(await keys({ sort: '-connectFee', pageSize: 1 })).toEqual(['447/o']);
    const bad = await rates({ sort: 'planId' }).expect(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field: 'sort' })] });
    expect((await rates({ direction: 'sideways' }).expect(400)).body.details[0].field).toBe('direction');
  });

  it('exports the rates as listed, with ?format=csv and with Accept: text/csv', async () => {
    const csv = await rates({ format: 'csv', search: '+44 20 7946 0000', sort: '-perMinute' }).expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="rate-plan-${planId}-rates.csv"`);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.prefix, r.direction, r.per_minute])).toEqual([
      ['44', 'outbound', '0.10'],
      ['4420', 'outbound', '0.05'],
      ['442079', 'outbound', '0.04'],
      ['4420', 'inbound', '0.01'],
    ]);
    const accepted = await rates({ search: '+44 20 7946 0000', sort: '-perMinute' }).set('Accept', 'text/csv').expect(200);
    expect(accepted.text).toBe(csv.text);
  });

  it('rate plans: filter by sharing and currency, sort, CSV', async () => {
    const plans = (q: Record<string, unknown>) => t.http.get('/api/v1/rate-plans').query(q).set(t.auth);
    const names = async (q: Record<string, unknown>) =>
      ((await plans(q).expect(200)).body.items as Array<{ name: string }>).map((p) => p.name).filter((n) => n.startsWith('Lists '));
    expect(await names({ sort: 'name' })).toEqual(['Lists Alpha', 'Lists Bravo']);
    expect(await names({ sort: '-name' })).toEqual(['Lists Bravo', 'Lists Alpha']);
    expect(await names({ currency: 'EUR', search: 'lists' })).toEqual(['Lists Bravo']);
    expect(await names({ sharing: 'children' })).toEqual(['Lists Alpha']);
    const csv = await plans({ search: 'lists', sort: '-currency' }).set('Accept', 'text/csv').expect(200);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.name, r.currency, r.sharing, r.rate_count])).toEqual([
      ['Lists Alpha', 'GBP', 'children', '6'],
      ['Lists Bravo', 'EUR', 'private', '0'],
    ]);
    expect((await plans({ sort: 'ownerCustomerId' }).expect(400)).body.details[0].field).toBe('sort');
    expect((await plans({ currency: 'euro' }).expect(400)).body.details[0].field).toBe('currency');
  });

  it('the pages: sortable rate table with a direction filter and an export link; paging past the end', async () => {
    const agent = await webLogin(t);
    const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    const page = await agent.get(`/rate-plans/${planId}`).query({ search: '+44 20 7946 0000', direction: 'outbound', sort: '-perMinute' }).expect(200);
    const text = textOf(page.text);
    expect(text.indexOf('United Kingdom London')).toBeLessThan(text.indexOf('London Westminster'));
    expect(text).not.toContain('Mobile');
    expect(html(page)).toContain('aria-sort="descending" class="num"><a class="sort-link" href="/rate-plans/');
    const csvUrl = /class="btn export-csv" href="([^"]+)" download>Export CSV/.exec(html(page))![1];
    expect(csvUrl).toBe(`/api/v1/rate-plans/${planId}/rates?format=csv&search=+44 20 7946 0000&direction=outbound&sort=-perMinute`.replace(/ /g, '+').replace('=+44', '=%2B44'));
    const csv = await agent.get(csvUrl).expect(200);
    expect(csv.text.trim().split('\n')).toHaveLength(4);
    const past = await agent.get(`/rate-plans/${planId}`).query({ page: 5 }).expect(200);
    expect(textOf(past.text)).toContain('There is no page 5: the list has 6 entries on 1 page.');
    expect(textOf(past.text)).not.toContain('no rates of its own');

    const list = await agent.get('/rate-plans').query({ sharing: 'private', sort: '-name' }).expect(200);
    expect(textOf(list.text)).toContain('Lists Bravo');
    expect(textOf(list.text)).not.toContain('Lists Alpha');
    expect(html(list)).toContain('href="/api/v1/rate-plans?format=csv&sharing=private&sort=-name" download');
  });
});
