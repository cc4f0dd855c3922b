import { CallControlService } from '../../src/modules/billing/calls/call-control.service';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { Money } from '../../src/shared/money';
import { ledgerRows } from '../factories/billing';
import { authorize, balanceState, callId, callTree, cdrBody, ledgerInOrder, postCdr } from '../factories/calls';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/**
 * Call control under parallel requests: on MariaDB real concurrent transactions (balance rows locked in
 * key order, the unique call id), on SQLite the same requests queued by the app.
 */
describe(`call control under concurrency on ${testDatabaseKind()}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    // A one-minute cap: each call reserves 1.20, so the customer's 24.00 carries 20 calls at once.
    t = await startTestApp({ CALL_MAX_SECONDS: '60' });
  });
  afterAll(() => t.close());

  it('200 concurrent authorize + CDR pairs on credit for 20 calls: overdraw at most one increment per call, balance == ledger', async () => {
    const tree = await callTree(t, { customerCredit: '24.00' });
    const pairs = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const id = callId('pair');
        const auth = await authorize(t, tree.switchAuth, { callId: id, customerId: tree.customer.id });
        expect(auth.status).toBe(200);
        if (!auth.body.allowed) return { allowed: false as const, reason: auth.body.reason as string };
        // Half the switches hang up at the maximum, half a second late (one more increment).
        const overran = i % 2 === 1;
        const seconds = auth.body.maxDurationSeconds + (overran ? 1 : 0);
        const cdr = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, id, seconds, new Date(Date.now() - 600_000)));
        expect(cdr.status).toBe(201);
        return { allowed: true as const, overran };
      }),
    );
    const allowed = pairs.filter((p) => p.allowed);
    const overruns = pairs.filter((p) => p.allowed && p.overran).length;
    expect(allowed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(pairs.filter((p) => !p.allowed).map((p) => (p as { reason: string }).reason))).toEqual(new Set(['no_credit']));

    const state = await balanceState(t, tree.customer.id);
    expect(state).toMatchObject({ reserved: '0.00', activeCalls: 0 });
    const floor = Money.of('-1.20').times(overruns);
    expect(Money.of(state.balance).gte(floor)).toBe(true);
    // Each call within its reservation costs 1.20, each late one 2.40: the balance is exactly what was charged.
    const calls = (await ledgerRows(t, tree.customer.id)).filter((r) => r.type === 'call');
    expect(calls).toHaveLength(allowed.length);
    expect(Money.of(state.balance).equals(Money.of('24.00').minus(Money.of('1.20').times(allowed.length + overruns)))).toBe(true);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('every CDR posted twice at once: each level is charged once', async () => {
    const tree = await callTree(t, { customerCredit: '100.00' });
    const bodies = Array.from({ length: 25 }, () => cdrBody(tree.customer.id, callId('twice'), 60));
    const answers = await Promise.all(bodies.flatMap((b) => [postCdr(t, tree.switchAuth, b), postCdr(t, tree.switchAuth, b)]));
    for (let i = 0; i < bodies.length; i++) {
      const pair = [answers[2 * i], answers[2 * i + 1]];
      expect(pair.map((a) => a.status).sort()).toEqual([200, 201]);
      expect(pair.map((a) => a.body.replayed).sort()).toEqual([false, true]);
      expect(pair[0].body.charges).toEqual(pair[1].body.charges);
    }
    expect((await ledgerRows(t, tree.customer.id)).filter((r) => r.type === 'call')).toHaveLength(25);
    expect((await ledgerRows(t, tree.reseller.id)).filter((r) => r.type === 'call')).toHaveLength(25);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '70.00' });
    expect(await balanceState(t, tree.reseller.id)).toMatchObject({ balance: '-22.50' });
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('the same batch posted three times at once, overlapping single CDRs: every call charged once', async () => {
    const tree = await callTree(t, { customerCredit: '100.00' });
    const bodies = Array.from({ length: 20 }, () => cdrBody(tree.customer.id, callId('batch'), 60));
    const answers = await Promise.all([
      t.http.post('/api/v1/calls/cdrs/batch').set(tree.switchAuth).send(bodies),
      t.http.post('/api/v1/calls/cdrs/batch').set(tree.switchAuth).send(bodies),
      t.http
        .post('/api/v1/calls/cdrs/batch')
        .set(tree.switchAuth)
        .send([...bodies].reverse()),
      ...bodies.slice(0, 5).map((b) => postCdr(t, tree.switchAuth, b)),
    ]);
    for (const a of answers) expect([200, 201]).toContain(a.status);
    expect((await ledgerRows(t, tree.customer.id)).filter((r) => r.type === 'call')).toHaveLength(20);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ balance: '76.00' });
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it('concurrent authorisations against a limit of 2: exactly two get through', async () => {
    const tree = await callTree(t, { customerCredit: '100.00', customer: { maxConcurrentCalls: 2 } });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => authorize(t, tree.switchAuth, { callId: callId('lim'), customerId: tree.customer.id })),
    );
    expect(answers.filter((a) => a.body.allowed)).toHaveLength(2);
    expect(answers.filter((a) => a.body.reason === 'concurrent_limit')).toHaveLength(10);
    expect(await balanceState(t, tree.customer.id)).toMatchObject({ activeCalls: 2, reserved: '2.40' });
  });
});

describe(`the daily spend limit in the customer's time zone on ${testDatabaseKind()}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ CALL_MAX_SECONDS: '60' });
  });
  afterAll(async () => {
    t.clock.setNow(new Date());
    await t.close();
  });

  const at = (iso: string) => t.clock.setNow(new Date(iso));
  const cdrNow = (customerId: number) => cdrBody(customerId, callId('day'), 60, new Date(t.clock.now().getTime() - 120_000));
  const customerRow = (id: number) => t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id });

  it('counts from midnight in Pacific/Auckland, locks when reached, emails customer and parent, and lifts after the local day', async () => {
    const tree = await callTree(t, {
      customerCredit: '50.00',
      customer: { timezone: 'Pacific/Auckland', dailySpendLimitMicros: 3_000_000 },
    });
    // 10:50 UTC is 23:50 on 3 December in Auckland (UTC+13).
    at('2026-12-03T10:50:00Z');
    for (let i = 0; i < 2; i++) expect((await postCdr(t, tree.switchAuth, cdrNow(tree.customer.id))).status).toBe(201);
    expect((await customerRow(tree.customer.id)).lockedCalls).toBe(false);

    // 11:10 UTC, still 3 December in UTC, is 00:10 on 4 December there: a new day begins with 1.20.
    at('2026-12-03T11:10:00Z');
    expect((await postCdr(t, tree.switchAuth, cdrNow(tree.customer.id))).status).toBe(201);
    expect((await customerRow(tree.customer.id)).lockedCalls).toBe(false);
    expect((await postCdr(t, tree.switchAuth, cdrNow(tree.customer.id))).status).toBe(201);
    expect((await customerRow(tree.customer.id)).lockedCalls).toBe(false);
    // Daily remaining 0.60 cannot pay a 60-second block: refused for the limit before it is reached.
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id })).body).toMatchObject({
      reason: 'daily_limit',
    });
    // The third call of the day reaches 3.00: locked, with the reason.
    expect((await postCdr(t, tree.switchAuth, cdrNow(tree.customer.id))).status).toBe(201);
    const locked = await customerRow(tree.customer.id);
    expect([locked.lockedCalls, locked.lockReason]).toEqual([true, 'Daily spend limit reached on 2026-12-04']);
    const mails = await t.dataSource
      .getRepository(OutboxEmailEntity)
      .find({ where: { template: 'daily-limit-reached' }, order: { id: 'ASC' } });
    expect(mails.map((m) => m.customerId)).toEqual([tree.customer.id, tree.reseller.id]);
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id })).body).toMatchObject({
      reason: 'locked',
    });

    const service = t.app.get(CallControlService);
    at('2026-12-04T10:50:00Z'); // 23:50 on 4 December there: still locked.
    expect(await service.liftDailyLocks()).toBe(0);
    expect((await customerRow(tree.customer.id)).lockedCalls).toBe(true);
    at('2026-12-04T11:05:00Z'); // 00:05 on 5 December.
    expect(await service.liftDailyLocks()).toBe(1);
    expect((await customerRow(tree.customer.id)).lockedCalls).toBe(false);
    expect((await authorize(t, tree.switchAuth, { callId: callId(), customerId: tree.customer.id })).body.allowed).toBe(true);
    expect(await ledgerInOrder(t)).toBe(true);
  });

  it("an operator's own lock is not lifted by the daily job", async () => {
    const tree = await callTree(t, { customerCredit: '50.00', customer: { dailySpendLimitMicros: 1_000_000 } });
    at('2026-12-10T10:00:00Z');
    expect((await postCdr(t, tree.switchAuth, cdrNow(tree.customer.id))).status).toBe(201);
    expect((await customerRow(tree.customer.id)).lockReason).toBe('Daily spend limit reached on 2026-12-10');
    await t.dataSource.getRepository(CustomerEntity).update({ id: tree.customer.id }, { lockReason: 'Fraud check' });
    at('2026-12-11T10:00:00Z');
    await t.app.get(CallControlService).liftDailyLocks();
    expect(await customerRow(tree.customer.id)).toMatchObject({ lockedCalls: true, lockReason: 'Fraud check' });
  });
});
