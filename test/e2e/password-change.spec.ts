import { ADMIN_PASSWORD, ADMIN_USERNAME, loginHeader, startTestApp, TestApp } from '../helpers/app';
import { createReseller } from '../factories/customers';
import { postForm, textOf, webLogin } from './admin-helpers';

describe('changing your own password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('through the API: needs the current password, refuses a short one, ends other sessions', async () => {
    const other = await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD);
    const mine = await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD);
    const wrong = await t.http.post('/api/v1/auth/password').set(mine).send({ currentPassword: 'not-it', newPassword: 'a-new-password-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual([{ field: 'currentPassword', message: 'is not your current password', code: 'validation_failed' }]);
    const short = await t.http.post('/api/v1/auth/password').set(mine).send({ currentPassword: ADMIN_PASSWORD, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.details[0].field).toBe('newPassword');
    // Nothing changed so far: the old password still works.
    await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD);

    const ok = await t.http.post('/api/v1/auth/password').set(mine).send({ currentPassword: ADMIN_PASSWORD, newPassword: 'a-new-password-1' });
    expect(ok.status).toBe(204);
    expect((await t.http.get('/api/v1/auth/me').set(other)).status).toBe(401);
    expect((await t.http.post('/api/v1/auth/token').send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD })).status).toBe(401);
    const renewed = await loginHeader(t, ADMIN_USERNAME, 'a-new-password-1');
    const audit = await t.dataSource.query("SELECT actor_person_id FROM audit_log WHERE action = 'password_changed'");
    expect(audit).toHaveLength(1);

    // Put it back for the page test below.
    expect((await t.http.post('/api/v1/auth/password').set(renewed).send({ currentPassword: 'a-new-password-1', newPassword: ADMIN_PASSWORD })).status).toBe(204);
  });

  it('through the account page: inline errors, passwords never echoed, then success', async () => {
    const agent = await webLogin(t);
    const mismatch = await postForm(agent, '/account', '/account/password', {
      currentPassword: ADMIN_PASSWORD,
      newPassword: 'page-password-1',
      confirmPassword: 'page-password-2',
    });
    expect(mismatch.status).toBe(400);
    expect(textOf(mismatch.text)).toMatch(/does not match the new password/i);
    expect(mismatch.text).not.toContain('page-password-1');
    expect(mismatch.text).not.toContain(ADMIN_PASSWORD);

    const done = await postForm(agent, '/account', '/account/password', {
      currentPassword: ADMIN_PASSWORD,
      newPassword: 'page-password-1',
      confirmPassword: 'page-password-1',
    });
    expect(done.status).toBe(303);
    // The page's own session survives the change.
    expect((await agent.get('/account')).status).toBe(200);
    await loginHeader(t, ADMIN_USERNAME, 'page-password-1');
  });
});

describe('navigation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('offers System only to administrators of the system owner', async () => {
    const owner = await webLogin(t);
    expect((await owner.get('/')).text).toContain('href="/system"');
    const reseller = await createReseller(t, t.auth);
    const agent = await webLogin(t, reseller.username, reseller.password);
    const page = await agent.get('/');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('href="/system"');
    expect(page.text).toContain('href="/customers"');
  });
});
