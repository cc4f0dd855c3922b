import { CustomersRepository } from '../../src/modules/customers/customers.repository';
import { SEARCH_TEXT_MAX } from '../../src/modules/customers/domain/customer-search';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { recordStatements } from '../helpers/statements';
import {
  addNumber,
  addRatePlan,
  addTax,
  Auth,
  createCustomer,
  createReseller,
  CustomerBody,
  customerRowCounts,
  defaultPlanId,
  ResellerLogin,
  unique,
} from '../factories/customers';
import { insertCustomer } from '../factories/rows';

/**
 * The list and search read one index (IDX_customers_parent_live, with a lower-cased `search_text`), and a
 * create answers from what it wrote: these prove the results are still exactly those of the plain way.
 */
describe('customers: list and search through the index, create without read-back (HTTP)', () => {
  let t: TestApp;
  let statements: ReturnType<typeof recordStatements>;

  beforeAll(async () => {
    t = await startTestApp();
    statements = recordStatements(t.dataSource);
  });
  afterAll(() => t.close());

  const list = (auth: Auth, q: Record<string, unknown>) => t.http.get('/api/v1/customers').query(q).set(auth);
  const names = (res: { body: { items: Array<{ name: string }> } }) => res.body.items.map((c) => c.name);
  const searchColumns = async (id: number) => {
    const [row] = (await t.dataSource.query('SELECT search_text, search_unindexed FROM customers WHERE id = ?', [id])) as Array<{
      search_text: string | null;
      search_unindexed: number | boolean;
    }>;
    return { text: row.search_text, unindexed: !!Number(row.search_unindexed) };
  };
  const withoutCreateOnly = (body: CustomerBody) => {
    const copy = { ...body };
    for (const k of ['personId', 'sipAccountId', 'mailboxId', 'numberId', 'sipSecret', 'mailboxPin']) delete copy[k];
    return copy;
  };

  describe('create', () => {
    it('answers a create with exactly what GET then shows, without reading the customer back', async () => {
      const base = await addRatePlan(t, 1, { sharing: 'recursive', invoiceDueDays: 9, maxConcurrentCalls: 4 });
      const inheriting = await addRatePlan(t, 1, { sharing: 'recursive', inheritsFromId: base.id, dailySpendLimitMicros: '7000000' });
      const newTax = await addTax(t, 1, { defaultLiability: 'new', shared: true });
      const otherTax = await addTax(t, 1, { defaultLiability: 'all', shared: true });
      const top = await createReseller(t, t.auth);
      const mid = await createReseller(t, top.auth);
      // Locked ancestors show in the child's effective flags.
      expect((await t.http.patch(`/api/v1/customers/${top.id}`).set(t.auth).send({ lockedWeb: true })).status).toBe(200);
      expect((await t.http.patch(`/api/v1/customers/${mid.id}`).set(t.auth).send({ lockedCalls: true })).status).toBe(200);
      const sibling = await createCustomer(t, t.auth, { parentId: mid.id });
      const { number } = await addNumber(t, 1);

      const bodies: Array<[Auth, Record<string, unknown>]> = [
        [t.auth, {}],
        [t.auth, { taxIds: [otherTax.id, newTax.id], timezone: 'europe/berlin', currency: 'GBP' }],
        [
          t.auth,
          {
            parentId: mid.id,
            ratePlanId: inheriting.id,
            reseller: true,
            directory: true,
            description: 'Described',
            accountNumber: unique('ACC-'),
            lockedWeb: true,
            dailySpendLimit: 'unlimited',
            maxConcurrentCalls: 12,
            purgeVoicemail: true,
            maxVoicemailsPerFolder: 30,
            externalCallerId: false,
            billingType: 'postpaid',
            billingReference: 'REF-1',
            taxReference: 'TAX-1',
            paymentType: 'direct_debit',
            invoiceDueDays: 0,
            sendInvoices: false,
            invoiceFormat: 'xml',
            invoiceDetail: 'calls',
            minimumContractMonths: 24,
            creditLimit: '12.345678',
            lowBalanceThreshold: '1.5',
            autoTopUp: true,
            billingAddress: { line1: '1 Main St', city: 'Oslo', postcode: '0150', country: 'no' },
            affiliate: { customerId: sibling.id, percentage: '2.5', basis: 'profit' },
          },
        ],
        [t.auth, { type: 'residential', number, personName: 'Resi Dent', name: undefined }],
      ];
      for (const [auth, fields] of bodies) {
        const res = await t.http
          .post('/api/v1/customers')
          .set(auth)
          .send({
            type: 'normal',
            name: unique('Answer '),
            email: `${unique('a')}@example.com`,
            ratePlanId: await defaultPlanId(t),
            ...fields,
          });
        expect(res.status).toBe(201);
        const got = await t.http.get(`/api/v1/customers/${res.body.id}`).set(t.auth);
        expect(withoutCreateOnly(res.body)).toEqual(got.body);
      }
    });

    it('reads the parent and its rate plan and checks the login name and account number in one statement, and writes without reading back', async () => {
      const sent = await statements(() =>
        t.http
          .post('/api/v1/customers')
          .set(t.auth)
          .send({ type: 'normal', name: 'Statement Count Ltd', email: 'count@example.com', accountNumber: 'CNT-1', ratePlanId: 2 })
          .expect(201),
      );
      const sql = sent.map((s) => s.sql.replace(/[`"]/g, '').replace(/\s+/g, ' '));
      const insert = sql.findIndex((s) => /^INSERT INTO customers\b/.test(s));
      expect(insert).toBeGreaterThan(0);
      // Before the insert: one read of customers (the parent, locked on MariaDB, with both probes and the plan), no
      // people or plan read of its own.
      const reads = sql.slice(0, insert).filter((s) => /^SELECT .* FROM (customers|people|rate_plans) /.test(s));
      expect(reads).toHaveLength(1);
      expect(reads[0]).toMatch(
        /FROM customers a WHERE a\.parent_id = c\.id AND a\.account_number = \?.* FROM people p WHERE .*username.* FROM customers c LEFT JOIN rate_plans rp ON rp\.id = \? .* WHERE c\.id = \?/,
      );
      const probe = sent[sql.indexOf(reads[0])];
      expect(probe.params).toEqual(['CNT-1', 'count@example.com', 2, 1]);
      if (testDatabaseKind() === 'sqlite') {
        // The account number and login name probes are index lookups (both indexes are COLLATE NOCASE), the
        // plan is read by its primary key.
        const plan = (await t.dataSource.query(`EXPLAIN QUERY PLAN ${probe.sql}`, probe.params)) as Array<{ detail: string }>;
        const details = plan.map((p) => p.detail).join('; ');
        expect(details).toContain('USING COVERING INDEX IDX_customers_parent_account (parent_id=? AND account_number=?)');
        expect(details).toContain('USING COVERING INDEX IDX_people_username (username=?)');
        expect(details).toMatch(/SEARCH rp USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      }
      // After it: no read-back of the new row (TypeORM's reload, or the answer's five SELECTs).
      expect(sql.slice(insert + 1).filter((s) => /^SELECT\b.* FROM customers\b/.test(s))).toEqual([]);
      expect(sql.filter((s) => /^DELETE FROM customer_taxes\b/.test(s))).toEqual([]);
      expect(sql.filter((s) => /FROM system_settings\b/.test(s))).toEqual([]);
    });

    it('still refuses a taken account number or login name, whatever their case, and creates nothing', async () => {
      await createCustomer(t, t.auth, { accountNumber: 'TAKEN-1', email: 'Taken.Mail@example.com' }); // logs in with its email
      const before = await customerRowCounts(t);
      const post = (fields: Record<string, unknown>) =>
        t.http
          .post('/api/v1/customers')
          .set(t.auth)
          .send({ type: 'normal', name: 'Again', email: `${unique('again')}@example.com`, ratePlanId: 2, ...fields });
      const refused = async (fields: Record<string, unknown>) => {
        const res = await post(fields);
        return [res.status, res.body.details];
      };
      expect(await refused({ accountNumber: 'taken-1' })).toEqual([
        409,
        [{ field: 'accountNumber', message: "is already used by another of the parent's customers", code: 'already_exists' }],
      ]);
      expect(await refused({ username: 'TAKEN.mail@EXAMPLE.com' })).toEqual([409, [{ field: 'username', message: 'is already taken', code: 'already_exists' }]]);
      expect(await refused({ email: 'taken.mail@example.com' })).toEqual([
        409,
        [{ field: 'username', message: 'the email is already a login name; give a username', code: 'already_exists' }],
      ]);
      expect(await customerRowCounts(t)).toEqual(before);
    });
  });

  describe('search', () => {
    let l: ResellerLogin;
    const made: Record<string, CustomerBody> = {};
    beforeAll(async () => {
      l = await createReseller(t, t.auth);
      const specs: Array<[string, string, Record<string, unknown>]> = [
        ['alpha', 'Ärztehaus Nord', {}],
        ['bravo', 'Bravo Motors', { accountNumber: 'BRV-77', billingReference: 'PO-Kilo' }],
        ['charlie', 'Charlie Foods', { description: 'Contract 4711, Oslo office', email: 'ap@charlie-foods.example' }],
        [
          'delta',
          'Delta',
          {
            description: 'x'.repeat(470) + ' needle in a long text',
            billingReference: 'B'.repeat(100),
            email: `${'d'.repeat(60)}@example.com`,
          },
        ],
        ['echo', 'Echo needle', {}],
        [
          'foxtrot',
          'Foxtrot',
          { description: 'y'.repeat(480) + ' needle again', billingReference: 'F'.repeat(100), email: `${'f'.repeat(60)}@example.com` },
        ],
        ['golf', 'Golf needle', {}],
      ];
      for (const [key, name, extra] of specs) made[key] = await createCustomer(t, l.auth, { name, ...extra });
    });

    it('keeps a lower-cased search text, or marks a row whose text is too long for the index', async () => {
      expect(await searchColumns(made.bravo.id)).toEqual({
        text: `bravo motors\u001fbrv-77\u001f${String(made.bravo.email).toLowerCase()}\u001fpo-kilo`,
        unindexed: false,
      });
      expect(await searchColumns(made.delta.id)).toEqual({ text: null, unindexed: true });
      const delta = made.delta as Record<string, string>;
      expect(
        [delta.name, delta.accountNumber ?? '', delta.email, delta.description, delta.billingReference].join('\u001f').length,
      ).toBeGreaterThan(SEARCH_TEXT_MAX);
    });

    it('finds by any searched field ignoring case (also beyond ASCII), never across two fields', async () => {
      expect(names(await list(l.auth, { search: 'ÄRZTEHAUS' }))).toEqual(['Ärztehaus Nord']);
      expect(names(await list(l.auth, { search: 'ärztehaus nord' }))).toEqual(['Ärztehaus Nord']);
      expect(names(await list(l.auth, { search: 'brv-7' }))).toEqual(['Bravo Motors']);
      expect(names(await list(l.auth, { search: 'po-KILO' }))).toEqual(['Bravo Motors']);
      expect(names(await list(l.auth, { search: '4711, OSLO' }))).toEqual(['Charlie Foods']);
      expect(names(await list(l.auth, { search: 'charlie-foods.example' }))).toEqual(['Charlie Foods']);
      // Case, not accents: "arztehaus" is another word.
      expect(names(await list(l.auth, { search: 'arztehaus' }))).toEqual([]);
      // The end of one field and the start of the next are not one text.
      expect(names(await list(l.auth, { search: 'motorsbrv' }))).toEqual([]);
      // The index's field separator (U+001F) cannot even be searched for: control characters are refused
      // in every query value (issue #13).
      const split = await list(l.auth, { search: 'motors\u001fbrv' });
      expect(split.status).toBe(400);
      expect(split.body).toMatchObject({ code: 'validation_failed', details: [{ field: 'search', message: expect.stringMatching(/control/) }] });
    });

    it('finds, counts and pages rows whose text is not in the index in name order with the others', async () => {
      const all = await list(l.auth, { search: 'NEEDLE' });
      expect(all.body.total).toBe(4);
      expect(names(all)).toEqual(['Delta', 'Echo needle', 'Foxtrot', 'Golf needle']);
      const pages = [];
      for (let page = 1; page <= 3; page++) pages.push(await list(l.auth, { search: 'needle', page, pageSize: 2 }));
      expect(pages.map((p) => [names(p), p.body.total])).toEqual([
        [['Delta', 'Echo needle'], 4],
        [['Foxtrot', 'Golf needle'], 4],
        [[], 4],
      ]);
      expect(names(await list(l.auth, { search: 'long text' }))).toEqual(['Delta']);
      expect(names(await list(l.auth, { search: 'x'.repeat(100) }))).toEqual(['Delta']);
    });

    it('follows every change of a searched field, and delete and undelete', async () => {
      const c = await createCustomer(t, l.auth, { name: 'Hotel Before', accountNumber: 'HB-1' });
      const found = async (search: string, extra: Record<string, unknown> = {}) =>
        (await list(l.auth, { search, ...extra })).body.items.map((x: { id: number }) => x.id).includes(c.id);
      const patch = async (body: Record<string, unknown>) =>
        expect((await t.http.patch(`/api/v1/customers/${c.id}`).set(l.auth).send(body)).status).toBe(200);

      await patch({ name: 'Hotel After', email: 'new-mail@hotel.example', accountNumber: 'HA-2' });
      expect([
        await found('before'),
        await found('hb-1'),
        await found('hotel after'),
        await found('new-mail'),
        await found('ha-2'),
      ]).toEqual([false, false, true, true, true]);
      await patch({ description: 'z'.repeat(500), billingReference: 'R'.repeat(100) });
      expect(await searchColumns(c.id)).toEqual({ text: null, unindexed: true });
      expect([await found('zzzz'), await found('rrrr'), await found('hotel after')]).toEqual([true, true, true]);
      await patch({ description: 'short again', billingReference: null });
      expect((await searchColumns(c.id)).unindexed).toBe(false);
      expect([await found('zzzz'), await found('rrrr'), await found('short again')]).toEqual([false, false, true]);

      expect((await t.http.delete(`/api/v1/customers/${c.id}`).set(l.auth)).status).toBe(204);
      // The retired account number still finds it among the deleted.
      expect([await found('ha-2'), await found('ha-2', { includeDeleted: 'true' })]).toEqual([false, true]);
      expect((await t.http.post(`/api/v1/customers/${c.id}/undelete`).set(l.auth)).status).toBe(200);
      expect(await found('ha-2')).toBe(true);
    });

    it('finds rows written by other code, which leaves the search text unset', async () => {
      const other = await insertCustomer(t, l.id, { name: 'Written Elsewhere', description: 'by a factory' });
      expect(await searchColumns(other.id)).toEqual({ text: null, unindexed: true });
      expect(names(await list(l.auth, { search: 'elsewhere' }))).toEqual(['Written Elsewhere']);
      expect(names(await list(l.auth, { search: 'BY A FACT' }))).toEqual(['Written Elsewhere']);
      const recursive = await t.http.get('/api/v1/customers').query({ search: 'elsewhere', recursive: 'true' }).set(t.auth);
      expect(names(recursive)).toEqual(['Written Elsewhere']);
      // Not outside its parent's list.
      expect(names(await list(t.auth, { search: 'elsewhere' }))).toEqual([]);
    });
  });

  describe('list', () => {
    it('counts and pages exactly: past the end, with deleted ones, and a whole subtree', async () => {
      const r = await createReseller(t, t.auth);
      const kids: CustomerBody[] = [];
      for (const name of ['Kilo', 'India', 'Juliett', 'India', 'Lima', 'Mike'])
        kids.push(await createCustomer(t, r.auth, { name, reseller: name === 'Kilo' }));
      const grandchild = await createCustomer(t, r.auth, { parentId: kids[0].id, name: 'November' });
      expect((await t.http.delete(`/api/v1/customers/${kids[2].id}`).set(r.auth)).status).toBe(204);

      const page = async (q: Record<string, unknown>) => {
        const res = await list(r.auth, q);
        return [names(res), res.body.total];
      };
      expect(await page({})).toEqual([['India', 'India', 'Kilo', 'Lima', 'Mike'], 5]);
      expect(await page({ page: 2, pageSize: 2 })).toEqual([['Kilo', 'Lima'], 5]);
      expect(await page({ page: 9, pageSize: 2 })).toEqual([[], 5]);
      expect(await page({ includeDeleted: 'true' })).toEqual([['India', 'India', 'Juliett', 'Kilo', 'Lima', 'Mike'], 6]);
      expect(await page({ recursive: 'true', page: 2, pageSize: 4 })).toEqual([['Mike', 'November'], 6]);
      expect(await page({ recursive: 'true', search: 'NOVEMBER' })).toEqual([['November'], 1]);
      expect(await page({ parentId: kids[0].id })).toEqual([['November'], 1]);
      expect(grandchild.parentId).toBe(kids[0].id);
      // Same names: older first.
      const indias = (await list(r.auth, { search: 'india' })).body.items.map((c: { id: number }) => c.id);
      expect(indias).toEqual([kids[1].id, kids[3].id]);
    });

    it('pages and counts a search exactly with more matches than one pass fetches, and with fewer', async () => {
      const r = await createReseller(t, t.auth);
      const many = 5050; // above SEARCH_ONE_PASS_MAX (5,000): SQLite counts and pages instead
      const at = testDatabaseKind() === 'sqlite' ? '2026-01-02 03:04:05.678' : new Date('2026-01-02T03:04:05.678Z');
      const cols =
        'parent_id, path, depth, type, name, email, timezone, billing_type, payment_type, currency, credit_limit, low_balance_threshold, search_text, search_unindexed, created_at, updated_at';
      await t.dataSource.transaction(async (em) => {
        for (let i = many - 1; i >= 0; i--) {
          const name = `Bulk Match ${String(i).padStart(4, '0')}`;
          const email = `bulk${i}@example.com`;
          await em.query(
            `INSERT INTO customers (${cols}) VALUES (${cols
              .split(',')
              .map(() => '?')
              .join(', ')})`,
            [
              r.id,
              `/1/${r.id}/x/`,
              2,
              'normal',
              name,
              email,
              'UTC',
              'prepaid',
              'none',
              'EUR',
              0,
              0,
              `${name.toLowerCase()}\u001f${email}`,
              false,
              at,
              at,
            ],
          );
        }
      });
      const page = async (q: Record<string, unknown>) => {
        const res = await list(r.auth, q).expect(200);
        return [names(res), res.body.total];
      };
      const expected = (from: number, to: number) =>
        Array.from({ length: to - from }, (_, i) => `Bulk Match ${String(from + i).padStart(4, '0')}`);
      expect(await page({ search: 'bulk match', page: 3, pageSize: 50 })).toEqual([expected(100, 150), many]);
      expect(await page({ search: 'BULK MATCH', page: 102, pageSize: 50 })).toEqual([expected(5050, 5050), many]);
      expect(await page({ search: 'bulk match', page: 101, pageSize: 50 })).toEqual([expected(5000, 5050), many]);
      expect(await page({ search: 'bulk match 00', page: 2, pageSize: 40 })).toEqual([expected(40, 80), 100]);
      expect(await page({ search: 'bulk match 00', page: 3, pageSize: 40 })).toEqual([expected(80, 100), 100]);
      expect(await page({ search: 'bulk match 00', page: 4, pageSize: 40 })).toEqual([[], 100]);
    });

    it('walks only IDX_customers_parent_live for a page, its count and a search (SQLite plan)', async () => {
      if (testDatabaseKind() !== 'sqlite') return; // MariaDB picks plans by statistics, which a test database does not have
      await createCustomer(t, t.auth, { name: 'Planned Papa' });
      // A page: the count and the page's ids; a search with few matches: all of them in one pass.
      for (const [query, passes] of [
        [{ page: 1 }, 2],
        [{ search: 'planned papa' }, 1],
      ] as const) {
        const sent = await statements(() => list(t.auth, query).expect(200));
        const selects = sent.filter((s) => /^SELECT\b.*\bFROM customers c WHERE c\.parent_id = \?/.test(s.sql));
        expect(selects).toHaveLength(passes);
        for (const s of selects) {
          const plan = (await t.dataSource.query(`EXPLAIN QUERY PLAN ${s.sql}`, s.params)) as Array<{ detail: string }>;
          expect(plan.map((p) => p.detail).join('; ')).toMatch(
            /USING COVERING INDEX IDX_customers_parent_live \(parent_id=\? AND deleted_at=\?\)$/,
          );
        }
      }
    });
  });

  describe('account numbers', () => {
    it('are unique per parent ignoring case, in the database too', async () => {
      const r = await createReseller(t, t.auth);
      await createCustomer(t, r.auth, { accountNumber: 'Case-1' });
      const again = await t.http
        .post('/api/v1/customers')
        .set(r.auth)
        .send({ type: 'normal', name: 'Dup', email: 'dup@example.com', accountNumber: 'CASE-1', ratePlanId: await defaultPlanId(t) });
      expect(again.status).toBe(409);
      // Straight into the table, past the service's check: the unique index refuses it as well.
      await expect(insertCustomer(t, r.id, { accountNumber: 'case-1' })).rejects.toThrow(/unique|duplicate/i);
      // Under another parent it is free.
      await createCustomer(t, t.auth, { accountNumber: 'CASE-1' });
    });

    it('are checked through the unique index (SQLite plan)', async () => {
      if (testDatabaseKind() !== 'sqlite') return;
      const repo = t.app.get(CustomersRepository);
      const sent = await statements(() => repo.accountNumberTaken(t.dataSource.manager, 1, 'abc'));
      const plan = (await t.dataSource.query(`EXPLAIN QUERY PLAN ${sent[0].sql}`, sent[0].params)) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join('; ')).toMatch(
        /USING COVERING INDEX IDX_customers_parent_account \(parent_id=\? AND account_number=\?\)/,
      );
    });
  });
});
