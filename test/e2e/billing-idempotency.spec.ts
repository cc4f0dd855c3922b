import { randomUUID } from 'node:crypto';
import { BillingApi } from '../../src/modules/billing/billing.api';
import { IdempotencyKeyEntity } from '../../src/shared/idempotency/idempotency-key.entity';
import { IdempotencyService } from '../../src/shared/idempotency/idempotency.service';
import { Money } from '../../src/shared/money';
import { balanceRow, billingCounts, ledgerRows, postBalance } from '../factories/billing';
import { createCustomer, createReseller, type Auth, type ResellerLogin } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/** Idempotency-Key on POST /customers/:id/balance, and the kernel's IdempotencyService under it. */
describe(`billing: idempotency keys on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  const newCustomer = async () => (await createCustomer(t, reseller.auth)).id as number;

  it('answers a repeat with the first answer (status and body) and posts nothing more', async () => {
    const c = await newCustomer();
    const key = randomUUID();
    const first = await postBalance(t, reseller.auth, c, { amount: '10.00', type: 'topup', description: 'Card' }, key);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = await billingCounts(t);
    // The same body with its fields in another order is the same request.
    const again = await postBalance(t, reseller.auth, c, { description: 'Card', type: 'topup', amount: '10.00' }, key);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await billingCounts(t)).toEqual(before);
    expect(await ledgerRows(t, c)).toHaveLength(1);
    expect(await balanceRow(t, c)).toBe('10.00');
  });

  it.each([
    ['another amount', (c: number) => ({ customer: c, body: { amount: '10.01', type: 'topup' } })],
    ['another type', (c: number) => ({ customer: c, body: { amount: '10.00', type: 'credit' } })],
    ['the amount written otherwise', (c: number) => ({ customer: c, body: { amount: '10.0', type: 'topup' } })],
    ['another description', (c: number) => ({ customer: c, body: { amount: '10.00', type: 'topup', description: 'x' } })],
    ['another customer', (_c: number, other: number) => ({ customer: other, body: { amount: '10.00', type: 'topup' } })],
  ])('refuses the same key with %s: 409 conflict, nothing moved', async (_what, make) => {
    const c = await newCustomer();
    const other = await newCustomer();
    const key = randomUUID();
    await postBalance(t, reseller.auth, c, { amount: '10.00', type: 'topup' }, key).expect(201);
    const before = await billingCounts(t);
    const { customer, body } = make(c, other);
    const res = await postBalance(t, reseller.auth, customer, body, key);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'conflict' });
    expect(res.body.details).toEqual([{ field: 'Idempotency-Key', message: 'was already used for another request', code: 'conflict' }]);
    expect(await billingCounts(t)).toEqual(before);
  });

  it('keeps keys per caller: the same key from another person, or from an API key, is a request of its own', async () => {
    const c = await newCustomer();
    const key = 'order-4711';
    const mine = await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }, key).expect(201);
    const root = await postBalance(t, t.auth, c, { amount: '1.00', type: 'credit' }, key).expect(201);
    const created = await t.http.post('/api/v1/api-keys').set(reseller.auth).send({ name: 'integration' }).expect(201);
    const apiKey: Auth = { Authorization: `Bearer ${created.body.secret as string}` };
    const viaKey = await postBalance(t, apiKey, c, { amount: '1.00', type: 'credit' }, key).expect(201);
    expect(new Set([mine.body.transaction.id, root.body.transaction.id, viaKey.body.transaction.id]).size).toBe(3);
    expect(await balanceRow(t, c)).toBe('3.00');
    // Each caller's repeat replays its own answer.
    expect((await postBalance(t, apiKey, c, { amount: '1.00', type: 'credit' }, key).expect(201)).body).toEqual(viaKey.body);
    expect((await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }, key).expect(201)).body).toEqual(mine.body);
    expect(await ledgerRows(t, c)).toHaveLength(3);
  });

  it('posts every time without a key', async () => {
    const c = await newCustomer();
    await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }).expect(201);
    await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }).expect(201);
    expect(await balanceRow(t, c)).toBe('2.00');
  });

  it('remembers no refused request: the key stays free for a good one', async () => {
    const c = await newCustomer();
    const key = randomUUID();
    const before = await billingCounts(t);
    expect((await postBalance(t, reseller.auth, reseller.id, { amount: '1.00', type: 'credit' }, key)).status).toBe(403);
    expect((await postBalance(t, reseller.auth, c, { amount: '-1.00', type: 'credit' }, key)).status).toBe(400);
    expect(await billingCounts(t)).toEqual(before);
    await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }, key).expect(201);
    expect(await balanceRow(t, c)).toBe('1.00');
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['not ASCII', 'schlüssel'],
  ])('refuses a key that is %s: 400 naming Idempotency-Key', async (_what, key) => {
    const c = await newCustomer();
    const before = await billingCounts(t);
    const res = await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }, key);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
    expect(await billingCounts(t)).toEqual(before);
  });

  it('takes keys of 255 characters and keys that differ only in case as different keys', async () => {
    const c = await newCustomer();
    const long = 'K'.repeat(255);
    await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }, long).expect(201);
    await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'credit' }, long.toLowerCase()).expect(201);
    expect(await balanceRow(t, c)).toBe('2.00');
  });

  it('20 concurrent requests with one key: exactly one posts, every one answers the first answer', async () => {
    const c = await newCustomer();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postBalance(t, reseller.auth, c, { amount: '5.00', type: 'payment', reference: 'P-1' }, key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const first = answers.find((a) => a.headers['idempotent-replayed'] === undefined)!;
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    for (const a of answers) expect(a.body).toEqual(first.body);
    expect(await ledgerRows(t, c)).toHaveLength(1);
    expect(await balanceRow(t, c)).toBe('5.00');
    expect(await t.dataSource.getRepository(IdempotencyKeyEntity).countBy({ idempotencyKey: key })).toBe(1);
  });

  it('leaves neither the key nor the work when the work fails half way, and does it all on the next try', async () => {
    const c = await newCustomer();
    const idempotency = t.app.get(IdempotencyService);
    const billing = t.app.get(BillingApi);
    const before = await billingCounts(t);
    const work = (fail: boolean) =>
      idempotency.run('person:999', 'crash-test', { body: 1 }, async (em) => {
        const posted = await billing.post(em, { customerId: c, type: 'adjustment', amount: Money.of('3.00'), description: 'Half way' });
        if (fail) throw new Error('crash after the posting');
        return { status: 201, body: { balance: posted.balance.toString() } };
      });
    await expect(work(true)).rejects.toThrow('crash after the posting');
    expect(await billingCounts(t)).toEqual(before);
    expect(await balanceRow(t, c)).toBeNull();
    expect(await work(false)).toEqual({ status: 201, body: { balance: '3.00' }, replayed: false });
    expect(await work(false)).toEqual({ status: 201, body: { balance: '3.00' }, replayed: true });
    expect(await ledgerRows(t, c)).toHaveLength(1);
  });
  it('forgets keys after IDEMPOTENCY_KEY_TTL_HOURS (24): the same key is then a new request', async () => {
    const c = await newCustomer();
    const key = randomUUID();
    await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'topup' }, key).expect(201);
    const service = t.app.get(IdempotencyService);
    const repo = t.dataSource.getRepository(IdempotencyKeyEntity);
    const stored = async () => (await repo.find()).filter((k) => k.idempotencyKey === key).length;
    t.clock.setNow(new Date(Date.now() + 23 * 3_600_000));
    try {
      await service.forgetExpired();
      expect(await stored()).toBe(1);
      t.clock.setNow(new Date(Date.now() + 24 * 3_600_000 + 60_000));
      expect(await service.forgetExpired()).toBeGreaterThanOrEqual(1);
      expect(await stored()).toBe(0);
      t.clock.setNow(new Date()); // back to now, where the login token is still valid
      const again = await postBalance(t, reseller.auth, c, { amount: '1.00', type: 'topup' }, key);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(await balanceRow(t, c)).toBe('2.00');
    } finally {
      t.clock.setNow(new Date());
    }
  });
});
