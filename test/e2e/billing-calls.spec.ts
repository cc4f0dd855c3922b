import { CallControlService } from '../../src/modules/billing/calls/call-control.service';
import { Money } from '../../src/shared/money';
import { insertPerson } from '../factories/rows';
import { ledgerRows } from '../factories/billing';
import { authorize, balanceState, callId, callTree, cdrBody, creditCustomer, ledgerInOrder, postCdr, update } from '../factories/calls';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

describe(`call control: authorize and CDRs on ${testDatabaseKind()}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('authorizes with the longest call every charged level can pay, reserves it, and a CDR charges each level once and releases it', async () => {
    const tree = await callTree(t, { customerCredit: '6.00' });
    const id = callId();
    const ok = await authorize(t, tree.switchAuth, { callId: id, customerId: tree.customer.id });
    expect(ok.status).toBe(200);
    // 6.00 at 1.20/min in 60 s blocks: 5 minutes.
    expect(ok.body).toEqual({ allowed: true, maxDurationSeconds: 300, customerId: tree.customer.id });
    expect(await balanceState(t, tree.customer.id)).toEqual({ balance: '6.00', reserved: '6.00', activeCalls: 0 });
    expect((await balanceState(t, tree.reseller.id)).reserved).toBe('4.50');
    // While reserved, nothing is left for a second call.
    const second = await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id });
    expect(second.body).toMatchObject({ allowed: false, reason: 'no_credit', code: 'no_credit' });
    // The same authorisation again answers the same.
    expect((await authorize(t, tree.switchAuth, { callId: id, customerId: tree.customer.id })).body).toEqual(ok.body);

    const cdr = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, id, 61));
    expect(cdr.status).toBe(201);
    expect(cdr.body).toMatchObject({ callId: id, customerId: tree.customer.id, durationSeconds: 61, replayed: false });
    expect(cdr.body.charges.map((c: any) => [c.customerId, c.kind, c.amount])).toEqual([
      [tree.customer.id, 'charge', '2.40'],
      [tree.reseller.id, 'charge', '0.92'],
      [1, 'cost', '0.61'],
    ]);
    expect(await balanceState(t, tree.customer.id)).toEqual({ balance: '3.60', reserved: '0.00', activeCalls: 0 });
    expect(await balanceState(t, tree.reseller.id)).toEqual({ balance: '-0.92', reserved: '0.00', activeCalls: 0 });
    const [charge] = (await ledgerRows(t, tree.customer.id)).filter((r) => r.type === 'call');
    expect(charge).toMatchObject({ type: 'call', currency: 'EUR', reference: id });
    expect(charge.amount.toString()).toBe('-2.40');

    expect(await ledgerInOrder(t)).toBe(true);
  });

  it("converts each level's price to the customer's currency at the time of the charge, keeping the original amount and rate", async () => {
    const rate = await t.http
      .post('/api/v1/exchange-rates')
      .set(t.auth)
      .send({ currency: 'USD', rate: '1.10', validFrom: '2026-01-01T00:00:00Z' });
    expect(rate.status).toBe(201);
    const tree = await callTree(t, { customer: { currency: 'USD' } });
    await creditCustomer(t, tree.customer.id, '13.20');
    // 13.20 USD = 12.00 EUR: ten minutes at 1.20 EUR.
    const id = callId();
    const ok = await authorize(t, tree.switchAuth, { callId: id, customerId: tree.customer.id });
    expect(ok.body).toMatchObject({ allowed: true, maxDurationSeconds: 600 });
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ reserved: '13.20' });
    const res = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, id, 60));
    expect(res.body.charges[0]).toMatchObject({ kind: 'charge', amount: '1.32', currency: 'USD' });
    const [charge] = (await ledgerRows(t, tree.customer.id)).filter((r) => r.type === 'call');
    expect([charge.amount.toString(), charge.currency, charge.originalAmount?.toString(), charge.originalCurrency]).toEqual([
      '-1.32',
      'USD',
      '-1.20',
      'EUR',
    ]);
    expect(Number(charge.exchangeRate)).toBeCloseTo(1.1, 10);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '11.88', reserved: '0.00' });
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('a replayed CDR returns the first result and moves nothing; the same call id with other data is a 409', async () => {
    const tree = await callTree(t, { customerCredit: '10.00' });
    const body = cdrBody(tree.customer.id, callId(), 30);
    const first = await postCdr(t, tree.switchAuth, body);
    expect(first.status).toBe(201);
    const replay = await postCdr(t, tree.switchAuth, body);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ ...first.body, replayed: true });
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '8.80' });
    const other = await postCdr(t, tree.switchAuth, {
      ...body,
      endedAt: new Date(Date.parse(body.endedAt as string) + 60_000).toISOString(),
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('conflict');
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '8.80' });
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('an unanswered call costs nothing at any level', async () => {
    const tree = await callTree(t, { customerCredit: '1.00' });
    const res = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), 0));
    expect(res.status).toBe(201);
    expect(res.body.charges).toEqual([]);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '1.00' });
  });

  it('refuses with every reason of API.md', async () => {
    const tree = await callTree(t, { customerCredit: '5.00' });
    const ask = (body: Record<string, unknown> = {}) =>
      authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id, ...body });

    expect((await ask({ called: '4930123' })).body).toMatchObject({ allowed: false, reason: 'no_rate' });

    await update(t, tree.customer.id, { billingType: 'none' });
    expect((await ask()).body).toMatchObject({ allowed: false, reason: 'billing_type' });
    await update(t, tree.customer.id, { billingType: 'prepaid' });

    // A lock on the ancestor refuses the descendant's calls.
    await update(t, tree.reseller.id, { lockedCalls: true });
    expect((await ask()).body).toMatchObject({ allowed: false, reason: 'locked' });
    await update(t, tree.reseller.id, { lockedCalls: false });
    await update(t, tree.customer.id, { lockedCalls: true });
    expect((await ask()).body).toMatchObject({ allowed: false, reason: 'locked' });
    await update(t, tree.customer.id, { lockedCalls: false });

    await update(t, tree.customer.id, { dailySpendLimitMicros: 0 });
    expect((await ask()).body).toMatchObject({ allowed: false, reason: 'daily_limit' });
    await update(t, tree.customer.id, { dailySpendLimitMicros: null });

    // The reseller's balance at its credit limit refuses its customers' calls too.
    await update(t, tree.reseller.id, { creditLimit: Money.ZERO });
    expect((await ask()).body).toMatchObject({ allowed: false, reason: 'no_credit' });
    await update(t, tree.reseller.id, { creditLimit: Money.of('1000') });

    await update(t, tree.customer.id, { maxConcurrentCalls: 0 });
    expect((await ask()).body).toMatchObject({ allowed: false, reason: 'concurrent_limit' });
    await update(t, tree.customer.id, { maxConcurrentCalls: null });

    expect((await ask()).body).toMatchObject({ allowed: true });
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('a prepaid customer with a credit limit may go down to -credit limit, no further', async () => {
    const tree = await callTree(t, { customer: { creditLimit: Money.of('2.40') } });
    const ok = await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id });
    expect(ok.body).toEqual({ allowed: true, maxDurationSeconds: 120, customerId: tree.customer.id });
  });

  it('external customers are rated and recorded but move no balance', async () => {
    const tree = await callTree(t, { customer: { billingType: 'external', billingReference: 'EXT-1' } });
    const ok = await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id });
    expect(ok.body.allowed).toBe(true);
    const res = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), 60));
    expect(res.body.billingReference).toBe('EXT-1');
    expect(res.body.charges[0]).toMatchObject({ kind: 'free', amount: '1.20' });
    expect(res.body.charges[1]).toMatchObject({ kind: 'charge', amount: '0.90' });
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '0.00' });
  });

  it('concurrent-call limit 2: the third is refused, and allowed again once a call ends', async () => {
    // Each call reserves the price of its longest call (4 h = 288.00 here): the balance carries three.
    const tree = await callTree(t, { customerCredit: '1000.00', customer: { maxConcurrentCalls: 2 } });
    const ids = [callId(), callId(), callId()];
    const a = await authorize(t, tree.switchAuth, { callId: ids[0], customerId: tree.customer.id });
    const b = await authorize(t, tree.switchAuth, { callId: ids[1], customerId: tree.customer.id });
    const c = await authorize(t, tree.switchAuth, { callId: ids[2], customerId: tree.customer.id });
    expect([a.body.allowed, b.body.allowed, c.body]).toEqual([
      true,
      true,
      expect.objectContaining({ allowed: false, reason: 'concurrent_limit' }),
    ]);
    expect((await balanceState(t, tree.customer.id)).activeCalls).toBe(2);
    expect((await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, ids[0], 10))).status).toBe(201);
    expect((await authorize(t, tree.switchAuth, { callId: ids[2], customerId: tree.customer.id })).body.allowed).toBe(true);
  });

  it("an ancestor's concurrent-call limit counts its whole subtree", async () => {
    const tree = await callTree(t, { customerCredit: '100.00', reseller: { maxConcurrentCalls: 1 } });
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id })).body.allowed).toBe(true);
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id })).body).toMatchObject({
      reason: 'concurrent_limit',
    });
  });

  it('a call that never ends releases its reservation after its maximum duration and the grace period', async () => {
    const tree = await callTree(t, { customerCredit: '2.40' });
    const id = callId();
    const ok = await authorize(t, tree.switchAuth, { callId: id, customerId: tree.customer.id });
    expect(ok.body.maxDurationSeconds).toBe(120);
    const service = t.app.get(CallControlService);
    expect(await service.expireCalls()).toBe(0);
    t.clock.setNow(new Date(Date.now() + (120 + 300 + 1) * 1000));
    try {
      expect(await service.expireCalls()).toBeGreaterThanOrEqual(1);
      expect(await balanceState(t, tree.customer.id)).toMatchObject({ reserved: '0.00', activeCalls: 0 });
      // A CDR arriving after the expiry still charges the call, once.
      const late = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, id, 60));
      expect(late.status).toBe(201);
      expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '1.20', reserved: '0.00' });
    } finally {
      t.clock.setNow(new Date());
    }
  });

  it('names the customer by SIP account; unknown customers and SIP accounts are 404, other branches too', async () => {
    const tree = await callTree(t, { customerCredit: '5.00' });
    const other = await callTree(t, { customerCredit: '5.00' });
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: 999999 })).status).toBe(404);
    expect((await authorize(t, tree.switchAuth, { callId: callId(), sipAccount: 'nobody-here' })).status).toBe(404);
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: other.customer.id })).status).toBe(404);
    expect((await postCdr(t, tree.switchAuth, cdrBody(other.customer.id, callId(), 5))).status).toBe(404);
    expect(await balanceState(t, other.customer.id)).toMatchObject({ balance: '5.00' });
  });

  it('refuses bad input with a 400 and moves nothing', async () => {
    const tree = await callTree(t, { customerCredit: '5.00' });
    const base = cdrBody(tree.customer.id, callId(), 30);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...base, called: '44-207' }, 'called'],
      [{ ...base, caller: 'abc' }, 'caller'],
      [{ ...base, endedAt: '2020-01-01T00:00:00Z' }, 'endedAt'],
      [{ ...base, answeredAt: new Date(Date.parse(base.endedAt as string) + 1000).toISOString() }, 'answeredAt'],
      [{ ...base, endedAt: new Date(Date.parse(base.startedAt as string) + 3 * 86_400_000).toISOString() }, 'endedAt'],
      [{ ...base, startedAt: 'yesterday' }, 'startedAt'],
      [{ ...base, callId: '' }, 'callId'],
      [{ ...base, callId: 'has space' }, 'callId'],
      [{ ...base, direction: 'sideways' }, 'direction'],
      [{ ...base, sipAccount: 'x' }, 'customerId'],
      [{ ...base, customerId: '12' }, 'customerId'],
      [{ ...base, extra: 1 }, 'extra'],
    ];
    for (const [body, field] of bad) {
      const res = await postCdr(t, tree.switchAuth, body);
      expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
      expect(res.body.details.map((d: any) => d.field)).toContain(field);
    }
    const noCustomer = await authorize(t, tree.switchAuth, { callId: callId() });
    expect(noCustomer.status).toBe(400);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '5.00', reserved: '0.00' });
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('batches: all applied in one go, replays marked; a bad item refuses the batch naming its index, nothing applied', async () => {
    const tree = await callTree(t, { customerCredit: '20.00' });
    const items = [
      cdrBody(tree.customer.id, callId(), 60),
      cdrBody(tree.customer.id, callId(), 120),
      cdrBody(tree.customer.id, callId(), 0),
    ];
    const ok = await t.http.post('/api/v1/calls/cdrs/batch').set(tree.switchAuth).send(items);
    expect(ok.status).toBe(200);
    expect(ok.body.items.map((i: any) => i.replayed)).toEqual([false, false, false]);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '16.40' });

    const fresh = cdrBody(tree.customer.id, callId(), 60);
    const mixed = await t.http
      .post('/api/v1/calls/cdrs/batch')
      .set(tree.switchAuth)
      .send([fresh, { ...items[0], called: 'x1' }, 42, { ...fresh, callId: callId(), endedAt: '2000-01-01T00:00:00Z' }]);
    expect(mixed.status).toBe(400);
    expect(mixed.body.details.map((d: any) => d.field)).toEqual(expect.arrayContaining(['[1].called', '[2]', '[3].endedAt']));
    expect(mixed.body.details.map((d: any) => d.field).some((f: string) => f.startsWith('[0]'))).toBe(false);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '16.40' });

    const noRate = await t.http
      .post('/api/v1/calls/cdrs/batch')
      .set(tree.switchAuth)
      .send([fresh, { ...cdrBody(tree.customer.id, callId(), 60), called: '4930111' }]);
    expect([noRate.status, noRate.body.code]).toEqual([422, 'no_rate']);
    expect(noRate.body.details[0].field).toBe('[1].called');

    const again = await t.http.post('/api/v1/calls/cdrs/batch').set(tree.switchAuth).send([items[1], fresh, fresh]);
    expect(again.status).toBe(200);
    expect(again.body.items.map((i: any) => i.replayed)).toEqual([true, false, true]);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '15.20' });

    expect((await t.http.post('/api/v1/calls/cdrs/batch').set(tree.switchAuth).send({ not: 'an array' })).status).toBe(400);
    expect((await t.http.post('/api/v1/calls/cdrs/batch').set(tree.switchAuth).send([])).status).toBe(400);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('users, and a customer for its own calls, may not call the switch endpoints', async () => {
    const tree = await callTree(t, { customerCredit: '1.00' });
    await creditCustomer(t, tree.customer.id, '1.00');
    const userAuth = await insertPerson(t, tree.reseller.id, { username: `u${Date.now()}`, displayName: 'U', role: 'user' });
    expect((await authorize(t, userAuth, { callId: callId(), customerId: tree.customer.id })).status).toBe(403);
    // A customer's own administrator cannot report (and so price) its own calls.
    const own = await insertPerson(t, tree.customer.id, { username: `own${Date.now()}`, displayName: 'Own' });
    expect((await authorize(t, own, { callId: callId(), customerId: tree.customer.id })).status).toBe(403);
    const cdr = await postCdr(t, own, cdrBody(tree.customer.id, callId(), 60));
    expect([cdr.status, cdr.body.code]).toEqual([403, 'forbidden']);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '2.00' });
  });
});
