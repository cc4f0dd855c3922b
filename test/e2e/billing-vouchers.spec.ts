import { parse } from 'csv-parse/sync';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { VOUCHER_ACCOUNT_THROTTLE } from '../../src/modules/billing/vouchers/redemption-rules';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { Dec, Money } from '../../src/shared/money';
import { ThrottleService } from '../../src/shared/throttle.service';
import { balanceRow, billingCounts, ledgerRows } from '../factories/billing';
import { createCustomerWithLogin, createPersonWithLogin, createReseller, type ResellerLogin, unique } from '../factories/customers';
import { batchRow, clearThrottle, createBatch, postBatch, redeem, serialsOf, throttleRows, voucherRows } from '../factories/vouchers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/** Voucher batches (issue, list, export, lock) and redemption (once, converted, refused, throttled). */
describe(`billing: vouchers on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  /** The system currency, and another one with an exchange rate. */
  let sys: string;
  let other: string;
  const RATE = '1.0825';
  let reseller: ResellerLogin;
  /** A prepaid customer of the reseller, in the system currency, with account number ACC-… */
  let customer: ResellerLogin;
  let account: string;
  /** Another reseller (another branch) and its customer. */
  let stranger: ResellerLogin;
  let strangerCustomer: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    sys = (await t.http.get('/api/v1/system').set(t.auth).expect(200)).body.currency as string;
    other = sys === 'USD' ? 'GBP' : 'USD';
    await t.http
      .post('/api/v1/exchange-rates')
      .set(t.auth)
      .send({ currency: other, rate: RATE, validFrom: '2020-01-01T00:00:00Z' })
      .expect(201);
    reseller = await createReseller(t, t.auth, { currency: sys });
    account = unique('ACC-');
    customer = await createCustomerWithLogin(t, reseller.auth, { accountNumber: account, currency: sys });
    stranger = await createReseller(t, t.auth, { currency: sys });
    strangerCustomer = await createCustomerWithLogin(t, stranger.auth, { accountNumber: account, currency: sys });
  });
  afterAll(() => t.close());
  beforeEach(() => clearThrottle(t));

  describe('batches', () => {
    it('issues a batch: random unique serials of the asked length, audited without the serials', async () => {
      const res = await postBatch(t, reseller.auth, { name: 'Cards', value: '12.5', currency: sys, count: 50, serialLength: 12 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        ownerId: reseller.id,
        name: 'Cards',
        value: '12.50',
        currency: sys,
        count: 50,
        redeemed: 0,
        serialLength: 12,
        expiresAt: null,
        locked: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const serials = await serialsOf(t, res.body.id);
      expect(serials).toHaveLength(50);
      expect(new Set(serials).size).toBe(50);
      for (const s of serials) expect(s).toMatch(/^[1-9]\d{11}$/);
      const audit = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findOneByOrFail({ action: 'voucher_batch_created', entityId: String(res.body.id) });
      expect(audit.customerId).toBe(reseller.id);
      for (const s of serials) expect(audit.details).not.toContain(s);
      // The default length is 16.
      const dflt = await createBatch(t, reseller.auth, { count: 1 });
      expect(dflt.serialLength).toBe(16);
      expect((await serialsOf(t, dflt.id))[0]).toHaveLength(16);
    });

    const bad: Array<[string, Record<string, unknown>, string]> = [
      ['a count of 0', { count: 0 }, 'count'],
      ['a count above 100000', { count: 100001 }, 'count'],
      ['a serial length of 7', { serialLength: 7 }, 'serialLength'],
      ['a serial length of 33', { serialLength: 33 }, 'serialLength'],
      ['a value of 0', { value: '0.00' }, 'value'],
      ['a value as a JSON number', { value: 10 }, 'value'],
      ['a value with 7 places', { value: '1.0000001' }, 'value'],
      ['an unknown currency', { currency: 'EURO' }, 'currency'],
      ['an expiry in the past', { expiresAt: '2000-01-01T00:00:00Z' }, 'expiresAt'],
      ['an expiry without offset', { expiresAt: '2099-01-01T00:00:00' }, 'expiresAt'],
      ['an empty name', { name: '' }, 'name'],
      ['an unknown field', { serials: ['1'] }, 'serials'],
    ];
    it.each(bad)('%s: 400 naming the field, nothing made', async (_what, body, field) => {
      const before = await t.dataSource.query('SELECT COUNT(*) AS n FROM vouchers');
      const res = await postBatch(t, reseller.auth, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await t.dataSource.query('SELECT COUNT(*) AS n FROM vouchers')).toEqual(before);
    });

    it('only administrators of resellers (or the system owner) issue batches', async () => {
      expect((await postBatch(t, customer.auth)).status).toBe(403);
      const user = await createPersonWithLogin(t, reseller.auth, reseller.id, { role: 'user' });
      expect((await postBatch(t, user.auth)).status).toBe(403);
      expect((await postBatch(t, t.auth, { count: 1 })).status).toBe(201);
    });

    it('lists the caller’s batches, newest first, paged and searchable; ownerId reaches into the tree only', async () => {
      const r = await createReseller(t, t.auth);
      for (const name of ['Spring A', 'Summer B', 'Spring C']) await createBatch(t, r.auth, { name, count: 1 });
      const all = await t.http.get('/api/v1/voucher-batches?pageSize=2').set(r.auth).expect(200);
      expect(all.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
      expect(all.body.items.map((b: { name: string }) => b.name)).toEqual(['Spring C', 'Summer B']);
      const found = await t.http.get('/api/v1/voucher-batches?search=spring').set(r.auth).expect(200);
      expect(found.body.items.map((b: { name: string }) => b.name)).toEqual(['Spring C', 'Spring A']);
      // The system owner lists them with ownerId; another reseller cannot.
      expect((await t.http.get(`/api/v1/voucher-batches?ownerId=${r.id}`).set(t.auth).expect(200)).body.total).toBe(3);
      expect((await t.http.get(`/api/v1/voucher-batches?ownerId=${r.id}`).set(stranger.auth)).status).toBe(404);
      expect(
        (await t.http.get('/api/v1/voucher-batches').set(stranger.auth).expect(200)).body.items.map((b: { ownerId: number }) => b.ownerId),
      ).not.toContain(r.id);
    });

    it('another branch’s batch answers 404 everywhere; an ancestor sees it but not its serials', async () => {
      const b = await createBatch(t, reseller.auth, { count: 2 });
      for (const auth of [stranger.auth, strangerCustomer.auth, customer.auth]) {
        expect((await t.http.get(`/api/v1/voucher-batches/${b.id}`).set(auth)).status).toBe(404);
        expect((await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers`).set(auth)).status).toBe(404);
        expect((await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?format=csv`).set(auth)).status).toBe(404);
        expect((await t.http.patch(`/api/v1/voucher-batches/${b.id}`).set(auth).send({ locked: true })).status).toBe(404);
      }
      expect((await t.http.get(`/api/v1/voucher-batches/${b.id}`).set(t.auth).expect(200)).body.id).toBe(b.id);
      const serialsAsAncestor = await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers`).set(t.auth);
      expect(serialsAsAncestor.status).toBe(403);
      expect(JSON.stringify(serialsAsAncestor.body)).not.toMatch(/\d{16}/);
      expect((await t.http.get('/api/v1/voucher-batches/999999').set(reseller.auth)).status).toBe(404);
    });

    it('pages the vouchers as JSON and exports them all as CSV that parses back', async () => {
      const b = await createBatch(t, reseller.auth, { count: 7, value: '5', currency: other, expiresAt: '2099-12-31T23:59:59Z' });
      const rows = await voucherRows(t, b.id);
      const page = await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?pageSize=3&page=2`).set(reseller.auth).expect(200);
      expect(page.body).toEqual({
        items: rows.slice(3, 6).map((v) => ({ id: v.id, serial: v.serial, redeemedAt: null, redeemedByCustomerId: null })),
        page: 2,
        pageSize: 3,
        total: 7,
      });
      const csv = await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?format=csv`).set(reseller.auth).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="voucher-batch-${b.id}.csv"`);
      const records = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
      expect(Object.keys(records[0])).toEqual(['serial', 'value', 'currency', 'expires', 'redeemed_at', 'redeemed_by_customer_id']);
      expect(records).toEqual(
        rows.map((v) => ({
          serial: v.serial,
          value: '5.00',
          currency: other,
          expires: '2099-12-31T23:59:59.000Z',
          redeemed_at: '',
          redeemed_by_customer_id: '',
        })),
      );
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'voucher_batch_exported', entityId: String(b.id) })).toBe(
        1,
      );
    });

    it('writes a large batch in several statements, all serials unique; the vouchers list filters by status', async () => {
      const b = await createBatch(t, reseller.auth, { count: 1234, serialLength: 8, currency: sys });
      const serials = await serialsOf(t, b.id);
      expect(serials).toHaveLength(1234);
      expect(new Set(serials).size).toBe(1234);
      const [first] = serials;
      await redeem(t, customer.auth, { accountNumber: account, serial: first }).expect(201);
      const redeemedOnly = await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?status=redeemed`).set(reseller.auth).expect(200);
      expect(redeemedOnly.body.items.map((v: { serial: string }) => v.serial)).toEqual([first]);
      const open = await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?status=unredeemed&pageSize=1`).set(reseller.auth).expect(200);
      expect(open.body.total).toBe(1233);
      const csv = parse((await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?format=csv`).set(reseller.auth).expect(200)).text, {
        columns: true,
      }) as Array<{ serial: string }>;
      expect(csv.map((r) => r.serial)).toEqual(serials);
    });

    it('locks and unlocks a batch (audited once per change); ancestors switch to the issuer first', async () => {
      const b = await createBatch(t, reseller.auth, { count: 1 });
      const locked = await t.http.patch(`/api/v1/voucher-batches/${b.id}`).set(reseller.auth).send({ locked: true }).expect(200);
      expect(locked.body.locked).toBe(true);
      await t.http.patch(`/api/v1/voucher-batches/${b.id}`).set(reseller.auth).send({ locked: true }).expect(200);
      expect((await batchRow(t, b.id)).locked).toBeTruthy();
      await t.http.patch(`/api/v1/voucher-batches/${b.id}`).set(reseller.auth).send({ locked: false }).expect(200);
      const audit = t.dataSource.getRepository(AuditEntryEntity);
      expect(await audit.countBy({ action: 'voucher_batch_locked', entityId: String(b.id) })).toBe(1);
      expect(await audit.countBy({ action: 'voucher_batch_unlocked', entityId: String(b.id) })).toBe(1);
      expect((await t.http.patch(`/api/v1/voucher-batches/${b.id}`).set(t.auth).send({ locked: true })).status).toBe(403);
      expect((await t.http.patch(`/api/v1/voucher-batches/${b.id}`).set(reseller.auth).send({ locked: 'yes' })).status).toBe(400);
    });
  });

  describe('redemption', () => {
    it('credits the value once, with a voucher transaction whose reference masks the serial; audited', async () => {
      const b = await createBatch(t, reseller.auth, { count: 2, value: '7.25', currency: sys });
      const [serial] = await serialsOf(t, b.id);
      const before = (await balanceRow(t, customer.id)) ?? '0.00';
      const res = await redeem(t, customer.auth, {
        accountNumber: account.toLowerCase(),
        serial: `${serial.slice(0, 4)} ${serial.slice(4, 8)}-${serial.slice(8)}`,
      });
      expect(res.status).toBe(201);
      const expected = Money.of(before).plus(Money.of('7.25')).toString();
      expect(res.body).toEqual({
        amount: '7.25',
        currency: sys,
        balance: expected,
        customerId: customer.id,
        transactionId: expect.any(Number),
      });
      const rows = await ledgerRows(t, customer.id);
      const tx = rows[rows.length - 1];
      expect(tx).toMatchObject({
        id: res.body.transactionId,
        type: 'voucher',
        currency: sys,
        originalAmount: null,
        originalCurrency: null,
        exchangeRate: null,
        reference: `****${serial.slice(-4)}`,
      });
      expect(tx.amount.toString()).toBe('7.25');
      expect(tx.description).not.toContain(serial);
      expect(await balanceRow(t, customer.id)).toBe(expected);
      const [v] = await voucherRows(t, b.id);
      expect(v).toMatchObject({ redeemedByCustomerId: customer.id, ledgerTransactionId: tx.id });
      expect(v.redeemedAt).toBeInstanceOf(Date);
      const audit = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findOneByOrFail({ action: 'voucher_redeemed', entityId: String(v.id) });
      expect(audit.customerId).toBe(customer.id);
      expect(audit.details).not.toContain(serial);
      expect((await t.http.get(`/api/v1/voucher-batches/${b.id}`).set(reseller.auth).expect(200)).body.redeemed).toBe(1);
      // Shown to the issuer in the vouchers list and the CSV.
      const csv = parse((await t.http.get(`/api/v1/voucher-batches/${b.id}/vouchers?format=csv`).set(reseller.auth).expect(200)).text, {
        columns: true,
      }) as Array<Record<string, string>>;
      expect(csv[0]).toMatchObject({ serial, redeemed_at: v.redeemedAt!.toISOString(), redeemed_by_customer_id: String(customer.id) });
      // Once.
      const again = await redeem(t, customer.auth, { accountNumber: account, serial });
      expect(again.status).toBe(422);
      expect(again.body.code).toBe('voucher_unavailable');
    });

    it("converts the value to the customer's currency at the rate in force, keeping the original amount and rate", async () => {
      const foreign = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('FX-'), currency: other });
      const b = await createBatch(t, reseller.auth, { count: 1, value: '10.00', currency: sys });
      const [serial] = await serialsOf(t, b.id);
      const res = await redeem(t, foreign.auth, { accountNumber: foreign.body.accountNumber, serial }).expect(201);
      expect(res.body).toMatchObject({ amount: Money.of(new Dec('10').times(RATE)).toString(), currency: other });
      const [tx] = await ledgerRows(t, foreign.id);
      expect(tx.originalAmount?.toString()).toBe('10.00');
      expect(tx).toMatchObject({ type: 'voucher', currency: other, originalCurrency: sys, exchangeRate: RATE });

      // The other way round: a voucher in the other currency, a customer in the system currency.
      const back = await createBatch(t, reseller.auth, { count: 1, value: '10.00', currency: other });
      const [serial2] = await serialsOf(t, back.id);
      const c = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('SYS-'), currency: sys });
      const res2 = await redeem(t, c.auth, { accountNumber: c.body.accountNumber, serial: serial2 }).expect(201);
      expect(res2.body.amount).toBe(Money.of(new Dec('10').dividedBy(RATE)).toString());
      const [tx2] = await ledgerRows(t, c.id);
      expect(tx2).toMatchObject({ originalCurrency: other, exchangeRate: new Dec(1).dividedBy(RATE).toSignificantDigits(20).toFixed() });
    });

    it('may be redeemed by the customer’s users and by administrators of its ancestors', async () => {
      const b = await createBatch(t, reseller.auth, { count: 3, value: '1.00', currency: sys });
      const [s1, s2, s3] = await serialsOf(t, b.id);
      const user = await createPersonWithLogin(t, customer.auth, customer.id, { role: 'user' });
      expect((await redeem(t, user.auth, { accountNumber: account, serial: s1 })).status).toBe(201);
      expect((await redeem(t, reseller.auth, { accountNumber: account, serial: s2 })).status).toBe(201);
      expect((await redeem(t, t.auth, { accountNumber: account, serial: s3 })).status).toBe(201);
    });

    it('honours an Idempotency-Key: the repeat answers the first answer and credits nothing more', async () => {
      const b = await createBatch(t, reseller.auth, { count: 1, value: '2.00', currency: sys });
      const [serial] = await serialsOf(t, b.id);
      const first = await redeem(t, customer.auth, { accountNumber: account, serial }, 'redeem-key-1').expect(201);
      const count = (await ledgerRows(t, customer.id)).length;
      const second = await redeem(t, customer.auth, { accountNumber: account, serial }, 'redeem-key-1').expect(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(await ledgerRows(t, customer.id)).toHaveLength(count);
      expect((await redeem(t, customer.auth, { accountNumber: 'other', serial }, 'redeem-key-1')).status).toBe(409);
    });

    describe('refusals change nothing', () => {
      /** Redeems and checks the answer, and that no balance, transaction or voucher changed. */
      async function refused(auth: ResellerLogin['auth'], body: Record<string, unknown>, status: number, code: string) {
        const before = {
          billing: await billingCounts(t),
          vouchers: await t.dataSource.query('SELECT COUNT(*) AS n FROM vouchers WHERE redeemed_at IS NOT NULL'),
        };
        const res = await redeem(t, auth, body);
        expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
        expect({
          billing: await billingCounts(t),
          vouchers: await t.dataSource.query('SELECT COUNT(*) AS n FROM vouchers WHERE redeemed_at IS NOT NULL'),
        }).toEqual(before);
        return res;
      }

      it('an unknown serial and an account number that does not go with it get the very same answer', async () => {
        const b = await createBatch(t, reseller.auth, { count: 1, currency: sys });
        const [serial] = await serialsOf(t, b.id);
        const unknown = await refused(customer.auth, { accountNumber: account, serial: '1234567890123456' }, 422, 'voucher_invalid');
        const wrongAccount = await refused(customer.auth, { accountNumber: 'NO-SUCH', serial }, 422, 'voucher_invalid');
        // The same account number under another parent: the voucher is not its parent's.
        const otherParent = await refused(strangerCustomer.auth, { accountNumber: account, serial }, 422, 'voucher_invalid');
        // A caller whose tree does not hold the customer.
        const outside = await refused(stranger.auth, { accountNumber: account, serial }, 422, 'voucher_invalid');
        for (const r of [wrongAccount, otherParent, outside]) expect(r.body).toEqual(unknown.body);
        expect(unknown.body.message).toBe('no voucher with this serial for this account number');
      });

      it('a locked, an expired and a used voucher: 422 voucher_unavailable saying which', async () => {
        const locked = await createBatch(t, reseller.auth, { count: 1, locked: true, currency: sys });
        const r1 = await refused(
          customer.auth,
          { accountNumber: account, serial: (await serialsOf(t, locked.id))[0] },
          422,
          'voucher_unavailable',
        );
        expect(r1.body.message).toMatch(/locked/);

        const soon = new Date(t.clock.now().getTime() + 60_000).toISOString();
        const expiring = await createBatch(t, reseller.auth, { count: 1, expiresAt: soon, currency: sys });
        await t.http
          .put('/api/v1/test/clock')
          .set(t.auth)
          .send({ now: new Date(Date.parse(soon) + 1000).toISOString() })
          .expect(200);
        // (The test clock only moves forward in this file.)
        const r2 = await refused(
          customer.auth,
          { accountNumber: account, serial: (await serialsOf(t, expiring.id))[0] },
          422,
          'voucher_unavailable',
        );
        expect(r2.body.message).toMatch(/expired/);

        const used = await createBatch(t, reseller.auth, { count: 1, currency: sys });
        const [serial] = await serialsOf(t, used.id);
        await redeem(t, customer.auth, { accountNumber: account, serial }).expect(201);
        const r3 = await refused(customer.auth, { accountNumber: account, serial }, 422, 'voucher_unavailable');
        expect(r3.body.message).toMatch(/already redeemed/);
      });

      it.each(['postpaid', 'external', 'none'])('a customer billed %s: 422 voucher_not_allowed', async (billingType) => {
        const c = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('PP-'), currency: sys, billingType });
        const b = await createBatch(t, reseller.auth, { count: 1, currency: sys });
        await refused(c.auth, { accountNumber: c.body.accountNumber, serial: (await serialsOf(t, b.id))[0] }, 422, 'voucher_not_allowed');
      });

      it('prepaid_calls and prepaid_invoices may redeem', async () => {
        for (const billingType of ['prepaid_calls', 'prepaid_invoices']) {
          const c = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('PC-'), currency: sys, billingType });
          const b = await createBatch(t, reseller.auth, { count: 1, currency: sys });
          expect((await redeem(t, c.auth, { accountNumber: c.body.accountNumber, serial: (await serialsOf(t, b.id))[0] })).status).toBe(
            201,
          );
        }
      });

      it('a malformed serial or account number: 400 naming the field', async () => {
        await refused(customer.auth, { accountNumber: account, serial: '1234' }, 400, 'validation_failed');
        await refused(customer.auth, { accountNumber: account, serial: 12345678 }, 400, 'validation_failed');
        await refused(customer.auth, { accountNumber: '', serial: '12345678' }, 400, 'validation_failed');
        await refused(customer.auth, { serial: '12345678' }, 400, 'validation_failed');
      });

      it('no exchange rate in force for the voucher’s currency: 422 no_exchange_rate, the voucher stays usable', async () => {
        const b = await createBatch(t, reseller.auth, { count: 1, currency: 'CHF' });
        const [serial] = await serialsOf(t, b.id);
        await refused(customer.auth, { accountNumber: account, serial }, 422, 'no_exchange_rate');
        expect((await voucherRows(t, b.id))[0].redeemedAt).toBeNull();
      });
    });

    it('20 concurrent attempts on one voucher by two customers: exactly one succeeds, one credit', async () => {
      const second = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('RACE-'), currency: sys });
      const b = await createBatch(t, reseller.auth, { count: 1, value: '3.00', currency: sys });
      const [serial] = await serialsOf(t, b.id);
      const before = { first: (await ledgerRows(t, customer.id)).length, second: (await ledgerRows(t, second.id)).length };
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2
            ? redeem(t, second.auth, { accountNumber: second.body.accountNumber, serial })
            : redeem(t, customer.auth, { accountNumber: account, serial }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, ...Array(19).fill(422)]);
      expect(answers.filter((a) => a.status === 422).every((a) => a.body.code === 'voucher_unavailable')).toBe(true);
      const winner = answers.find((a) => a.status === 201)!.body.customerId as number;
      const after = { first: (await ledgerRows(t, customer.id)).length, second: (await ledgerRows(t, second.id)).length };
      expect(after.first + after.second).toBe(before.first + before.second + 1);
      const [v] = await voucherRows(t, b.id);
      expect(v.redeemedByCustomerId).toBe(winner);
      expect(await t.app.get(BillingApi).verifyLedger(t.dataSource.manager)).toEqual([]);
    });

    describe('throttling', () => {
      it(`blocks an account after ${VOUCHER_ACCOUNT_THROTTLE.maxFailures} guesses, before trying the redemption, until the block ends`, async () => {
        const b = await createBatch(t, reseller.auth, { count: 1, currency: sys });
        const [serial] = await serialsOf(t, b.id);
        for (let i = 0; i < VOUCHER_ACCOUNT_THROTTLE.maxFailures; i++) {
          expect((await redeem(t, customer.auth, { accountNumber: account, serial: `99999999${i}` })).status).toBe(422);
        }
        const before = await billingCounts(t);
        const blocked = await redeem(t, customer.auth, { accountNumber: account, serial });
        expect(blocked.status).toBe(429);
        expect(blocked.body.code).toBe('throttled');
        expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
        expect(await billingCounts(t)).toEqual(before);
        expect((await voucherRows(t, b.id))[0].redeemedAt).toBeNull();
        // Another customer of the same parent is not blocked by it.
        const neighbour = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('N-'), currency: sys });
        expect((await redeem(t, neighbour.auth, { accountNumber: neighbour.body.accountNumber, serial: '12345678' })).status).toBe(422);
        // When the block is over, the voucher redeems.
        const later = new Date(t.clock.now().getTime() + (VOUCHER_ACCOUNT_THROTTLE.blockSeconds + 1) * 1000).toISOString();
        await t.http.put('/api/v1/test/clock').set(t.auth).send({ now: later }).expect(200);
        expect((await redeem(t, customer.auth, { accountNumber: account, serial })).status).toBe(201);
      });

      it('tries at most the limit of parallel guesses: each tried one is a failure, the rest 429 untried, and the account ends blocked', async () => {
        const c = await createCustomerWithLogin(t, reseller.auth, { accountNumber: unique('PAR-'), currency: sys });
        const answers = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            redeem(t, c.auth, { accountNumber: c.body.accountNumber, serial: `7777777${String(i).padStart(3, '0')}` }),
          ),
        );
        const invalid = answers.filter((a) => a.status === 422).length;
        expect(answers.every((a) => a.status === 422 || a.status === 429)).toBe(true);
        expect(invalid).toBe(VOUCHER_ACCOUNT_THROTTLE.maxFailures);
        const [row] = await throttleRows(t, `voucher:account:${reseller.id}:${String(c.body.accountNumber).toLowerCase()}`);
        expect(row).toMatchObject({ failures: invalid, blocked: true });
        const [ip] = await throttleRows(t, 'voucher:ip:');
        expect(ip.failures).toBe(invalid);
      });

      it('ThrottleService.recordFailure is atomic: 40 parallel failures on one key count 40', async () => {
        const throttle = t.app.get(ThrottleService);
        const key = `test:${unique('k')}`;
        await Promise.all(
          Array.from({ length: 40 }, () =>
            throttle.recordFailure([{ key, policy: { maxFailures: 50, windowSeconds: 60, blockSeconds: 60 } }]),
          ),
        );
        expect(await throttleRows(t, key)).toEqual([{ key, failures: 40, blocked: false }]);
        const more = await Promise.allSettled(
          Array.from({ length: 15 }, () => throttle.recordFailure([{ key, policy: { maxFailures: 50, windowSeconds: 60, blockSeconds: 60 } }])),
        );
        expect(more.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
        expect(await throttleRows(t, key)).toEqual([{ key, failures: 50, blocked: true }]);
      });

      it('blocks a client address after many guesses on different accounts', async () => {
        const throttle = t.app.get(ThrottleService);
        await redeem(t, customer.auth, { accountNumber: 'nobody', serial: '12345678' }).expect(422);
        const [ip] = await throttleRows(t, 'voucher:ip:');
        await Promise.allSettled(
          Array.from({ length: 40 }, () => throttle.recordFailure([{ key: ip.key, policy: { maxFailures: 30, windowSeconds: 3600, blockSeconds: 3600 } }])),
        );
        const res = await redeem(t, customer.auth, { accountNumber: unique('fresh-'), serial: '12345678' });
        expect(res.status).toBe(429);
      });
    });

    it('is described in the OpenAPI document, errors included', async () => {
      const doc = (await t.http.get('/api/docs-json').expect(200)).body;
      const redeemOp = doc.paths['/api/v1/vouchers/redeem'].post;
      expect(Object.keys(redeemOp.responses)).toEqual(expect.arrayContaining(['201', '400', '422', '429']));
      expect(redeemOp.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
      expect(Object.keys(doc.paths['/api/v1/voucher-batches'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '403']));
      expect(doc.paths['/api/v1/voucher-batches'].get.summary).toBeTruthy();
      expect(Object.keys(doc.paths['/api/v1/voucher-batches/{id}'].patch.responses)).toEqual(expect.arrayContaining(['200', '403', '404']));
      expect(doc.paths['/api/v1/voucher-batches/{id}/vouchers'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['id', 'page', 'pageSize', 'format', 'status']),
      );
      expect(doc.components.schemas.RedeemVoucherDto.required).toEqual(['accountNumber', 'serial']);
    });

    it('leaves the ledger verified', async () => {
      expect(await t.app.get(BillingApi).verifyLedger(t.dataSource.manager)).toEqual([]);
    });
  });
});
