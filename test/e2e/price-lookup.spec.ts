import { RatingService } from '../../src/modules/rate-plans/rating.service';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { startTestApp, TestApp } from '../helpers/app';
import { textOf } from './admin-helpers';
import { addCustomer, costPlanId, createPlan, FULL_HEADER, HEADER, importDeck, setCustomerPlan, TestCustomer } from './rate-plans.fixtures';

describe('price lookup and the rating engine (HTTP)', () => {
  let t: TestApp;
  let cost: number;
  // root ─ reseller (plan "owner20": +20%, owned by root) ─ customer (plan "reseller10": +10%, owned by reseller)
  let reseller: TestCustomer;
  let customer: TestCustomer;
  let owner20: Record<string, any>;
  let reseller10: Record<string, any>;

  beforeAll(async () => {
    t = await startTestApp();
    cost = await costPlanId(t);
    await importDeck(
      t,
      t.auth,
      cost,
      [
        FULL_HEADER,
        '49,Germany,0,0,2.00,1,1,0,outbound,0.10,,,,0,,',
        '4930,Berlin,0.10,0,1.20,60,60,0,outbound,,,,,0,,',
        '4989,Munich,0,0,1.00,30,6,0,outbound,,12345,08:00,18:00,0,,',
        '44,UK,0,0,0.50,1,1,0,inbound,,,,,0,,',
        '33,France weekdays,0,0,0.30,1,1,0,outbound,,12345,,,0,,',
        '33,France weekend,0,0,0.10,1,1,0,outbound,,67,,,1,,',
        '39,Italy old,0,0,0.40,1,1,0,outbound,,,,,0,,2026-06-01',
        '39,Italy new,0,0,0.45,1,1,0,outbound,,,,,0,2026-06-01,',
      ].join('\n'),
    );
    reseller = await addCustomer(t);
    owner20 = await createPlan(t, t.auth, {
      name: 'owner +20%',
      sharing: 'children',
      precision: 2,
      markups: { outboundPerMinute: '20', outboundConnect: '20', inboundPerMinute: '20' },
    });
    await setCustomerPlan(t, reseller.id, owner20.id);
    customer = await addCustomer(t, { parentId: reseller.id, reseller: false });
    reseller10 = await createPlan(t, reseller.auth, {
      name: 'reseller +10%',
      precision: 2,
      markups: { outboundPerMinute: '10', outboundConnect: '10', inboundPerMinute: '10' },
    });
    await setCustomerPlan(t, customer.id, reseller10.id);
  });
  afterAll(() => t.close());

  const price = (auth: { Authorization: string }, customerId: number, query: string) =>
    t.http.get(`/api/v1/customers/${customerId}/price?${query}`).set(auth);
  const perLevel = (body: any) => body.levels.map((l: any) => [l.customerId, l.perMinute, l.price, l.source]);

  it("follows Enswitch's example: cost 2.00/min, system owner +20% = 2.40, reseller +10% = 2.64", async () => {
    const res = await price(t.auth, customer.id, 'number=%2B49891234567&duration=60&at=2026-11-07T12:00:00Z');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ number: '49891234567', direction: 'outbound', at: '2026-11-07T12:00:00.000Z', duration: 60 });
    expect(perLevel(res.body)).toEqual([
      [customer.id, '2.64', '2.64', 'markup'],
      [reseller.id, '2.40', '2.40', 'markup'],
      [1, '2.00', '2.00', 'own'],
    ]);
    expect(res.body.levels[0]).toMatchObject({
      ratePlanId: reseller10.id,
      currency: 'EUR',
      prefix: '49',
      destination: 'Germany',
      connectFee: '0.00',
      includedSeconds: 0,
      firstBlock: 1,
      increment: 1,
      minimumCharge: '0.00',
      perMessage: '0.10',
      precision: 2,
      cost: false,
    });
    expect(res.body.levels[2]).toMatchObject({ ratePlanId: cost, cost: true, precision: 6 });
  });

  it('uses a level’s own rate where its plan has one, and marks up from there below it', async () => {
    const plan = await createPlan(t, t.auth, { name: 'own rate', sharing: 'children', markups: { outboundPerMinute: '20' } });
    await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany special,0,0,2.50,1,1,0,outbound`);
    await setCustomerPlan(t, reseller.id, plan.id);
    try {
      const res = await price(t.auth, customer.id, 'number=4912345&duration=60&at=2026-11-07T12:00:00Z');
      expect(perLevel(res.body)).toEqual([
        [customer.id, '2.75', '2.75', 'markup'],
        [reseller.id, '2.50', '2.50', 'own'],
        [1, '2.00', '2.00', 'own'],
      ]);
      expect(res.body.levels[1].destination).toBe('Germany special');
    } finally {
      await setCustomerPlan(t, reseller.id, owner20.id);
    }
  });

  it('prices calls exactly as DOMAIN.md says (first block, increment, connect fee, precision)', async () => {
    // Berlin: 1.20/min, 0.10 connect, 60/60 billing; at the cost plan's precision (6).
    const berlin = await price(t.auth, 1, 'number=4930555&duration=61&at=2026-11-07T12:00:00Z');
    expect(berlin.body.levels).toHaveLength(1);
    expect(berlin.body.levels[0]).toMatchObject({ prefix: '4930', price: '2.50', cost: true });
    // Munich: 1.00/min, 30/6 billing, weekdays 08:00-18:00 (UTC system zone): 37 s bills 42 s = 0.70.
    const munich = await price(t.auth, 1, 'number=4989555&duration=37&at=2026-11-09T12:00:00Z');
    expect(munich.body.levels[0]).toMatchObject({ prefix: '4989', price: '0.70' });
    const short = await price(t.auth, 1, 'number=4989555&duration=5&at=2026-11-09T12:00:00Z');
    expect(short.body.levels[0].price).toBe('0.50');
    const zero = await price(t.auth, 1, 'number=4989555&duration=0&at=2026-11-09T12:00:00Z');
    expect(zero.body.levels[0].price).toBe('0.00');
    const noDuration = await price(t.auth, 1, 'number=4989555&at=2026-11-09T12:00:00Z');
    expect(noDuration.body.levels[0].price).toBeNull();
    expect(noDuration.body.duration).toBeNull();
    // The customer's plan rounds to 2 places: 37 s of 2.64/min = 1.628 -> 1.63.
    const rounded = await price(t.auth, customer.id, 'number=4912345&duration=37&at=2026-11-07T12:00:00Z');
    expect(rounded.body.levels.map((l: any) => l.price)).toEqual(['1.63', '1.48', '1.233333']);
  });

  it('picks the longest prefix, then the time band and priority covering the call, in the system time zone', async () => {
    const at = async (when: string, number = '4989123') =>
      (await price(t.auth, 1, `number=${number}&at=${encodeURIComponent(when)}`)).body.levels[0];
    // Munich's band is weekdays 08:00-18:00; outside it Germany (the shorter prefix) applies.
    expect((await at('2026-11-09T08:00:00Z')).prefix).toBe('4989');
    expect((await at('2026-11-09T07:59:59Z')).prefix).toBe('49');
    expect((await at('2026-11-09T18:00:00Z')).prefix).toBe('49');
    expect((await at('2026-11-07T12:00:00Z')).prefix).toBe('49'); // Saturday
    // France: the weekend rate has the higher priority but only covers Saturday and Sunday.
    expect((await at('2026-11-07T12:00:00Z', '331234')).destination).toBe('France weekend');
    expect((await at('2026-11-09T12:00:00Z', '331234')).destination).toBe('France weekdays');

    await t.dataSource.query("UPDATE system_settings SET timezone = 'America/New_York' WHERE id = 1");
    try {
      // 13:30Z is 08:30 in New York (EST): inside the band; 12:30Z is 07:30: outside.
      expect((await at('2026-11-09T13:30:00Z')).prefix).toBe('4989');
      expect((await at('2026-11-09T12:30:00Z')).prefix).toBe('49');
      // Saturday 02:00Z is still Friday evening in New York.
      expect((await at('2026-11-07T02:00:00Z', '331234')).destination).toBe('France weekdays');
    } finally {
      await t.dataSource.query("UPDATE system_settings SET timezone = 'UTC' WHERE id = 1");
    }
  });

  it('respects validity: valid_until is exclusive, valid_from inclusive', async () => {
    const italy = async (when: string) => (await price(t.auth, 1, `number=39061234&at=${when}`)).body.levels[0].destination;
    expect(await italy('2026-05-31T23:59:59Z')).toBe('Italy old');
    expect(await italy('2026-06-01T00:00:00Z')).toBe('Italy new');
  });

  it('rates inbound calls with inbound rates and markups', async () => {
    const res = await price(t.auth, customer.id, 'number=441234&direction=inbound&duration=60&at=2026-11-07T12:00:00Z');
    expect(res.status).toBe(200);
    expect(perLevel(res.body)).toEqual([
      [customer.id, '0.66', '0.66', 'markup'],
      [reseller.id, '0.60', '0.60', 'markup'],
      [1, '0.50', '0.50', 'own'],
    ]);
    expect((await price(t.auth, customer.id, 'number=441234&direction=outbound')).status).toBe(422);
  });

  it('answers 422 no_rate when a charged level has no rate at any level, and for a customer without a plan', async () => {
    const res = await price(t.auth, customer.id, 'number=861234567');
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^no_rate: /);
    expect(res.body.details).toEqual([{ field: 'number', message: 'no_rate', code: 'no_rate' }]);
    const planless = await addCustomer(t, { reseller: false, login: false });
    const none = await price(t.auth, planless.id, 'number=4912345');
    expect(none.status).toBe(422);
    expect(none.body.message).toMatch(/no rate plan/);
  });

  it.each([
    ['number=abc', 'number'],
    ['number=49-12a3', 'number'],
    ['number=%2B49%2B123', 'number'],
    ['number=(49 123', 'number'],
    ['number=', 'number'],
    ['', 'number'],
    [`number=${'1'.repeat(33)}`, 'number'],
    ['number=4912345&direction=sideways', 'direction'],
    ['number=4912345&at=yesterday', 'at'],
    ['number=4912345&at=2026-11-07T12:00:00', 'at'],
    ['number=4912345&duration=-1', 'duration'],
    ['number=4912345&duration=1.5', 'duration'],
    ['number=4912345&duration=abc', 'duration'],
  ])('answers 400 for bad input: %s', async (query, field) => {
    const res = await price(t.auth, customer.id, query);
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: any) => d.field)).toContain(field);
  });

  it('shows a reseller its own and its customers’ levels only, never the cost; another branch is 404', async () => {
    const res = await price(reseller.auth, customer.id, 'number=4912345&duration=60&at=2026-11-07T12:00:00Z');
    expect(res.status).toBe(200);
    expect(perLevel(res.body)).toEqual([
      [customer.id, '2.64', '2.64', 'markup'],
      [reseller.id, '2.40', '2.40', 'markup'],
    ]);
    const own = await price(customer.auth, customer.id, 'number=4912345&at=2026-11-07T12:00:00Z');
    expect(own.body.levels.map((l: any) => l.customerId)).toEqual([customer.id]);
    const other = await addCustomer(t);
    expect((await price(other.auth, customer.id, 'number=4912345')).status).toBe(404);
    expect((await price(t.auth, 999999, 'number=4912345')).status).toBe(404);
  });

  it('uses the deck in force at the time of the call, and sees rate changes at once', async () => {
    const plan = await createPlan(t, t.auth, { name: 'decks', sharing: 'children' });
    await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,3.00,1,1,0,outbound`);
    await setCustomerPlan(t, reseller.id, plan.id);
    try {
      const start = new Date(t.clock.now().getTime() + 3600_000);
      await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,3.50,1,1,0,outbound`, `?effectiveFrom=${start.toISOString()}`);
      const at = async (when?: Date) =>
        (await price(reseller.auth, reseller.id, `number=4912345${when ? `&at=${when.toISOString()}` : ''}`)).body.levels[0].perMinute;
      expect(await at()).toBe('3.00');
      expect(await at(new Date(start.getTime() - 1))).toBe('3.00');
      expect(await at(start)).toBe('3.50');

      const rate = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.items[0];
      await t.http.patch(`/api/v1/rate-plans/${plan.id}/rates/${rate.id}`).set(t.auth).send({ perMinute: '3.10' });
      expect(await at()).toBe('3.10');
      await t.http.delete(`/api/v1/rate-plans/${plan.id}/rates/${rate.id}`).set(t.auth);
      // No own rate any more: the cost marked up by this plan (0% markup).
      expect((await price(reseller.auth, reseller.id, 'number=4912345')).body.levels[0]).toMatchObject({
        perMinute: '2.00',
        source: 'markup',
      });

      t.clock.setNow(new Date(start.getTime() + 1000));
      expect(await at()).toBe('3.50');
    } finally {
      t.clock.setNow(new Date());
      await setCustomerPlan(t, reseller.id, owner20.id);
    }
  });

  it('uses the rates of an inherited plan prefix by prefix, the own rates first', async () => {
    const base = await createPlan(t, t.auth, { name: 'base', sharing: 'children' });
    await importDeck(t, t.auth, base.id, `${HEADER}\n49,Germany base,0,0,1.50,1,1,0,outbound\n4930,Berlin base,0,0,1.40,1,1,0,outbound`);
    const child = await createPlan(t, t.auth, {
      name: 'child',
      sharing: 'children',
      inheritsFromId: base.id,
      markups: { outboundPerMinute: '50' },
    });
    await t.http
      .post(`/api/v1/rate-plans/${child.id}/rates`)
      .set(t.auth)
      .send({ prefix: '49', destination: 'Germany child', perMinute: '1.60' });
    await setCustomerPlan(t, reseller.id, child.id);
    try {
      const level = async (number: string) => (await price(t.auth, reseller.id, `number=${number}`)).body.levels[0];
      expect(await level('4989000')).toMatchObject({ destination: 'Germany child', perMinute: '1.60', source: 'own' });
      expect(await level('4930000')).toMatchObject({ destination: 'Berlin base', perMinute: '1.40', source: 'inherited' });
      // Neither plan has France: the cost marked up by the child's markup.
      expect(await level('331234')).toMatchObject({ source: 'markup' });
    } finally {
      await setCustomerPlan(t, reseller.id, owner20.id);
    }
  });

  it('converts between plan currencies with the exchange rate in force, or refuses with 422', async () => {
    const usd = await createPlan(t, t.auth, { name: 'USD', currency: 'USD', sharing: 'children', markups: { outboundPerMinute: '10' } });
    await setCustomerPlan(t, reseller.id, usd.id);
    try {
      const refused = await price(t.auth, reseller.id, 'number=4912345&at=2026-11-07T12:00:00Z');
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/no exchange rate for USD/);
      await t.dataSource.query(
        "INSERT INTO exchange_rates (currency, rate, valid_from, created_at) VALUES ('USD', '1.10', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')",
      );
      const res = await price(t.auth, reseller.id, 'number=4912345&duration=60&at=2026-11-07T12:00:00Z');
      expect(res.status).toBe(200);
      // 2.00 EUR = 2.20 USD, +10% = 2.42 USD.
      expect(res.body.levels.map((l: any) => [l.currency, l.perMinute])).toEqual([
        ['USD', '2.42'],
        ['EUR', '2.00'],
      ]);
      expect((await price(t.auth, reseller.id, 'number=4912345&at=2025-12-31T23:59:59Z')).status).toBe(422);
    } finally {
      await setCustomerPlan(t, reseller.id, owner20.id);
    }
  });

  it('takes numbers as people write them: +, 00, spaces, dashes, dots and brackets (API)', async () => {
    for (const written of ['+49 (89) 123-4567', '0049 89 123 4567', '+49 (0)89 1234567', '49.89.123.4567']) {
      const res = await price(t.auth, customer.id, `number=${encodeURIComponent(written)}&at=2026-11-07T12:00:00Z`);
      expect([written, res.status, res.body.number, res.body.levels[0].destination]).toEqual([written, 200, '49891234567', 'Germany']);
    }
  });

  it('prices a call for a plan through the API: a customer on the plan (customerId null) under its owner', async () => {
    const res = await t.http
      .get(
        `/api/v1/rate-plans/${reseller10.id}/price?number=${encodeURIComponent('+49 (89) 123-4567')}&duration=60&at=2026-11-07T12:00:00Z`,
      )
      .set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.number).toBe('49891234567');
    expect(perLevel(res.body)).toEqual([
      [null, '2.64', '2.64', 'markup'],
      [reseller.id, '2.40', '2.40', 'markup'],
      [1, '2.00', '2.00', 'own'],
    ]);
    expect(res.body.levels[0].ratePlanId).toBe(reseller10.id);
    // The owner sees its own level and the plan's; a plan shared from above is priced under the caller.
    const own = await t.http.get(`/api/v1/rate-plans/${reseller10.id}/price?number=4912345&at=2026-11-07T12:00:00Z`).set(reseller.auth);
    expect(perLevel(own.body).map((l: unknown[]) => l[0])).toEqual([null, reseller.id]);
    const shared = await t.http.get(`/api/v1/rate-plans/${owner20.id}/price?number=4912345&at=2026-11-07T12:00:00Z`).set(reseller.auth);
    expect(perLevel(shared.body)).toEqual([
      [null, '2.88', null, 'markup'],
      [reseller.id, '2.40', null, 'markup'],
    ]);
    const other = await addCustomer(t);
    expect((await t.http.get(`/api/v1/rate-plans/${reseller10.id}/price?number=4912345`).set(other.auth)).status).toBe(404);
    expect((await t.http.get(`/api/v1/rate-plans/${reseller10.id}/price?number=49(12`).set(t.auth)).status).toBe(400);
    const none = await t.http.get(`/api/v1/rate-plans/${reseller10.id}/price?number=861234`).set(t.auth);
    expect([none.status, none.body.code]).toEqual([422, 'no_rate']);
    expect(none.body.message).toBe(`no_rate: no rate for 861234 (outbound) at customer ${reseller.id} (rate plan ${owner20.id}) or above`);
  });

  describe('the price lookup page', () => {
    const page = (auth: { Authorization: string }, url: string) => t.http.get(url).set(auth);
    const rowsOf = (html: string, table: string) => {
      const m = new RegExp(`<table[^>]*id="${table}"[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html);
      if (!m) return [];
      return [...m[1].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => textOf(r[1]));
    };
    const names = new Map<number, string>();
    beforeAll(async () => {
      for (const c of [reseller, customer]) {
        names.set(c.id, (await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: c.id })).name);
      }
    });

    it("for a reseller's customer: names the plans and shows each seller's cost, price and margin", async () => {
      const number = encodeURIComponent('+49 (89) 123-4567');
      const res = await page(t.auth, `/customers/${customer.id}/price?number=${number}&duration=60&at=2026-11-07T12:00:00Z`);
      expect(res.status).toBe(200);
      const levels = rowsOf(res.text, 'price-levels');
      expect(levels[0]).toContain(`${names.get(customer.id)} ${reseller10.name} 49 Germany`);
      expect(levels[1]).toContain(`${names.get(reseller.id)} ${owner20.name} 49 Germany`);
      expect(levels[2]).toMatch(/^Cost \(carriers\) /);
      expect(res.text).not.toMatch(/plan \d+/);
      expect(res.text).toContain(`href="/rate-plans/${reseller10.id}"`);
      // Seller, buyer, per minute cost/price/margin, connect, call cost/price/margin.
      const chain = rowsOf(res.text, 'price-chain');
      expect(chain[0]).toMatch(
        /\(buys from carriers\) .* 2\.00 EUR 2\.40 EUR 0\.40 EUR 0\.00 \/ 0\.00 \/ 0\.00 2\.00 EUR 2\.40 EUR 0\.40 EUR$/,
      );
      expect(chain[1]).toBe(
        `${names.get(reseller.id)} ${names.get(customer.id)} 2.40 EUR 2.64 EUR 0.24 EUR 0.00 / 0.00 / 0.00 2.40 EUR 2.64 EUR 0.24 EUR`,
      );
    });

    it('shows the reseller its own margin but not what its parent pays', async () => {
      const res = await page(
        reseller.auth,
        `/customers/${customer.id}/price?number=${encodeURIComponent('0049 89 1234567')}&at=2026-11-07T12:00:00Z`,
      );
      expect(res.status).toBe(200);
      expect(rowsOf(res.text, 'price-levels')).toHaveLength(2);
      expect(res.text).not.toContain('Cost (carriers)');
      expect(rowsOf(res.text, 'price-chain')).toEqual([
        `${names.get(reseller.id)} ${names.get(customer.id)} 2.40 EUR 2.64 EUR 0.24 EUR 0.00 / 0.00 / 0.00`,
      ]);
      // The plan the reseller is on is shared with it by its parent: it may open it.
      expect(res.text).toContain(`href="/rate-plans/${owner20.id}">${owner20.name}</a>`);
    });

    it('works for a plan: what a customer on it would pay, under its owner', async () => {
      const res = await page(
        t.auth,
        `/rate-plans/${reseller10.id}/price?number=${encodeURIComponent('+49 89 123 4567')}&duration=30&at=2026-11-07T12:00:00Z`,
      );
      expect(res.status).toBe(200);
      expect(textOf(res.text)).toContain(`Price lookup for rate plan ${reseller10.name}`);
      const levels = rowsOf(res.text, 'price-levels');
      expect(levels.map((l) => l.split(' 49 ')[0])).toEqual([
        `A customer on this plan ${reseller10.name}`,
        `${names.get(reseller.id)} ${owner20.name}`,
        expect.stringMatching(/^Cost \(carriers\) /),
      ]);
      expect(rowsOf(res.text, 'price-chain')[1]).toBe(
        `${names.get(reseller.id)} A customer on this plan 2.40 EUR 2.64 EUR 0.24 EUR 0.00 / 0.00 / 0.00 1.20 EUR 1.32 EUR 0.12 EUR`,
      );
      // The owner sees the same without the levels above it; a plan shared with it from above is priced under it.
      const own = await page(reseller.auth, `/rate-plans/${reseller10.id}/price?number=4989&at=2026-11-07T12:00:00Z`);
      expect(rowsOf(own.text, 'price-levels')).toHaveLength(2);
      // A plan shared with the reseller from above: a customer of the reseller on it, under the reseller.
      const shared = await page(reseller.auth, `/rate-plans/${owner20.id}/price?number=4989&at=2026-11-07T12:00:00Z`);
      expect(rowsOf(shared.text, 'price-chain')).toEqual([
        `${names.get(reseller.id)} A customer on this plan 2.40 EUR 2.88 EUR 0.48 EUR 0.00 / 0.00 / 0.00`,
      ]);
      const other = await addCustomer(t);
      expect((await page(other.auth, `/rate-plans/${reseller10.id}/price?number=4989`)).status).toBe(404);
      const bare = await page(t.auth, `/rate-plans/${reseller10.id}/price`);
      expect(bare.status).toBe(200);
      expect(rowsOf(bare.text, 'price-levels')).toEqual([]);
    });

    it('explains a number it cannot read, and keeps what was typed', async () => {
      const res = await page(t.auth, `/customers/${customer.id}/price?number=${encodeURIComponent('+49 (89 12')}&duration=x`);
      expect(res.status).toBe(400);
      const text = textOf(res.text);
      expect(text).toContain('Give a phone number, e.g. +44 20 7946 0000');
      expect(text).toContain('Give whole seconds');
      expect(res.text).toContain('value="+49 (89 12"');
      const empty = await page(t.auth, `/customers/${customer.id}/price?number=`);
      expect(empty.status).toBe(400);
      const none = await page(t.auth, `/customers/${customer.id}/price?number=861234`);
      expect(none.status).toBe(422);
      expect(textOf(none.text)).toMatch(/No rate for 861234/);
    });

    it('says a first deck is in force since it was imported, a later one from its start', async () => {
      const plan = await createPlan(t, t.auth, { name: 'deck dates' });
      await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,3.00,1,1,0,outbound`);
      const start = new Date(t.clock.now().getTime() + 86_400_000);
      start.setUTCSeconds(0, 0);
      await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,3.50,1,1,0,outbound`, `?effectiveFrom=${start.toISOString()}`);
      const text = textOf((await page(t.auth, `/rate-plans/${plan.id}`)).text);
      expect(text).not.toContain('1970');
      const imported = t.clock.now().toISOString().slice(0, 10);
      expect(text).toMatch(new RegExp(`is in force since it was imported on ${imported} \\d\\d:\\d\\d UTC`));
      expect(text).toContain(`from ${start.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    });
  });

  it('exposes the same rating to other modules through RatingService.rateCall', async () => {
    const rating = t.app.get(RatingService);
    const rated = await rating.rateCall(customer.id, {
      number: '4912345',
      direction: 'outbound',
      at: new Date('2026-11-07T12:00:00Z'),
      duration: 120,
    });
    expect(rated.levels.map((l) => [l.customerId, l.price?.toString(), l.cost])).toEqual([
      [customer.id, '5.28', false],
      [reseller.id, '4.80', false],
      [1, '4.00', true],
    ]);
    await expect(rating.rateCall(customer.id, { number: '861234', direction: 'outbound', at: new Date() })).rejects.toMatchObject({
      status: 422,
      reason: 'no_rate',
    });
  });
});
