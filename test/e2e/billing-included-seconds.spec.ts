import { RatePlanEntity } from '../../src/modules/rate-plans/entities/rate-plan.entity';
import { callId, callTree, cdrBody, ledgerInOrder, postCdr } from '../factories/calls';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';

/** A plan's included call seconds per billing period: the first seconds of each period are free at that level. */
describe(`included call seconds on ${testDatabaseKind()}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ TEST_CLOCK: 'true' });
  });
  afterAll(() => t.close());

  it("makes the first seconds of each period free at the level whose plan includes them, and only there", async () => {
    const now = t.clock.now();
    const tree = await callTree(t, { customerCredit: '50.00', customer: { timezone: 'UTC' } });
    await t.dataSource.getRepository(RatePlanEntity).update({ id: tree.customerPlanId }, { includedSeconds: 120, billingPeriod: 'monthly' });
    await new Promise((r) => setTimeout(r, 1100)); // rating keeps plan settings for up to a second
    const charge = async (seconds: number, startedAt: Date) => {
      const res = await postCdr(t, tree.switchAuth, cdrBody(tree.customer.id, callId(), seconds, startedAt));
      expect(res.status).toBe(201);
      return (res.body.charges as Array<{ kind: string; amount: string }>).map((c) => [c.kind, c.amount]);
    };
    const earlier = (minutes: number) => new Date(t.clock.now().getTime() - minutes * 60_000);
    // 1.20/min at 60/60 for the customer (120 s included), 0.90/min for the reseller (none included).
    expect(await charge(61, earlier(30))).toEqual([['charge', '0.00'], ['charge', '0.92'], ['cost', '0.61']]);
    // 59 free seconds left: 90 s bills 31 s, one 60 s block.
    expect(await charge(90, earlier(25))).toEqual([['charge', '1.20'], ['charge', '1.35'], ['cost', '0.90']]);
    expect(await charge(30, earlier(20))).toEqual([['charge', '1.20'], ['charge', '0.45'], ['cost', '0.30']]);
    // The next month, new included seconds (the switch's API key does not expire with the clock).
    t.clock.setNow(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1, 10)));
    expect(await charge(60, earlier(60))).toEqual([['charge', '0.00'], ['charge', '0.90'], ['cost', '0.60']]);
    expect(await ledgerInOrder(t)).toBe(true);
  });
});
