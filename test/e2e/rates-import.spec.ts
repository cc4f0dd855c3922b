import { ADMIN_PASSWORD, ADMIN_USERNAME, loginHeader, startTestApp, TestApp } from '../helpers/app';
import { createPlan, FULL_HEADER, HEADER, importDeck, rateCounts } from './rate-plans.fixtures';

describe('rates: CSV deck import, preview, future decks and export (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const put = (planId: number, csv: string, query = '', type = 'text/csv') =>
    t.http.put(`/api/v1/rate-plans/${planId}/rates${query}`).set(t.auth).set('Content-Type', type).send(csv);
  const prefixes = async (planId: number, query = '') =>
    (await t.http.get(`/api/v1/rate-plans/${planId}/rates?pageSize=500${query}`).set(t.auth)).body.items.map(
      (r: any) => `${r.prefix}:${r.perMinute}`,
    );

  const GOOD = [
    HEADER,
    '49,Germany,0.10,0,1.20,60,60,0,outbound',
    '4930,Berlin,0,0,0.90,1,1,0,outbound',
    '44,UK,0,0,0.50,1,1,0,inbound',
  ].join('\n');

  it('imports a good deck that replaces the plan’s rates', async () => {
    const plan = await createPlan(t, t.auth);
    await t.http.post(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth).send({ prefix: '33', destination: 'France', perMinute: '0.30' });
    const res = await put(plan.id, GOOD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applied: true, rows: 3, deck: { status: 'active', rateCount: 3, source: 'import' } });
    expect(await prefixes(plan.id)).toEqual(['44:0.50', '49:1.20', '4930:0.90']);
    const audit = await t.dataSource.query("SELECT action FROM audit_log WHERE action = 'rate_deck_imported' AND entity_id = ?", [
      String(plan.id),
    ]);
    expect(audit).toHaveLength(1);
    const decks = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rate-decks`).set(t.auth)).body;
    expect(decks.map((d: any) => d.status)).toEqual(['active', 'superseded']);
  });

  it('accepts the optional columns, quoted fields, CRLF line ends and a BOM', async () => {
    const plan = await createPlan(t, t.auth);
    const csv = `\ufeff${FULL_HEADER}\r\n4930,"Berlin, ""Mitte""",0.1,5,1.2,30,6,0.5,inbound,0.07,51,08:00,18:00,3,2026-01-01,2026-02-01T10:00:00+01:00\r\n`;
    const res = await put(plan.id, csv);
    expect(res.status).toBe(200);
    const rate = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.items[0];
    expect(rate).toMatchObject({
      prefix: '4930',
      destination: 'Berlin, "Mitte"',
      connectFee: '0.10',
      includedSeconds: 5,
      perMinute: '1.20',
      firstBlock: 30,
      increment: 6,
      minimumCharge: '0.50',
      direction: 'inbound',
      perMessage: '0.07',
      days: '15',
      startTime: '08:00',
      endTime: '18:00',
      priority: 3,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2026-02-01T09:00:00.000Z',
    });
  });

  describe('refuses a bad deck with 400, every bad line listed, and changes nothing', () => {
    let planId: number;
    beforeAll(async () => {
      planId = (await createPlan(t, t.auth)).id;
      await importDeck(t, t.auth, planId, GOOD);
    });

    it.each<[string, string, { field: string; message: RegExp }[]]>([
      [
        'a wrong header',
        `prefix,destination,price\n49,Germany,1.00`,
        [{ field: 'line 1', message: /unknown column.*"price".*missing required column/ }],
      ],
      [
        'missing columns',
        `prefix,destination,connect_fee\n49,Germany,0`,
        [{ field: 'line 1', message: /missing required column\(s\): included_seconds, per_minute/ }],
      ],
      ['a repeated column', `${HEADER},prefix\n49,Germany,0,0,1,1,1,0,outbound,49`, [{ field: 'line 1', message: /repeated column/ }]],
      [
        'non-numeric prices',
        `${HEADER}\n49,Germany,abc,0,1.00,1,1,0,outbound\n44,UK,0,0,one,1,1,0,outbound`,
        [
          { field: 'line 2', message: /connect_fee: must be a decimal amount/ },
          { field: 'line 3', message: /per_minute: must be a decimal amount/ },
        ],
      ],
      [
        'negative values',
        `${HEADER}\n49,Germany,0,0,-1.00,1,1,0,outbound\n44,UK,0,-5,1.00,1,1,-0.01,outbound`,
        [
          { field: 'line 2', message: /per_minute: must not be negative/ },
          { field: 'line 3', message: /included_seconds: must be a whole number.*minimum_charge: must not be negative/ },
        ],
      ],
      [
        'duplicate prefixes',
        `${HEADER}\n49,Germany,0,0,1,1,1,0,outbound\n44,UK,0,0,1,1,1,0,outbound\n49,Germany again,0,0,2,1,1,0,outbound`,
        [{ field: 'line 4', message: /duplicate of line 2/ }],
      ],
      [
        'non-digit prefixes',
        `${HEADER}\n49a,Germany,0,0,1,1,1,0,outbound\n+44,UK,0,0,1,1,1,0,outbound\n,Nowhere,0,0,1,1,1,0,outbound`,
        [
          { field: 'line 2', message: /prefix: must be 1 to 20 digits/ },
          { field: 'line 3', message: /prefix/ },
          { field: 'line 4', message: /prefix/ },
        ],
      ],
      ['0 rows', `${HEADER}\n`, [{ field: 'line 1', message: /no data rows/ }]],
      ['an empty body', '', [{ field: 'line 1', message: /empty/ }]],
      ['a short row', `${HEADER}\n49,Germany,0,0,1`, [{ field: 'line 2', message: /expected 9 fields/ }]],
      [
        'a bad direction and time',
        `${FULL_HEADER}\n49,Germany,0,0,1,1,1,0,sideways,,,25:00,,,,`,
        [{ field: 'line 2', message: /direction.*start_time/ }],
      ],
    ])('%s', async (_name, csv, expected) => {
      const before = await rateCounts(t);
      const res = await put(planId, csv);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/nothing was changed/);
      expect(res.body.details).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        expect(res.body.details[i].field).toBe(e.field);
        expect(res.body.details[i].message).toMatch(e.message);
      });
      expect(await rateCounts(t)).toEqual(before);
      expect(await prefixes(planId)).toEqual(['44:0.50', '49:1.20', '4930:0.90']);
      // A preview of the same deck is refused the same way.
      const preview = await put(planId, csv, '?preview=true');
      expect(preview.status).toBe(400);
      expect(preview.body.details).toEqual(res.body.details);
    });

    it('lists every bad line of a long deck, also after many good ones, and keeps nothing', async () => {
      const lines = [HEADER];
      for (let i = 0; i < 12_000; i++) lines.push(`${100000 + i},Dest ${i},0,0,0.01,1,1,0,outbound`);
      lines.push('7,Bad,0,0,x,1,1,0,outbound');
      lines.push('8,Bad,0,0,-1,1,1,0,outbound');
      const before = await rateCounts(t);
      const res = await put(planId, lines.join('\n'));
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: any) => d.field)).toEqual(['line 12002', 'line 12003']);
      expect(await rateCounts(t)).toEqual(before);
    });

    it('refuses another content type with 415', async () => {
      const res = await put(planId, JSON.stringify({ rates: [] }), '', 'application/json');
      expect(res.status).toBe(415);
      const form = await put(planId, 'a=b', '', 'application/x-www-form-urlencoded');
      expect(form.status).toBe(415);
    });
  });

  it('previews a deck: added, changed, removed, without changing anything', async () => {
    const plan = await createPlan(t, t.auth);
    await importDeck(t, t.auth, plan.id, GOOD);
    const before = await rateCounts(t);
    const next = [
      HEADER,
      '49,Germany,0.10,0,1.20,60,60,0,outbound',
      '4930,Berlin,0,0,0.95,1,1,0,outbound',
      '39,Italy,0,0,0.40,1,1,0,outbound',
      '33,France,0,0,0.30,1,1,0,outbound',
    ].join('\n');
    const res = await put(plan.id, next, '?preview=true');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ applied: false, rows: 4, deck: null, added: 2, changed: 1, removed: 1, unchanged: 1 });
    expect(await rateCounts(t)).toEqual(before);
    const fresh = await createPlan(t, t.auth);
    expect((await put(fresh.id, GOOD, '?preview=true')).body).toMatchObject({ added: 3, changed: 0, removed: 0 });
    expect((await put(fresh.id, GOOD, '?preview=maybe')).status).toBe(400);
  });

  it('loads a deck for a future date: the old rates stay in force until then', async () => {
    const plan = await createPlan(t, t.auth);
    await importDeck(t, t.auth, plan.id, GOOD);
    const now = t.clock.now();
    const start = new Date(now.getTime() + 2 * 3600_000);
    const future = [HEADER, '49,Germany,0.10,0,2.00,60,60,0,outbound'].join('\n');
    const preview = await put(plan.id, future, `?preview=true&effectiveFrom=${start.toISOString()}`);
    expect(preview.body).toMatchObject({ added: 0, changed: 1, removed: 2 });
    const res = await put(plan.id, future, `?effectiveFrom=${encodeURIComponent(start.toISOString())}`);
    expect(res.status).toBe(200);
    expect(res.body.deck).toMatchObject({ status: 'pending', effectiveFrom: start.toISOString(), rateCount: 1 });
    expect(await prefixes(plan.id)).toEqual(['44:0.50', '49:1.20', '4930:0.90']);
    expect(await prefixes(plan.id, `&at=${encodeURIComponent(new Date(start.getTime() + 1).toISOString())}`)).toEqual(['49:2.00']);
    const decks = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rate-decks`).set(t.auth)).body;
    expect(decks.map((d: any) => d.status)).toEqual(['pending', 'active']);

    t.clock.setNow(new Date(start.getTime() + 60_000));
    try {
      expect(await prefixes(plan.id)).toEqual(['49:2.00']);
      const after = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rate-decks`).set(t.auth)).body;
      expect(after.map((d: any) => d.status)).toEqual(['active', 'superseded']);
      expect((await t.http.get(`/api/v1/rate-plans/${plan.id}`).set(t.auth)).body.rateCount).toBe(1);
    } finally {
      t.clock.setNow(new Date());
    }
  });

  it('refuses an effectiveFrom in the past or malformed', async () => {
    const plan = await createPlan(t, t.auth);
    const past = await put(plan.id, GOOD, `?effectiveFrom=${new Date(t.clock.now().getTime() - 1000).toISOString()}`);
    expect(past.status).toBe(400);
    expect(past.body.details[0].field).toBe('effectiveFrom');
    expect((await put(plan.id, GOOD, '?effectiveFrom=tomorrow')).status).toBe(400);
    expect((await rateCounts(t)).decks).toBeGreaterThan(0);
  });

  it('exports a deck that imports back unchanged, and exports again identically', async () => {
    const plan = await createPlan(t, t.auth);
    const csv = [
      FULL_HEADER,
      '4930,"Berlin, ""Mitte"" – Mobilfunk ü",0.012345,30,0.000001,30,6,0.5,inbound,0.09,12345,22:00,06:00,-2,2026-01-01T00:00:00.000Z,2026-07-01T12:34:56.789Z',
      '49,Germany,0.10,0,1.20,60,60,0,outbound,,,,,,,',
      '1,NANP,0,0,9007199254.740991,1,1,0,outbound,0,67,00:00,24:00,5,,',
    ].join('\n');
    await importDeck(t, t.auth, plan.id, csv);
    const first = await t.http.get(`/api/v1/rate-plans/${plan.id}/rates.csv`).set(t.auth);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/csv/);
    expect(first.headers['content-disposition']).toContain(`rate-plan-${plan.id}.csv`);
    expect(first.text.split('\n')[0]).toBe(FULL_HEADER);
    expect(first.text).toContain('49,Germany,0.10,0,1.20,60,60,0.00,outbound,0.00,,,,0,,');

    const preview = await put(plan.id, first.text, '?preview=true');
    expect(preview.body).toMatchObject({ added: 0, changed: 0, removed: 0, unchanged: 3 });
    const copy = await createPlan(t, t.auth);
    await importDeck(t, t.auth, copy.id, first.text);
    const second = await t.http.get(`/api/v1/rate-plans/${copy.id}/rates.csv`).set(t.auth);
    expect(second.text).toBe(first.text);
    const a = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.items;
    const b = (await t.http.get(`/api/v1/rate-plans/${copy.id}/rates`).set(t.auth)).body.items;
    const strip = (rates: any[]) => rates.map(({ id: _id, deckId: _d, ...r }) => r);
    expect(strip(b)).toEqual(strip(a));
  });

  it('exports only the header for a plan without rates, and the deck asked for', async () => {
    const plan = await createPlan(t, t.auth);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates.csv`).set(t.auth)).text).toBe(`${FULL_HEADER}\n`);
    await importDeck(t, t.auth, plan.id, GOOD);
    const deckId = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rates`).set(t.auth)).body.deck.id;
    const byDeck = await t.http.get(`/api/v1/rate-plans/${plan.id}/rates.csv?deckId=${deckId}`).set(t.auth);
    expect(byDeck.text.trim().split('\n')).toHaveLength(4);
    expect((await t.http.get(`/api/v1/rate-plans/${plan.id}/rates.csv?deckId=999999`).set(t.auth)).status).toBe(404);
  });

  it('single-rate edits go into the deck in force, not into a pending one', async () => {
    const plan = await createPlan(t, t.auth);
    await importDeck(t, t.auth, plan.id, GOOD);
    const start = new Date(t.clock.now().getTime() + 3600_000);
    await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,2.00,1,1,0,outbound`, `?effectiveFrom=${start.toISOString()}`);
    const added = await t.http
      .post(`/api/v1/rate-plans/${plan.id}/rates`)
      .set(t.auth)
      .send({ prefix: '39', destination: 'Italy', perMinute: '0.40' });
    expect(added.status).toBe(201);
    expect(await prefixes(plan.id)).toEqual(['39:0.40', '44:0.50', '49:1.20', '4930:0.90']);
    expect(await prefixes(plan.id, `&at=${new Date(start.getTime() + 1).toISOString()}`)).toEqual(['49:2.00']);
  });

  it('deletes decks superseded more than 35 days ago at the next import, and keeps the rest', async () => {
    const plan = await createPlan(t, t.auth);
    await importDeck(t, t.auth, plan.id, GOOD);
    await importDeck(t, t.auth, plan.id, `${HEADER}\n49,Germany,0,0,1.25,1,1,0,outbound`);
    const before = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rate-decks`).set(t.auth)).body;
    expect(before).toHaveLength(2);
    t.clock.setNow(new Date(Date.now() + 36 * 86_400_000));
    try {
      // The admin's token has expired by then.
      const auth = await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD);
      await importDeck(t, auth, plan.id, `${HEADER}\n49,Germany,0,0,1.30,1,1,0,outbound`);
      const after = (await t.http.get(`/api/v1/rate-plans/${plan.id}/rate-decks`).set(auth)).body;
      expect(after.map((d: any) => [d.status, d.rateCount])).toEqual([
        ['active', 1],
        ['superseded', 1],
      ]);
      expect(after[1].id).toBe(before[0].id);
      const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM rates WHERE deck_id = ?', [before[1].id]);
      expect(Number(n)).toBe(0);
    } finally {
      t.clock.setNow(new Date());
    }
  });
});
