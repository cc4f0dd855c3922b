import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { RatePlanEntity, SHARING_MODES } from '../../src/modules/rate-plans/entities/rate-plan.entity';
import { RatePlansApi } from '../../src/modules/rate-plans/rate-plans.api';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { addRatePlan, createCustomer } from '../factories/customers';

/**
 * A create reads the rate plan in the same statement as the parent, with the rate-plans module's rule as
 * SQL (RatePlansApi.assignableCondition). It must agree with the plan lists the pages and API offer
 * (RatePlansApi.listAssignablePlans) for every owner level and sharing mode, and answer the plan with
 * everything the create response shows.
 */
describe(`customers: which rate plans a create accepts (${testDatabaseKind()})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('accepts exactly the plans the parent may assign: own, shared with children by its parent, shared recursively above', async () => {
    const r1 = await createCustomer(t, t.auth, { reseller: true });
    const r1a = await createCustomer(t, t.auth, { parentId: r1.id, reseller: true });
    const r1a1 = await createCustomer(t, t.auth, { parentId: r1a.id, reseller: true });
    const r2 = await createCustomer(t, t.auth, { reseller: true });
    const plans: RatePlanEntity[] = [];
    for (const owner of [1, r1.id, r1a.id, r1a1.id, r2.id]) {
      for (const sharing of SHARING_MODES) plans.push(await addRatePlan(t, owner, { sharing }));
    }
    plans.push(await addRatePlan(t, r1.id, { sharing: 'recursive', deletedAt: t.clock.now() }));

    const api = t.app.get(RatePlansApi);
    let accepted = 0;
    for (const parentId of [1, r1.id, r1a.id, r1a1.id, r2.id]) {
      const parent = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: parentId });
      const assignable = new Set((await api.listAssignablePlans(t.dataSource.manager, parent)).map((p) => p.id));
      for (const plan of plans) {
        const res = await t.http
          .post('/api/v1/customers')
          .set(t.auth)
          .send({
            type: 'normal',
            name: `Under ${parentId} on ${plan.id}`,
            email: `c${parentId}.${plan.id}@example.com`,
            parentId,
            ratePlanId: plan.id,
          });
        const expected = assignable.has(plan.id) ? 201 : 404;
        expect({ parentId, plan: plan.id, sharing: plan.sharing, owner: plan.ownerCustomerId, status: res.status }).toEqual({
          parentId,
          plan: plan.id,
          sharing: plan.sharing,
          owner: plan.ownerCustomerId,
          status: expected,
        });
        if (res.status === 201) {
          accepted++;
          expect(res.body).toMatchObject({ ratePlanId: plan.id, currency: plan.currency });
        } else {
          expect(res.body.message).toMatch(/rate plan/);
        }
      }
    }
    // Own plans (5 parents x 3 modes), children-shared ones one level down (4), recursive ones anywhere below (1+1+2+3):
    expect(accepted).toBe(15 + 4 + 7);
  });

  it('answers 404 for a plan id no plan has, without creating anything', async () => {
    const before = await t.dataSource.getRepository(CustomerEntity).count();
    for (const ratePlanId of [999_999, 2 ** 31]) {
      const res = await t.http
        .post('/api/v1/customers')
        .set(t.auth)
        .send({ type: 'normal', name: 'Nope', email: 'nope@example.com', ratePlanId });
      expect(res.status).toBe(404);
      expect(res.body.message).toMatch(/rate plan/);
    }
    expect(await t.dataSource.getRepository(CustomerEntity).count()).toBe(before);
  });
});
