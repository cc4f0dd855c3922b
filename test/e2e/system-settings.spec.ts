import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { SessionEntity } from '../../src/modules/identity/entities/session.entity';
import { sha256 } from '../../src/shared/secrets';
import { RatePlanEntity } from '../../src/modules/rate-plans/entities/rate-plan.entity';
import { NoExchangeRateError } from '../../src/modules/system/domain/exchange';
import { SystemApi } from '../../src/modules/system/system.api';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { NotFoundError } from '../../src/shared/errors';
import { Money } from '../../src/shared/money';
import { createCustomerWithLogin, createPersonWithLogin, createReseller, customerRow, type ResellerLogin } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';

type Auth = { Authorization: string };

/** A session of the system owner's administrator that has switched to `customerId`. */
async function switchedHeader(t: TestApp, customerId: number): Promise<Auth> {
  const res = await t.http.post('/api/v1/auth/token').send({ username: 'admin', password: 'admin-password-1' });
  const token = res.body.token as string;
  await t.dataSource.getRepository(SessionEntity).update({ tokenHash: sha256(token) }, { actingCustomerId: customerId });
  return { Authorization: `Bearer ${token}` };
}

describe('system settings, reference data, regions, dial plans, exchange rates (HTTP)', () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  let subReseller: ResellerLogin;
  let otherReseller: ResellerLogin;
  let endCustomer: CustomerEntity;
  let resellerAdmin: Auth;
  let resellerUser: Auth;
  let subAdmin: Auth;
  let otherAdmin: Auth;
  let endAdmin: Auth;

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth, { name: 'Reseller A', username: 'ra-admin' });
    subReseller = await createReseller(t, reseller.auth, { name: 'Sub reseller', username: 'sub-admin' });
    otherReseller = await createReseller(t, t.auth, { name: 'Reseller B', username: 'rb-admin' });
    const end = await createCustomerWithLogin(t, subReseller.auth, { name: 'End customer', username: 'end-admin' });
    endCustomer = await customerRow(t, end.id);
    resellerAdmin = reseller.auth;
    resellerUser = (await createPersonWithLogin(t, resellerAdmin, reseller.id, { username: 'ra-user' })).auth;
    subAdmin = subReseller.auth;
    otherAdmin = otherReseller.auth;
    endAdmin = end.auth;
  });
  afterAll(() => t.close());

  describe('GET|PATCH /api/v1/system', () => {
    it('shows the settings to any logged-in person, never the CSRF secret', async () => {
      for (const auth of [t.auth, resellerUser, endAdmin]) {
        const res = await t.http.get('/api/v1/system').set(auth);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          customerPrefixes: false,
          regions: false,
          costPlanId: 1,
          timezone: 'UTC',
          currency: 'EUR',
          updatedAt: expect.any(String),
        });
        expect(JSON.stringify(res.body)).not.toMatch(/csrf/i);
      }
      expect((await t.http.get('/api/v1/system')).status).toBe(401);
    });

    it('lets the system owner administrator change them, and audits each change', async () => {
      const res = await t.http
        .patch('/api/v1/system')
        .set(t.auth)
        .send({ customerPrefixes: true, regions: true, timezone: 'Europe/London' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ customerPrefixes: true, regions: true, timezone: 'Europe/London', costPlanId: 1 });
      expect((await t.http.get('/api/v1/system').set(endAdmin)).body.timezone).toBe('Europe/London');
      const audit = await t.dataSource.getRepository(AuditEntryEntity).findOneByOrFail({ action: 'system_settings_updated' });
      expect(JSON.parse(audit.details!)).toEqual({
        changes: {
          customerPrefixes: { from: false, to: true },
          regions: { from: false, to: true },
          timezone: { from: 'UTC', to: 'Europe/London' },
        },
      });
      expect(audit.actorPersonId).not.toBeNull();
    });

    it('records nothing when nothing changes', async () => {
      const before = await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'system_settings_updated' });
      expect((await t.http.patch('/api/v1/system').set(t.auth).send({ regions: true })).status).toBe(200);
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ action: 'system_settings_updated' })).toBe(before);
    });

    it('refuses resellers, users and a system owner admin switched to a descendant with 403', async () => {
      expect((await t.http.patch('/api/v1/system').set(resellerAdmin).send({ regions: false })).status).toBe(403);
      expect((await t.http.patch('/api/v1/system').set(resellerUser).send({ regions: false })).status).toBe(403);
      const switched = await switchedHeader(t, reseller.id);
      const res = await t.http.patch('/api/v1/system').set(switched).send({ regions: false });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/not switched/);
      expect((await t.http.get('/api/v1/system').set(t.auth)).body.regions).toBe(true);
    });

    it('validates input: types, time zone, currency, unknown fields, null', async () => {
      const bad = async (body: object, field: string) => {
        const res = await t.http.patch('/api/v1/system').set(t.auth).send(body);
        expect(res.status).toBe(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      };
      await bad({ regions: 'yes' }, 'regions');
      await bad({ regions: null }, 'regions');
      await bad({ timezone: 'Mars/Olympus' }, 'timezone');
      await bad({ currency: 'EURO' }, 'currency');
      await bad({ costPlanId: '1' }, 'costPlanId');
      await bad({ costPlanId: null }, 'costPlanId');
      await bad({ csrfSecret: 'x' }, 'csrfSecret');
    });

    it('accepts only a cost plan owned by the system owner (404 otherwise)', async () => {
      const now = new Date();
      const foreign = await t.dataSource.getRepository(RatePlanEntity).save({
        ownerCustomerId: reseller.id,
        name: 'Reseller plan',
        description: null,
        currency: 'EUR',
        sharing: 'private',
        createdAt: now,
        updatedAt: now,
      } as Partial<RatePlanEntity>);
      expect((await t.http.patch('/api/v1/system').set(t.auth).send({ costPlanId: foreign.id })).status).toBe(404);
      expect((await t.http.patch('/api/v1/system').set(t.auth).send({ costPlanId: 99999 })).status).toBe(404);
      const ok = await t.http.patch('/api/v1/system').set(t.auth).send({ costPlanId: 2 });
      expect(ok.status).toBe(200);
      expect(ok.body.costPlanId).toBe(2);
      expect((await t.http.patch('/api/v1/system').set(t.auth).send({ costPlanId: 1 })).body.costPlanId).toBe(1);
    });

    it('keeps customers’ prefixes and regions when the settings are turned off', async () => {
      const region = await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'Kept region' });
      await t.dataSource.getRepository(CustomerEntity).update({ id: endCustomer.id }, { prefix: '4711', regionId: region.body.id });
      const res = await t.http.patch('/api/v1/system').set(t.auth).send({ customerPrefixes: false, regions: false });
      expect(res.status).toBe(200);
      const c = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: endCustomer.id });
      expect(c.prefix).toBe('4711');
      expect(c.regionId).toBe(region.body.id);
      await t.dataSource.getRepository(CustomerEntity).update({ id: endCustomer.id }, { prefix: null, regionId: null });
      await t.http.delete(`/api/v1/regions/${region.body.id}`).set(t.auth).expect(204);
    });
  });

  describe('currencies and time zones', () => {
    it('lists ISO 4217 currencies with minor units and English names', async () => {
      const res = await t.http.get('/api/v1/currencies').set(resellerUser);
      expect(res.status).toBe(200);
      const byCode = new Map(res.body.map((c: { code: string }) => [c.code, c]));
      expect(byCode.get('EUR')).toEqual({ code: 'EUR', minorUnits: 2, name: 'Euro' });
      expect(byCode.get('JPY')).toMatchObject({ minorUnits: 0 });
      expect(byCode.get('BHD')).toMatchObject({ minorUnits: 3 });
      expect(res.body.length).toBeGreaterThan(100);
    });

    it('lists IANA time zones', async () => {
      const res = await t.http.get('/api/v1/timezones').set(resellerUser);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.arrayContaining(['UTC', 'Europe/London', 'America/St_Johns']));
    });
  });

  describe('/api/v1/regions', () => {
    it('creates, lists, renames and deletes regions (system owner admin)', async () => {
      const created = await t.http.post('/api/v1/regions').set(t.auth).send({ name: '  North ' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(Number), name: 'North', createdAt: expect.any(String) });
      await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'South' }).expect(201);
      const list = await t.http.get('/api/v1/regions').set(endAdmin);
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ page: 1, pageSize: 50, total: 2 });
      expect(list.body.items.map((r: { name: string }) => r.name)).toEqual(['North', 'South']);
      const renamed = await t.http.patch(`/api/v1/regions/${created.body.id}`).set(t.auth).send({ name: 'Far North' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Far North');
      expect((await t.http.get(`/api/v1/regions/${created.body.id}`).set(resellerUser)).body.name).toBe('Far North');
      await t.http.delete(`/api/v1/regions/${created.body.id}`).set(t.auth).expect(204);
      expect((await t.http.get(`/api/v1/regions/${created.body.id}`).set(t.auth)).status).toBe(404);
      expect(await t.dataSource.getRepository(AuditEntryEntity).countBy({ entityType: 'region' })).toBeGreaterThanOrEqual(4);
    });

    it('refuses duplicate names (also differing in case) with 409', async () => {
      await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'East' }).expect(201);
      const dup = await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'east' });
      expect(dup.status).toBe(409);
      expect(dup.body.details).toEqual([{ field: 'name', message: expect.any(String), code: 'already_exists' }]);
      const west = await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'West' });
      expect((await t.http.patch(`/api/v1/regions/${west.body.id}`).set(t.auth).send({ name: 'EAST' })).status).toBe(409);
    });

    it('refuses deleting a region that customers use (409)', async () => {
      const r = await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'Used' });
      await t.dataSource.getRepository(CustomerEntity).update({ id: otherReseller.id }, { regionId: r.body.id });
      const res = await t.http.delete(`/api/v1/regions/${r.body.id}`).set(t.auth);
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/used by 1 customer/);
      await t.dataSource.getRepository(CustomerEntity).update({ id: otherReseller.id }, { regionId: null });
      await t.http.delete(`/api/v1/regions/${r.body.id}`).set(t.auth).expect(204);
    });

    it('lets only the system owner administrator change regions', async () => {
      expect((await t.http.post('/api/v1/regions').set(resellerAdmin).send({ name: 'Mine' })).status).toBe(403);
      expect((await t.http.post('/api/v1/regions').set(resellerUser).send({ name: 'Mine' })).status).toBe(403);
      const r = await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'Guarded' });
      expect((await t.http.patch(`/api/v1/regions/${r.body.id}`).set(resellerAdmin).send({ name: 'X' })).status).toBe(403);
      expect((await t.http.delete(`/api/v1/regions/${r.body.id}`).set(await switchedHeader(t, reseller.id))).status).toBe(403);
    });

    it('validates names and ids', async () => {
      expect((await t.http.post('/api/v1/regions').set(t.auth).send({ name: '   ' })).status).toBe(400);
      expect(
        (
          await t.http
            .post('/api/v1/regions')
            .set(t.auth)
            .send({ name: 'x'.repeat(101) })
        ).status,
      ).toBe(400);
      expect((await t.http.post('/api/v1/regions').set(t.auth).send({ name: 'a\u0007b' })).status).toBe(400);
      expect((await t.http.post('/api/v1/regions').set(t.auth).send({})).status).toBe(400);
      expect((await t.http.get('/api/v1/regions/abc').set(t.auth)).status).toBe(400);
      expect((await t.http.patch('/api/v1/regions/99999').set(t.auth).send({ name: 'Y' })).status).toBe(404);
      expect((await t.http.get('/api/v1/regions?pageSize=501').set(t.auth)).status).toBe(400);
    });
  });

  describe('/api/v1/dial-plans', () => {
    let rootPlan: number;
    let resellerPlan: number;
    let otherPlan: number;

    beforeAll(async () => {
      rootPlan = (await t.http.post('/api/v1/dial-plans').set(t.auth).send({ name: 'Platform default' })).body.id;
      resellerPlan = (await t.http.post('/api/v1/dial-plans').set(resellerAdmin).send({ name: 'UK national', description: 'short codes' }))
        .body.id;
      otherPlan = (await t.http.post('/api/v1/dial-plans').set(otherAdmin).send({ name: 'UK national' })).body.id;
    });

    it('creates a plan owned by the acting reseller; the same name is fine for another owner', async () => {
      const res = await t.http.get(`/api/v1/dial-plans/${resellerPlan}`).set(resellerAdmin);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: resellerPlan,
        ownerCustomerId: reseller.id,
        name: 'UK national',
        description: 'short codes',
        own: true,
        createdAt: expect.any(String),
      });
      expect(otherPlan).toEqual(expect.any(Number));
    });

    it('lists own plans and those of ancestors, not another branch', async () => {
      const sub = await t.http.get('/api/v1/dial-plans').set(subAdmin);
      expect(sub.status).toBe(200);
      expect(sub.body.items.map((d: { id: number }) => d.id).sort()).toEqual([rootPlan, resellerPlan].sort());
      expect(sub.body.items.every((d: { own: boolean }) => !d.own)).toBe(true);
      const end = await t.http.get('/api/v1/dial-plans').set(endAdmin);
      expect(end.body.total).toBe(2);
      const root = await t.http.get('/api/v1/dial-plans').set(t.auth);
      expect(root.body.items.map((d: { id: number }) => d.id)).toEqual([rootPlan]);
    });

    it('should not read or change a dial plan of another branch (404)', async () => {
      expect((await t.http.get(`/api/v1/dial-plans/${otherPlan}`).set(resellerAdmin)).status).toBe(404);
      expect((await t.http.patch(`/api/v1/dial-plans/${otherPlan}`).set(resellerAdmin).send({ name: 'Mine now' })).status).toBe(404);
      expect((await t.http.delete(`/api/v1/dial-plans/${otherPlan}`).set(resellerAdmin)).status).toBe(404);
      expect((await t.http.get(`/api/v1/dial-plans/${otherPlan}`).set(t.auth)).status).toBe(404);
    });

    it("can use but not change an ancestor's plan (403)", async () => {
      expect((await t.http.get(`/api/v1/dial-plans/${resellerPlan}`).set(subAdmin)).status).toBe(200);
      expect((await t.http.patch(`/api/v1/dial-plans/${resellerPlan}`).set(subAdmin).send({ name: 'X' })).status).toBe(403);
      expect((await t.http.delete(`/api/v1/dial-plans/${rootPlan}`).set(resellerAdmin)).status).toBe(403);
    });

    it('works while switched: the plan belongs to the customer switched to', async () => {
      const switched = await switchedHeader(t, subReseller.id);
      const res = await t.http.post('/api/v1/dial-plans').set(switched).send({ name: 'Made while switched' });
      expect(res.status).toBe(201);
      expect(res.body.ownerCustomerId).toBe(subReseller.id);
      const audit = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findOneByOrFail({ action: 'dial_plan_created', entityId: String(res.body.id) });
      expect(audit.actingAsCustomerId).toBe(subReseller.id);
      expect(audit.actorCustomerId).toBe(1);
      await t.http.delete(`/api/v1/dial-plans/${res.body.id}`).set(subAdmin).expect(204);
    });

    it('refuses plans for a non-reseller (403) and duplicate names of one owner (409)', async () => {
      expect((await t.http.post('/api/v1/dial-plans').set(endAdmin).send({ name: 'Mine' })).status).toBe(403);
      expect((await t.http.post('/api/v1/dial-plans').set(resellerUser).send({ name: 'Mine' })).status).toBe(403);
      expect((await t.http.post('/api/v1/dial-plans').set(resellerAdmin).send({ name: 'uk NATIONAL' })).status).toBe(409);
      const second = await t.http.post('/api/v1/dial-plans').set(resellerAdmin).send({ name: 'International' });
      expect((await t.http.patch(`/api/v1/dial-plans/${second.body.id}`).set(resellerAdmin).send({ name: 'UK national' })).status).toBe(
        409,
      );
      const cleared = await t.http
        .patch(`/api/v1/dial-plans/${second.body.id}`)
        .set(resellerAdmin)
        .send({ description: null, name: 'Intl' });
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ name: 'Intl', description: null });
      expect((await t.http.post('/api/v1/dial-plans').set(resellerAdmin).send({ name: 5 })).status).toBe(400);
    });

    it('tells other modules which dial plans a customer may use (SystemApi)', async () => {
      const api = t.app.get(SystemApi);
      const em = t.dataSource.manager;
      expect((await api.findUsableDialPlan(em, endCustomer.path, resellerPlan)).id).toBe(resellerPlan);
      expect((await api.findUsableDialPlan(em, endCustomer.path, rootPlan)).id).toBe(rootPlan);
      await expect(api.findUsableDialPlan(em, endCustomer.path, otherPlan)).rejects.toThrow(NotFoundError);
      await expect(api.findUsableDialPlan(em, endCustomer.path, 0)).rejects.toThrow(NotFoundError);
    });

    it('refuses deleting a plan used by a customer or a rate plan (409)', async () => {
      const p = (await t.http.post('/api/v1/dial-plans').set(resellerAdmin).send({ name: 'In use' })).body.id as number;
      await t.dataSource.getRepository(CustomerEntity).update({ id: subReseller.id }, { dialPlanId: p });
      expect((await t.http.delete(`/api/v1/dial-plans/${p}`).set(resellerAdmin)).status).toBe(409);
      await t.dataSource.getRepository(CustomerEntity).update({ id: subReseller.id }, { dialPlanId: null });
      const now = new Date();
      const plan = await t.dataSource.getRepository(RatePlanEntity).save({
        ownerCustomerId: reseller.id,
        name: 'Uses dial plan',
        description: null,
        currency: 'EUR',
        sharing: 'private',
        dialPlanId: p,
        createdAt: now,
        updatedAt: now,
      } as Partial<RatePlanEntity>);
      const res = await t.http.delete(`/api/v1/dial-plans/${p}`).set(resellerAdmin);
      expect(res.status).toBe(409);
      expect(res.body.message).toMatch(/1 rate plan/);
      await t.dataSource.getRepository(RatePlanEntity).update({ id: plan.id }, { dialPlanId: null });
      await t.http.delete(`/api/v1/dial-plans/${p}`).set(resellerAdmin).expect(204);
    });
  });

  describe('/api/v1/exchange-rates', () => {
    it('records rates with exact text and lists them newest first, filtered by currency', async () => {
      const a = await t.http
        .post('/api/v1/exchange-rates')
        .set(t.auth)
        .send({ currency: 'USD', rate: '1.100000000001', validFrom: '2026-01-01T00:00:00Z' });
      expect(a.status).toBe(201);
      expect(a.body).toEqual({
        id: expect.any(Number),
        currency: 'USD',
        rate: '1.100000000001',
        validFrom: '2026-01-01T00:00:00.000Z',
        createdAt: expect.any(String),
      });
      await t.http
        .post('/api/v1/exchange-rates')
        .set(t.auth)
        .send({ currency: 'USD', rate: '1.20', validFrom: '2026-06-01T02:00:00+02:00' })
        .expect(201);
      await t.http
        .post('/api/v1/exchange-rates')
        .set(t.auth)
        .send({ currency: 'GBP', rate: '0.85', validFrom: '2026-03-01T00:00:00Z' })
        .expect(201);
      const usd = await t.http.get('/api/v1/exchange-rates?currency=USD').set(resellerUser);
      expect(usd.status).toBe(200);
      expect(usd.body.total).toBe(2);
      expect(usd.body.items.map((x: { rate: string; validFrom: string }) => [x.rate, x.validFrom])).toEqual([
        ['1.20', '2026-06-01T00:00:00.000Z'],
        ['1.100000000001', '2026-01-01T00:00:00.000Z'],
      ]);
      expect((await t.http.get('/api/v1/exchange-rates').set(t.auth)).body.total).toBe(3);
      expect((await t.http.get('/api/v1/exchange-rates?currency=usd').set(t.auth)).status).toBe(400);
    });

    it('refuses the same currency and validFrom twice (409), also written with another offset', async () => {
      const res = await t.http
        .post('/api/v1/exchange-rates')
        .set(t.auth)
        .send({ currency: 'USD', rate: '1.3', validFrom: '2026-01-01T01:00:00+01:00' });
      expect(res.status).toBe(409);
    });

    it('validates the rate, the currency and validFrom', async () => {
      const bad = async (body: object, field: string) => {
        const res = await t.http.post('/api/v1/exchange-rates').set(t.auth).send(body);
        expect(res.status).toBe(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      };
      const ok = { currency: 'CHF', rate: '0.95', validFrom: '2026-01-01T00:00:00Z' };
      for (const rate of ['0', '-1', '1e2', '1.0000000000001', 1.5, '', 'abc']) await bad({ ...ok, rate }, 'rate');
      for (const validFrom of ['2026-01-01', '2026-01-01T00:00:00', 'tomorrow', '2026-13-01T00:00:00Z', 5])
        await bad({ ...ok, validFrom }, 'validFrom');
      await bad({ ...ok, currency: 'XYZ1' }, 'currency');
      await bad({ ...ok, currency: 'EUR' }, 'currency');
    });

    it('lets only the system owner administrator record or delete rates', async () => {
      const body = { currency: 'SEK', rate: '11.5', validFrom: '2026-01-01T00:00:00Z' };
      expect((await t.http.post('/api/v1/exchange-rates').set(resellerAdmin).send(body)).status).toBe(403);
      expect(
        (
          await t.http
            .post('/api/v1/exchange-rates')
            .set(await switchedHeader(t, reseller.id))
            .send(body)
        ).status,
      ).toBe(403);
      const created = await t.http.post('/api/v1/exchange-rates').set(t.auth).send(body);
      expect((await t.http.delete(`/api/v1/exchange-rates/${created.body.id}`).set(resellerAdmin)).status).toBe(403);
      await t.http.delete(`/api/v1/exchange-rates/${created.body.id}`).set(t.auth).expect(204);
      expect((await t.http.delete(`/api/v1/exchange-rates/${created.body.id}`).set(t.auth)).status).toBe(404);
      const audits = await t.dataSource
        .getRepository(AuditEntryEntity)
        .findBy({ entityType: 'exchange_rate', entityId: String(created.body.id) });
      expect(audits.map((a) => a.action).sort()).toEqual(['exchange_rate_created', 'exchange_rate_deleted']);
    });

    it('converts with the stored rates in force at the instant (SystemApi, for other modules)', async () => {
      const api = t.app.get(SystemApi);
      const em = t.dataSource.manager;
      const july = await api.convert(em, Money.of('100'), 'USD', 'GBP', new Date('2026-07-01T00:00:00Z'));
      expect(july.amount.toString()).toBe('70.833333');
      expect([july.fromRate.toString(), july.toRate.toString()]).toEqual(['1.2', '0.85']);
      const feb = await api.convert(em, Money.of('100'), 'USD', 'EUR', new Date('2026-02-01T00:00:00Z'));
      expect(feb.amount.toString()).toBe('90.909091');
      expect(feb.fromRate.toString()).toBe('1.100000000001');
      await expect(api.convert(em, Money.of('1'), 'GBP', 'EUR', new Date('2026-02-01T00:00:00Z'))).rejects.toThrow(NoExchangeRateError);
      expect((await api.convert(em, Money.of('5'), 'JPY', 'JPY', new Date())).amount.toString()).toBe('5.00');
    });

    it('refuses to change the system currency while rates exist (409)', async () => {
      const res = await t.http.patch('/api/v1/system').set(t.auth).send({ currency: 'USD' });
      expect(res.status).toBe(409);
      expect((await t.http.patch('/api/v1/system').set(t.auth).send({ currency: 'EUR' })).status).toBe(200);
    });
  });

  it('describes every endpoint in the OpenAPI document', async () => {
    const doc = await t.http.get('/api/docs-json');
    for (const p of [
      '/api/v1/system',
      '/api/v1/regions',
      '/api/v1/regions/{id}',
      '/api/v1/dial-plans',
      '/api/v1/dial-plans/{id}',
      '/api/v1/currencies',
      '/api/v1/timezones',
      '/api/v1/exchange-rates',
      '/api/v1/exchange-rates/{id}',
    ]) {
      expect(doc.body.paths[p]).toBeDefined();
    }
    expect(Object.keys(doc.body.components.schemas.UpdateSystemSettingsDto.properties).sort()).toEqual([
      'costPlanId',
      'currency',
      'customerPrefixes',
      'regions',
      'timezone',
    ]);
    expect(Object.keys(doc.body.components.schemas.CreateExchangeRateDto.properties).sort()).toEqual(['currency', 'rate', 'validFrom']);
  });
});
