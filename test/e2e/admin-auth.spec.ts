import { DataSource } from 'typeorm';
import { PasswordTokenEntity } from '../../src/modules/identity/entities/password-token.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { IdentityService } from '../../src/modules/identity/identity.service';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { browser, csrfOf, textOf, webLogin } from './admin-helpers';

describe('admin pages: login, logout, CSRF, set password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('sends a visitor without a session to the login page, keeping where they wanted to go', async () => {
    const res = await browser(t).get('/outbox?search=x').set('Accept', 'text/html');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Foutbox%3Fsearch%3Dx');
  });

  it('shows the login form with a CSRF token and logs in to the page asked for', async () => {
    const agent = browser(t);
    const page = await agent.get('/login?next=%2Foutbox');
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="username"');
    expect(page.text).toContain('value="/outbox"');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(page.text), username: ADMIN_USERNAME, password: ADMIN_PASSWORD, next: '/outbox' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/outbox');
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sid='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const dash = await agent.get('/');
    expect(dash.status).toBe(200);
    expect(textOf(dash.text)).toContain('System owner');
    expect(dash.text).toContain('href="/customers"');
    expect(dash.text).toContain('href="/outbox"');
  });

  it('never redirects to another site after login', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const agent = browser(t);
      const page = await agent.get('/login');
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfOf(page.text), username: ADMIN_USERNAME, password: ADMIN_PASSWORD, next });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/');
    }
  });

  it('shows a wrong password inline, keeps the username, and does not log in', async () => {
    const agent = browser(t);
    const page = await agent.get('/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(page.text), username: 'admin', password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(textOf(res.text)).toContain('Wrong username or password.');
    expect(res.text).toContain('value="admin"');
    expect(res.text).not.toContain('wrong-password');
    const empty = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(res.text), username: '', password: '' });
    expect(empty.status).toBe(400);
    expect(textOf(empty.text)).toContain('Enter your username.');
    expect(textOf(empty.text)).toContain('Enter your password.');
    expect((await agent.get('/').set('Accept', 'text/html')).status).toBe(303);
  });

  it('shows the throttling message after repeated failures', async () => {
    const agent = browser(t);
    let html = (await agent.get('/login')).text;
    let last = 0;
    for (let i = 0; i < 6; i++) {
      const res = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfOf(html), username: 'nobody-here', password: 'wrong' });
      last = res.status;
      html = res.text;
    }
    expect(last).toBe(429);
    expect(textOf(html)).toMatch(/Too many failed attempts\. Try again in \d+ minutes?\./);
  });

  it('refuses a form POST without a valid CSRF token with a 403 page', async () => {
    const agent = await webLogin(t);
    const none = await agent.post('/logout').type('form').set('Accept', 'text/html').send({});
    expect(none.status).toBe(403);
    expect(none.headers['content-type']).toMatch(/html/);
    expect(textOf(none.text)).toContain('The form has expired or did not come from this site');
    const forged = await agent.post('/logout').type('form').send({ _csrf: 'abc.def' });
    expect(forged.status).toBe(403);
    // A token from another browser's session does not work either.
    const other = browser(t);
    const otherToken = csrfOf((await other.get('/login')).text);
    expect((await agent.post('/logout').type('form').send({ _csrf: otherToken })).status).toBe(403);
    // Still logged in.
    expect((await agent.get('/')).status).toBe(200);
    const login = await browser(t).post('/login').type('form').send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD });
    expect(login.status).toBe(403);
  });

  it('requires the CSRF header for API writes authenticated by the cookie, not for bearer tokens', async () => {
    const agent = await webLogin(t);
    const page = await agent.get('/');
    const viaCookie = await agent.post('/api/v1/api-keys').send({ name: 'k1' });
    expect(viaCookie.status).toBe(403);
    expect(viaCookie.body.statusCode).toBe(403);
    const withHeader = await agent.post('/api/v1/api-keys').set('X-CSRF-Token', csrfOf(page.text)).send({ name: 'k2' });
    expect(withHeader.status).toBe(201);
    expect((await agent.get('/api/v1/auth/me')).status).toBe(200);
    expect((await t.http.post('/api/v1/api-keys').set(t.auth).send({ name: 'k3' })).status).toBe(201);
    // Getting an API token from a browser that is logged in to the pages (the API docs' "Try it out").
    expect((await agent.post('/api/v1/auth/token').send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD })).status).toBe(200);
  });

  it('logs out: the session ends and the cookie is cleared', async () => {
    const agent = await webLogin(t);
    const page = await agent.get('/');
    const res = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfOf(page.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    const login = await agent.get('/login');
    expect(textOf(login.text)).toContain('You have logged out.');
    expect((await agent.get('/').set('Accept', 'text/html')).status).toBe(303);
  });

  it('sets a password through the emailed link, with the rules shown inline', async () => {
    const ds = t.app.get(DataSource);
    const admin = await ds.getRepository(PersonEntity).findOneByOrFail({ username: ADMIN_USERNAME });
    const { url } = await t.app.get(IdentityService).issueSetPasswordLink(ds.manager, admin.id);
    const path = new URL(url).pathname;
    const agent = browser(t);
    const form = await agent.get(path);
    expect(form.status).toBe(200);
    expect(textOf(form.text)).toContain(`Username: ${ADMIN_USERNAME}`);
    const short = await agent
      .post(path)
      .type('form')
      .send({ _csrf: csrfOf(form.text), password: 'short', passwordConfirm: 'short' });
    expect(short.status).toBe(400);
    expect(textOf(short.text)).toContain('Must be at least 10 characters long');
    const mismatch = await agent
      .post(path)
      .type('form')
      .send({ _csrf: csrfOf(short.text), password: 'long-enough-1', passwordConfirm: 'long-enough-2' });
    expect(textOf(mismatch.text)).toContain('The two passwords are not the same.');
    const ok = await agent
      .post(path)
      .type('form')
      .send({ _csrf: csrfOf(mismatch.text), password: 'a-new-password-1', passwordConfirm: 'a-new-password-1' });
    expect(ok.status).toBe(303);
    expect(textOf((await agent.get('/login')).text)).toContain('Your password is set.');
    await webLogin(t, ADMIN_USERNAME, 'a-new-password-1');
    // The link works once.
    const again = await browser(t).get(path);
    expect(again.status).toBe(410);
    expect(textOf(again.text)).toContain('This link has expired or was already used.');
    expect(await ds.getRepository(PasswordTokenEntity).countBy({ personId: admin.id })).toBe(1);
    // Put the password back for the other tests.
    const link2 = await t.app.get(IdentityService).issueSetPasswordLink(ds.manager, admin.id);
    const p2 = new URL(link2.url).pathname;
    const f2 = await agent.get(p2);
    await agent
      .post(p2)
      .type('form')
      .send({ _csrf: csrfOf(f2.text), password: ADMIN_PASSWORD, passwordConfirm: ADMIN_PASSWORD });
  });
});
