import type TestAgent from 'supertest/lib/agent';
import { instantFromForm } from '../../src/modules/admin/admin-page';
import { ApiKeyEntity } from '../../src/modules/identity/entities/api-key.entity';
import { DialPlanEntity } from '../../src/modules/system/entities/dial-plan.entity';
import { ExchangeRateEntity } from '../../src/modules/system/entities/exchange-rate.entity';
import { RegionEntity } from '../../src/modules/system/entities/region.entity';
import { SystemSettingsEntity } from '../../src/modules/system/entities/system-settings.entity';
import {
  addDialPlan,
  addRatePlan,
  addRegion,
  createCustomer,
  createCustomerWithLogin,
  createReseller,
  unique,
} from '../factories/customers';
import { ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { csrfOf, followOnce, postForm, textOf, webLogin } from './admin-helpers';

const EVIL = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

describe('admin pages: system settings, regions, exchange rates, dial plans, my account', () => {
  let t: TestApp;
  let web: TestAgent;

  beforeAll(async () => {
    t = await startTestApp();
    web = await webLogin(t);
  });
  afterAll(() => t.close());

  const settingsRow = () => t.dataSource.getRepository(SystemSettingsEntity).findOneByOrFail({ id: 1 });

  describe('system settings', () => {
    it('renders the form with the current values', async () => {
      const page = await web.get('/system');
      expect(page.status).toBe(200);
      const s = await settingsRow();
      expect(page.text).toMatch(new RegExp(`<option value="${s.currency}" selected>`));
      expect(page.text).toMatch(new RegExp(`<option value="${s.timezone.replace('/', '\\/')}" selected>`));
      expect(page.text).toContain('name="customerPrefixes"');
      expect(page.text).toContain('Carrier costs');
      for (const href of ['/system/regions', '/system/exchange-rates', '/dial-plans']) expect(page.text).toContain(`href="${href}"`);
    });

    it('shows a bad value inline, keeps what was typed, and changes nothing', async () => {
      const before = await settingsRow();
      const res = await postForm(web, '/system', '/system', {
        customerPrefixes: 'on',
        regions: 'on',
        timezone: 'Mars/Olympus',
        currency: 'XYZ',
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="f-timezone"[^>]*aria-invalid="true"/);
      expect(res.text).toMatch(/id="f-currency"[^>]*aria-invalid="true"/);
      expect(res.text).toMatch(/name="customerPrefixes" value="on" checked/);
      expect(await settingsRow()).toMatchObject({
        customerPrefixes: before.customerPrefixes,
        regions: before.regions,
        timezone: before.timezone,
        currency: before.currency,
      });
    });

    it('saves the settings', async () => {
      const plan = await addRatePlan(t, 1, { name: 'Carrier costs 2026' });
      const res = await postForm(web, '/system', '/system', {
        customerPrefixes: 'on',
        regions: 'on',
        costPlanId: String(plan.id),
        timezone: 'Europe/Berlin',
        currency: 'USD',
      });
      expect(res.status).toBe(303);
      expect(await settingsRow()).toMatchObject({
        customerPrefixes: true,
        regions: true,
        costPlanId: plan.id,
        timezone: 'Europe/Berlin',
        currency: 'USD',
      });
      const page = await web.get('/system');
      expect(textOf(page.text)).toContain('System settings saved.');
      expect(page.text).toMatch(/name="regions" value="on" checked/);
      // Unticked boxes turn the setting off.
      const off = await postForm(web, '/system', '/system', { costPlanId: String(plan.id), timezone: 'Europe/Berlin', currency: 'USD' });
      expect(off.status).toBe(303);
      expect(await settingsRow()).toMatchObject({ customerPrefixes: false, regions: false });
    });

    it('refuses a cost plan of another customer inline', async () => {
      const reseller = await createReseller(t, t.auth);
      const foreign = await addRatePlan(t, reseller.id);
      const before = await settingsRow();
      const s = before;
      const res = await postForm(web, '/system', '/system', { costPlanId: String(foreign.id), timezone: s.timezone, currency: s.currency });
      expect(res.status).toBe(404);
      // Next to the field now (issue #14: every problem by its field), not only above the form.
      expect(res.text).toMatch(/id="f-costPlanId-help"><p class="error-text">Is not a rate plan of the system owner\.<\/p>/);
      expect((await settingsRow()).costPlanId).toBe(before.costPlanId);
    });

    it('gives everyone else the 403 page', async () => {
      const reseller = await createReseller(t, t.auth);
      const other = await webLogin(t, reseller.username, reseller.password);
      for (const path of ['/system', '/system/regions', '/system/exchange-rates']) {
        const res = await other.get(path);
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
        expect(res.text).toContain('<h1>403 Forbidden</h1>');
      }
      const page = await other.get('/dial-plans');
      const post = await other
        .post('/system')
        .type('form')
        .send({ _csrf: csrfOf(page.text), timezone: 'UTC', currency: 'EUR' });
      expect(post.status).toBe(403);
      const region = await other
        .post('/system/regions')
        .type('form')
        .send({ _csrf: csrfOf(page.text), name: 'Sneaky' });
      expect(region.status).toBe(403);
      expect(await t.dataSource.getRepository(RegionEntity).countBy({ name: 'Sneaky' })).toBe(0);

      // The system owner's administrator while switched to a customer is refused too.
      const detail = await web.get(`/customers/${reseller.id}`);
      expect(
        (
          await web
            .post(`/customers/${reseller.id}/switch`)
            .type('form')
            .send({ _csrf: csrfOf(detail.text) })
        ).status,
      ).toBe(303);
      expect((await web.get('/system')).status).toBe(403);
      const home = await web.get('/');
      expect(
        (
          await web
            .post('/switch-back')
            .type('form')
            .send({ _csrf: csrfOf(home.text) })
        ).status,
      ).toBe(303);
      expect((await web.get('/system')).status).toBe(200);
    });
  });

  describe('regions', () => {
    const regions = () => t.dataSource.getRepository(RegionEntity);

    it('lists, adds (bad and duplicate names inline), renames and deletes', async () => {
      const list = await web.get('/system/regions');
      expect(list.status).toBe(200);
      const before = await regions().count();
      const empty = await web
        .post('/system/regions')
        .type('form')
        .send({ _csrf: csrfOf(list.text), name: '' });
      expect(empty.status).toBe(400);
      expect(empty.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);
      expect(await regions().count()).toBe(before);

      const ok = await web
        .post('/system/regions')
        .type('form')
        .send({ _csrf: csrfOf(list.text), name: `North ${EVIL}` });
      expect(ok.status).toBe(303);
      const shown = await web.get('/system/regions');
      expect(textOf(shown.text)).toContain(`Region “North ${EVIL}” added.`);
      expect(shown.text).not.toContain(EVIL);
      expect(shown.text).toContain(`North ${ESCAPED}`);

      const dup = await web
        .post('/system/regions')
        .type('form')
        .send({ _csrf: csrfOf(list.text), name: `north ${EVIL}` });
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);
      expect(dup.text).toContain(`value="north ${ESCAPED}"`);
      expect(await regions().count()).toBe(before + 1);

      const row = await regions().findOneByOrFail({ name: `North ${EVIL}` });
      const edit = await web.get(`/system/regions/${row.id}/edit`);
      expect(edit.text).toContain(`value="North ${ESCAPED}"`);
      const renamed = await web
        .post(`/system/regions/${row.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(edit.text), name: 'Northern' });
      expect(renamed.status).toBe(303);
      expect((await regions().findOneByOrFail({ id: row.id })).name).toBe('Northern');

      const confirm = await web.get(`/system/regions/${row.id}/delete`);
      expect(textOf(confirm.text)).toContain('Delete the region “Northern”?');
      const del = await web
        .post(`/system/regions/${row.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(del.status).toBe(303);
      expect(await regions().findOneBy({ id: row.id })).toBeNull();
    });

    it('refuses to delete a region in use, with the reason', async () => {
      const region = await addRegion(t, unique('Used '));
      await t.dataSource.getRepository(SystemSettingsEntity).update({ id: 1 }, { regions: true });
      await createCustomer(t, t.auth, { regionId: region.id });
      const confirm = await web.get(`/system/regions/${region.id}/delete`);
      const del = await web
        .post(`/system/regions/${region.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(del.status).toBe(303);
      expect(textOf((await web.get('/system/regions')).text)).toContain('was not deleted: the region is used by 1 customer(s)');
      expect(await t.dataSource.getRepository(RegionEntity).findOneBy({ id: region.id })).not.toBeNull();
    });
  });

  describe('exchange rates', () => {
    const rates = () => t.dataSource.getRepository(ExchangeRateEntity);

    it('reads dates in the form as UTC', () => {
      expect(instantFromForm('2026-12-01')).toBe('2026-12-01T00:00:00Z');
      expect(instantFromForm('2026-12-01 08:30')).toBe('2026-12-01T08:30Z');
      expect(instantFromForm('2026-12-01T08:30:15')).toBe('2026-12-01T08:30:15Z');
      expect(instantFromForm('2026-12-01T08:30:00+01:00')).toBe('2026-12-01T08:30:00+01:00');
      expect(instantFromForm('tomorrow')).toBe('tomorrow');
    });

    it('lists, refuses bad values inline, adds, filters and deletes', async () => {
      const system = (await settingsRow()).currency;
      const other = system === 'GBP' ? 'JPY' : 'GBP';
      const list = await web.get('/system/exchange-rates');
      expect(list.status).toBe(200);
      const before = await rates().count();
      const bad = await web
        .post('/system/exchange-rates')
        .type('form')
        .send({ _csrf: csrfOf(list.text), currency: other, rate: '1,25', validFrom: 'soon' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/id="f-rate"[^>]*aria-invalid="true"/);
      expect(bad.text).toMatch(/id="f-validFrom"[^>]*aria-invalid="true"/);
      expect(bad.text).toContain('value="1,25"');
      expect(bad.text).toContain('value="soon"');
      expect(bad.text).toMatch(new RegExp(`<option value="${other}" selected>`));
      expect(await rates().count()).toBe(before);

      const ok = await web
        .post('/system/exchange-rates')
        .type('form')
        .send({ _csrf: csrfOf(list.text), currency: other, rate: '0.860000000001', validFrom: '2026-12-01' });
      expect(ok.status).toBe(303);
      const row = await rates().findOneByOrFail({ currency: other });
      expect(row.rate).toBe('0.860000000001');
      expect(row.validFrom.toISOString()).toBe('2026-12-01T00:00:00.000Z');
      const shown = textOf((await web.get(`/system/exchange-rates?currency=${other}`)).text);
      expect(shown).toContain(`1 ${system} = 0.860000000001 ${other}`);
      expect(shown).toContain('2026-12-01 00:00 UTC');

      const dup = await web
        .post('/system/exchange-rates')
        .type('form')
        .send({ _csrf: csrfOf(list.text), currency: other, rate: '0.9', validFrom: '2026-12-01 00:00' });
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/id="f-validFrom"[^>]*aria-invalid="true"/);
      expect(await rates().count()).toBe(before + 1);

      // The system currency cannot change while rates exist.
      const s = await settingsRow();
      const cur = await postForm(web, '/system', '/system', {
        timezone: s.timezone,
        currency: other === 'GBP' ? 'CHF' : 'GBP',
        costPlanId: s.costPlanId ? String(s.costPlanId) : '',
      });
      expect(cur.status).toBe(409);
      expect(cur.text).toMatch(/id="f-currency"[^>]*aria-invalid="true"/);

      const confirm = await web.get(`/system/exchange-rates/${row.id}/delete`);
      expect(textOf(confirm.text)).toContain(`Delete the rate 1 ${system} = 0.860000000001 ${other}`);
      const del = await web
        .post(`/system/exchange-rates/${row.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(del.status).toBe(303);
      expect(await rates().findOneBy({ id: row.id })).toBeNull();
    });
  });

  describe('dial plans', () => {
    const plans = () => t.dataSource.getRepository(DialPlanEntity);

    it("lists the acting customer's own and its providers' plans; adds, edits and deletes its own", async () => {
      const reseller = await createReseller(t, t.auth, { name: unique('Dialler ') });
      const parentPlan = await addDialPlan(t, 1, `Parent plan ${EVIL}`);
      const webR = await webLogin(t, reseller.username, reseller.password);
      const list = await webR.get('/dial-plans');
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(EVIL);
      expect(textOf(list.text)).toContain(`Parent plan ${EVIL}`);
      expect(list.text).not.toContain(`href="/dial-plans/${parentPlan.id}/edit"`);
      expect((await webR.get(`/dial-plans/${parentPlan.id}/edit`)).status).toBe(403);

      const before = await plans().count();
      const bad = await webR
        .post('/dial-plans')
        .type('form')
        .send({ _csrf: csrfOf(list.text), name: '', description: 'kept text' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);
      expect(bad.text).toContain('>kept text</textarea>');
      expect(await plans().count()).toBe(before);

      const ok = await webR
        .post('/dial-plans')
        .type('form')
        .send({ _csrf: csrfOf(list.text), name: 'UK national', description: '' });
      expect(ok.status).toBe(303);
      const row = await plans().findOneByOrFail({ ownerCustomerId: reseller.id, name: 'UK national' });
      expect(row.description).toBeNull();
      const dup = await webR
        .post('/dial-plans')
        .type('form')
        .send({ _csrf: csrfOf(list.text), name: 'UK national' });
      expect(dup.status).toBe(409);
      expect(dup.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);

      const edit = await webR.get(`/dial-plans/${row.id}/edit`);
      expect(edit.status).toBe(200);
      const saved = await webR
        .post(`/dial-plans/${row.id}/edit`)
        .type('form')
        .send({ _csrf: csrfOf(edit.text), name: 'UK national 2', description: 'With mobiles' });
      expect(saved.status).toBe(303);
      expect(await plans().findOneByOrFail({ id: row.id })).toMatchObject({ name: 'UK national 2', description: 'With mobiles' });

      // In use by a customer: refused with the reason.
      await createCustomer(t, reseller.auth, { dialPlanId: row.id });
      const confirm = await webR.get(`/dial-plans/${row.id}/delete`);
      const refused = await webR
        .post(`/dial-plans/${row.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(confirm.text) });
      expect(refused.status).toBe(303);
      expect(textOf((await webR.get('/dial-plans')).text)).toContain('was not deleted: the dial plan is used by 1 customer(s)');

      const spare = await addDialPlan(t, reseller.id, 'Spare');
      const c2 = await webR.get(`/dial-plans/${spare.id}/delete`);
      const del = await webR
        .post(`/dial-plans/${spare.id}/delete`)
        .type('form')
        .send({ _csrf: csrfOf(c2.text) });
      expect(del.status).toBe(303);
      expect(await plans().findOneBy({ id: spare.id })).toBeNull();

      // Another branch's plan does not exist for this reseller.
      const stranger = await createReseller(t, t.auth);
      const theirs = await addDialPlan(t, stranger.id, 'Not yours');
      expect((await webR.get(`/dial-plans/${theirs.id}/edit`)).status).toBe(404);
      expect(textOf((await webR.get('/dial-plans')).text)).not.toContain('Not yours');
    });

    it('offers no add form to a customer that is not a reseller', async () => {
      const c = await createCustomerWithLogin(t, t.auth);
      const page = await (await webLogin(t, c.username, c.password)).get('/dial-plans');
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('action="/dial-plans"');
      expect(textOf(page.text)).toContain('Only resellers own dial plans.');
    });
  });

  describe('my account', () => {
    const keys = () => t.dataSource.getRepository(ApiKeyEntity);

    it('shows the person, creates an API key shown once (it works), and revokes it', async () => {
      const page = await web.get('/account');
      expect(page.status).toBe(200);
      const text = textOf(page.text);
      expect(text).toContain(ADMIN_USERNAME);
      expect(text).toContain('Administrator');
      expect(page.text).toContain('href="/api/docs"');

      const before = await keys().count();
      const bad = await web
        .post('/account/api-keys')
        .type('form')
        .send({ _csrf: csrfOf(page.text), name: '' });
      expect(bad.status).toBe(400);
      expect(bad.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);
      expect(await keys().count()).toBe(before);

      const posted = await web
        .post('/account/api-keys')
        .type('form')
        .send({ _csrf: csrfOf(page.text), name: `switch ${EVIL}` });
      // Post/Redirect/Get to a page that shows the key once; a reload makes no second key.
      expect(posted.headers.location).toBe('/account/api-keys/created');
      const created = await followOnce(web, posted);
      expect(await keys().countBy({ name: `switch ${EVIL}` })).toBe(1);
      expect(created.text).not.toContain(EVIL);
      expect(created.headers['cache-control']).toBe('no-store');
      const secret = /<dt>Key<\/dt><dd><code[^>]*>([^<]+)<\/code>/.exec(created.text)![1];
      expect(secret).toMatch(/^vbk_/);
      expect((await t.http.get('/api/v1/auth/me').set({ Authorization: `Bearer ${secret}` })).status).toBe(200);

      const after = await web.get('/account');
      expect(after.text).not.toContain(secret);
      expect(after.text).not.toContain(EVIL);
      expect(textOf(after.text)).toContain(`switch ${EVIL}`);
      const key = await keys().findOneByOrFail({ name: `switch ${EVIL}` });
      const revoke = await web
        .post(`/account/api-keys/${key.id}/revoke`)
        .type('form')
        .send({ _csrf: csrfOf(after.text) });
      expect(revoke.status).toBe(303);
      expect((await keys().findOneByOrFail({ id: key.id })).revokedAt).not.toBeNull();
      expect(textOf((await web.get('/account')).text)).toContain('revoked');
      expect((await t.http.get('/api/v1/auth/me').set({ Authorization: `Bearer ${secret}` })).status).toBe(401);
    });

    it("lets an ordinary user manage their own keys, never another person's", async () => {
      const c = await createCustomerWithLogin(t, t.auth);
      const userName = unique('plain');
      await t.http
        .post(`/api/v1/customers/${c.id}/people`)
        .set(c.auth)
        .send({ username: userName, displayName: 'Plain User', role: 'user', password: 'a-long-enough-password' });
      const user = await webLogin(t, userName, 'a-long-enough-password');
      const page = await user.get('/account');
      expect(textOf(page.text)).toContain('User (may only look)');
      const created = await user
        .post('/account/api-keys')
        .type('form')
        .send({ _csrf: csrfOf(page.text), name: 'my script' });
      expect(created.status).toBe(303);
      await followOnce(user, created);

      const userKey = await keys().findOneByOrFail({ name: 'my script' });
      const foreign = await web.get('/account');
      // The admin cannot revoke the user's key through their own page: it is not theirs.
      const res = await web
        .post(`/account/api-keys/${userKey.id}/revoke`)
        .type('form')
        .send({ _csrf: csrfOf(foreign.text) });
      expect(res.status).toBe(404);
      expect((await keys().findOneByOrFail({ id: userKey.id })).revokedAt).toBeNull();
    });
  });
});
