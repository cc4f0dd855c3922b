import { startTestApp, TestApp } from '../helpers/app';
import { addCustomer, createPlan, rateCounts } from './rate-plans.fixtures';

describe('rates: single-rate CRUD (HTTP)', () => {
  let t: TestApp;
  let planId: number;
  beforeAll(async () => {
    t = await startTestApp();
    planId = (await createPlan(t, t.auth, { name: 'Rates' })).id;
  });
  afterAll(() => t.close());

  const url = (suffix = '') => `/api/v1/rate-plans/${planId}/rates${suffix}`;

  it('adds a rate with defaults, reads it, lists it', async () => {
    const res = await t.http.post(url()).set(t.auth).send({ prefix: '49', destination: 'Germany', perMinute: '1.20' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      deckId: expect.any(Number),
      prefix: '49',
      destination: 'Germany',
      direction: 'outbound',
      connectFee: '0.00',
      includedSeconds: 0,
      perMinute: '1.20',
      firstBlock: 1,
      increment: 1,
      minimumCharge: '0.00',
      perMessage: '0.00',
      days: null,
      startTime: null,
      endTime: null,
      priority: 0,
      validFrom: null,
      validUntil: null,
    });
    expect((await t.http.get(url(`/${res.body.id}`)).set(t.auth)).body).toEqual(res.body);
    const list = await t.http.get(url()).set(t.auth);
    expect(list.body.items).toEqual([res.body]);
    expect(list.body.deck).toMatchObject({ status: 'active', rateCount: 1, source: 'manual', effectiveFrom: '1970-01-01T00:00:00.000Z' });
    expect((await t.http.get(`/api/v1/rate-plans/${planId}`).set(t.auth)).body.rateCount).toBe(1);
  });

  it('stores every field exactly', async () => {
    const body = {
      prefix: '4930',
      destination: 'Berlin, "Mitte" ü',
      direction: 'inbound',
      connectFee: '0.012345',
      includedSeconds: 30,
      perMinute: '9007199254.740991',
      firstBlock: 30,
      increment: 6,
      minimumCharge: '0.50',
      perMessage: '0.09',
      days: '51',
      startTime: '22:00',
      endTime: '06:00',
      priority: -2,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2026-07-01T12:34:56.789Z',
    };
    const res = await t.http.post(url()).set(t.auth).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...body, days: '15', perMinute: '9007199254.740991' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing prefix', { prefix: undefined }, 'prefix'],
    ['missing destination', { destination: undefined }, 'destination'],
    ['missing per minute', { perMinute: undefined }, 'perMinute'],
    ['non-digit prefix', { prefix: '49a' }, 'prefix'],
    ['prefix with plus', { prefix: '+49' }, 'prefix'],
    ['prefix too long', { prefix: '1'.repeat(21) }, 'prefix'],
    ['prefix as number', { prefix: 49 }, 'prefix'],
    ['negative price', { perMinute: '-0.10' }, 'perMinute'],
    ['price as number', { perMinute: 1.2 }, 'perMinute'],
    ['price with exponent', { perMinute: '1e2' }, 'perMinute'],
    ['price with 7 decimals', { connectFee: '0.0000001' }, 'connectFee'],
    ['negative first block', { firstBlock: -1 }, 'firstBlock'],
    ['zero increment', { increment: 0 }, 'increment'],
    ['fractional included seconds', { includedSeconds: 1.5 }, 'includedSeconds'],
    ['bad direction', { direction: 'both' }, 'direction'],
    ['bad days', { days: '8' }, 'days'],
    ['repeated days', { days: '11' }, 'days'],
    ['bad start time', { startTime: '25:00' }, 'startTime'],
    ['equal band ends', { startTime: '08:00', endTime: '08:00' }, 'endTime'],
    ['bad valid from', { validFrom: 'tomorrow' }, 'validFrom'],
    ['valid until before valid from', { validFrom: '2026-02-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }, 'validUntil'],
    ['formula destination', { destination: '=HYPERLINK("x")' }, 'destination'],
    ['unknown field', { colour: 'red' }, 'colour'],
  ])('refuses %s (400 naming the field) and stores nothing', async (_n, change, field) => {
    const before = await rateCounts(t);
    const res = await t.http
      .post(url())
      .set(t.auth)
      .send({ prefix: '33', destination: 'France', perMinute: '0.50', ...change });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await rateCounts(t)).toEqual(before);
  });

  it('refuses a second rate with the same prefix, direction, band and validity (409), but not a different band', async () => {
    const first = await t.http.post(url()).set(t.auth).send({ prefix: '44', destination: 'UK', perMinute: '0.50' });
    expect(first.status).toBe(201);
    const dup = await t.http.post(url()).set(t.auth).send({ prefix: '44', destination: 'UK again', perMinute: '0.60', days: '1234567' });
    expect(dup.status).toBe(409);
    expect(dup.body.details[0].field).toBe('prefix');
    const weekend = await t.http.post(url()).set(t.auth).send({ prefix: '44', destination: 'UK weekend', perMinute: '0.30', days: '67' });
    expect(weekend.status).toBe(201);
    const inbound = await t.http
      .post(url())
      .set(t.auth)
      .send({ prefix: '44', destination: 'UK in', perMinute: '0.01', direction: 'inbound' });
    expect(inbound.status).toBe(201);
    // Changing the weekend rate into a copy of the first is the same clash.
    const clash = await t.http
      .patch(url(`/${weekend.body.id}`))
      .set(t.auth)
      .send({ days: null });
    expect(clash.status).toBe(409);
  });

  it('changes a rate with PATCH (null clears), validates the merged rate, and audits', async () => {
    const created = (
      await t.http
        .post(url())
        .set(t.auth)
        .send({ prefix: '39', destination: 'Italy', perMinute: '0.40', days: '12345', startTime: '08:00', endTime: '18:00' })
    ).body;
    const res = await t.http
      .patch(url(`/${created.id}`))
      .set(t.auth)
      .send({ perMinute: '0.45', destination: 'Italia', days: null, startTime: null, endTime: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: created.id,
      perMinute: '0.45',
      destination: 'Italia',
      days: null,
      startTime: null,
      endTime: null,
      prefix: '39',
    });
    const bad = await t.http
      .patch(url(`/${created.id}`))
      .set(t.auth)
      .send({ increment: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('increment');
    expect((await t.http.get(url(`/${created.id}`)).set(t.auth)).body.increment).toBe(1);
    const audit = await t.dataSource.query("SELECT action FROM audit_log WHERE entity_type = 'rate' AND entity_id = ? ORDER BY id", [
      String(created.id),
    ]);
    expect(audit.map((a: any) => a.action)).toEqual(['rate_created', 'rate_updated']);
  });

  it('deletes a rate (then 404) and keeps the deck count right', async () => {
    const created = (await t.http.post(url()).set(t.auth).send({ prefix: '31', destination: 'NL', perMinute: '0.40' })).body;
    const before = (await t.http.get(url()).set(t.auth)).body.deck.rateCount;
    expect((await t.http.delete(url(`/${created.id}`)).set(t.auth)).status).toBe(204);
    expect((await t.http.get(url(`/${created.id}`)).set(t.auth)).status).toBe(404);
    expect((await t.http.delete(url(`/${created.id}`)).set(t.auth)).status).toBe(404);
    expect((await t.http.get(url()).set(t.auth)).body.deck.rateCount).toBe(before - 1);
  });

  it('does not reach a rate through another plan', async () => {
    const other = await createPlan(t, t.auth, { name: 'Other' });
    const created = (await t.http.post(url()).set(t.auth).send({ prefix: '32', destination: 'BE', perMinute: '0.40' })).body;
    expect((await t.http.get(`/api/v1/rate-plans/${other.id}/rates/${created.id}`).set(t.auth)).status).toBe(404);
    expect((await t.http.patch(`/api/v1/rate-plans/${other.id}/rates/${created.id}`).set(t.auth).send({ perMinute: '1.00' })).status).toBe(
      404,
    );
    expect((await t.http.delete(`/api/v1/rate-plans/${other.id}/rates/${created.id}`).set(t.auth)).status).toBe(404);
  });

  it('searches by prefix (digits: starts with) and destination (contains), with paging', async () => {
    const plan = await createPlan(t, t.auth, { name: 'Search' });
    const add = (prefix: string, destination: string) =>
      t.http.post(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth).send({ prefix, destination, perMinute: '0.10' });
    await add('4930', 'Berlin');
    await add('4989', 'Munich');
    await add('49', 'Germany');
    await add('33', 'France 49ers');
    await add('34', '50% Spain_');
    const search = async (q: string) =>
      (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates?search=${encodeURIComponent(q)}`).set(t.auth)).body.items.map(
        (r: any) => r.prefix,
      );
    expect(await search('49')).toEqual(['33', '49', '4930', '4989']);
    expect(await search('493')).toEqual(['4930']);
    expect(await search('+493')).toEqual(['4930']);
    expect(await search('mun')).toEqual(['4989']);
    expect(await search('%')).toEqual(['34']);
    expect(await search('_')).toEqual(['34']);
    const page = await t.http.get(`/api/v1/rate-plans/${plan.id}/rates?pageSize=2&page=2`).set(t.auth);
    expect(page.body).toMatchObject({ page: 2, pageSize: 2, total: 5 });
    expect(page.body.items.map((r: any) => r.prefix)).toEqual(['49', '4930']);
  });

  it('lets only the owner change rates: a sharee gets 403, another branch 404', async () => {
    const shared = await createPlan(t, t.auth, { name: 'Shared rates', sharing: 'recursive' });
    const rate = (
      await t.http.post(`/api/v1/rate-plans/${shared.id}/rates`).set(t.auth).send({ prefix: '1', destination: 'NANP', perMinute: '0.01' })
    ).body;
    const reseller = await addCustomer(t);
    expect((await t.http.get(`/api/v1/rate-plans/${shared.id}/rates/${rate.id}`).set(reseller.auth)).status).toBe(200);
    expect(
      (await t.http.patch(`/api/v1/rate-plans/${shared.id}/rates/${rate.id}`).set(reseller.auth).send({ perMinute: '0.00' })).status,
    ).toBe(403);
    expect((await t.http.delete(`/api/v1/rate-plans/${shared.id}/rates/${rate.id}`).set(reseller.auth)).status).toBe(403);
    const own = await createPlan(t, reseller.auth, { name: 'Reseller own' });
    const other = await addCustomer(t);
    expect(
      (await t.http.post(`/api/v1/rate-plans/${own.id}/rates`).set(other.auth).send({ prefix: '1', destination: 'x', perMinute: '1' }))
        .status,
    ).toBe(404);
  });
});
