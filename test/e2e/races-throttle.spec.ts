import { IdentityService } from '../../src/modules/identity/identity.service';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import * as secrets from '../../src/shared/secrets';
import {
  API_KEY_IP_THROTTLE,
  LOGIN_IP_THROTTLE,
  LOGIN_USER_THROTTLE,
  SET_PASSWORD_IP_THROTTLE,
  THROTTLE_PRUNE_JOB,
  throttleKey,
  ThrottleService,
} from '../../src/shared/throttle.service';
import { JobRunner } from '../../src/shared/jobs/job-runner';
import { ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { browser, csrfOf, textOf } from './admin-helpers';
import { createCustomerWithLogin, unique } from '../factories/customers';

/**
 * Guessable secrets under parallel attempts (issue #13 item 5, issue #15 item 6): every attempt takes a
 * throttle slot before its secret is checked, so however many arrive at once at most the limit is checked
 * (counted here as the answers that say "wrong": 401/422; the rest are 429 and checked nothing), and never
 * a 500. Each test comes from a client address of its own (X-Forwarded-For; the app trusts loopback).
 */
describe(`throttled secrets under parallel attempts on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let ip = 0;
  const address = () => `198.51.100.${++ip}`;
  const PARALLEL = 40;
  const statuses = (answers: Array<{ status: number }>) => {
    const count: Record<number, number> = {};
    for (const a of answers) count[a.status] = (count[a.status] ?? 0) + 1;
    return count;
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => {
    jest.restoreAllMocks();
    t.clock.setNow(new Date());
  });

  it(`checks at most ${LOGIN_USER_THROTTLE.maxFailures} of ${PARALLEL} parallel wrong passwords of one user, then refuses the right one`, async () => {
    const c = await createCustomerWithLogin(t, t.auth);
    const verify = jest.spyOn(secrets, 'verifySecret');
    const from = address();
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        t.http.post('/api/v1/auth/token').set('X-Forwarded-For', from).send({ username: c.username, password: 'wrong-password' }),
      ),
    );
    expect(statuses(answers)).toEqual({ 401: LOGIN_USER_THROTTLE.maxFailures, 429: PARALLEL - LOGIN_USER_THROTTLE.maxFailures });
    expect(verify).toHaveBeenCalledTimes(LOGIN_USER_THROTTLE.maxFailures);
    const right = await t.http.post('/api/v1/auth/token').set('X-Forwarded-For', address()).send({ username: c.username, password: c.password });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(LOGIN_USER_THROTTLE.blockSeconds - 60);
  });

  it(`checks at most ${LOGIN_IP_THROTTLE.maxFailures} of ${PARALLEL} parallel logins of different names from one address`, async () => {
    const from = address();
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        t.http.post('/api/v1/auth/token').set('X-Forwarded-For', from).send({ username: `nobody-${i}`, password: 'wrong-password' }),
      ),
    );
    expect(statuses(answers)).toEqual({ 401: LOGIN_IP_THROTTLE.maxFailures, 429: PARALLEL - LOGIN_IP_THROTTLE.maxFailures });
  });

  it('lets a burst of right logins of one user through (they wait for a slot, none is refused)', async () => {
    const c = await createCustomerWithLogin(t, t.auth);
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => t.http.post('/api/v1/auth/token').set('X-Forwarded-For', address()).send({ username: c.username, password: c.password })),
    );
    expect(statuses(answers)).toEqual({ 200: 12 });
  });

  it(`answers at most ${SET_PASSWORD_IP_THROTTLE.maxFailures} of ${PARALLEL} parallel made-up set-password links (API and page), then refuses a real one`, async () => {
    const from = address();
    const api = await Promise.all(
      Array.from({ length: PARALLEL / 2 }, (_, i) =>
        t.http.post('/api/v1/auth/set-password').set('X-Forwarded-For', from).send({ token: `made-up-${i}`, password: 'a-new-password-1' }),
      ),
    );
    const pages = await Promise.all(Array.from({ length: PARALLEL / 2 }, (_, i) => browser(t).get(`/set-password/made-up-${i}`).set('X-Forwarded-For', from)));
    const all = statuses([...api, ...pages]);
    expect((all[422] ?? 0) + (all[410] ?? 0)).toBe(SET_PASSWORD_IP_THROTTLE.maxFailures);
    expect(all[429]).toBe(PARALLEL - SET_PASSWORD_IP_THROTTLE.maxFailures);
    expect(pages.find((p) => p.status === 429)?.text).toMatch(/Too many failed attempts/);

    const admin = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ username: ADMIN_USERNAME });
    const { url } = await t.app.get(IdentityService).issueSetPasswordLink(t.dataSource.manager, admin.id);
    const token = new URL(url).pathname.split('/').pop()!;
    expect((await browser(t).get(`/set-password/${token}`).set('X-Forwarded-For', from)).status).toBe(429);
    expect((await t.http.post('/api/v1/auth/set-password').set('X-Forwarded-For', from).send({ token, password: 'x'.repeat(12) })).status).toBe(429);
    // From another address the link works (and is then used up).
    expect((await browser(t).get(`/set-password/${token}`).set('X-Forwarded-For', address())).status).toBe(200);
  });

  it(`answers at most ${API_KEY_IP_THROTTLE.maxFailures} of ${PARALLEL} parallel made-up API keys from one address, then refuses a real key from it`, async () => {
    const created = await t.http.post('/api/v1/api-keys').set(t.auth).send({ name: unique('key-') });
    expect(created.status).toBe(201);
    const from = address();
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        t.http.get('/api/v1/auth/me').set('X-Forwarded-For', from).set('Authorization', `Bearer vbk_made-up-${i}`),
      ),
    );
    expect(statuses(answers)).toEqual({ 401: API_KEY_IP_THROTTLE.maxFailures, 429: PARALLEL - API_KEY_IP_THROTTLE.maxFailures });
    const real = await t.http.get('/api/v1/auth/me').set('X-Forwarded-For', from).set('Authorization', `Bearer ${created.body.secret as string}`);
    expect(real.status).toBe(429);
    expect(Number(real.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected, and a right key writes no throttle row.
    const other = address();
    const ok = await t.http.get('/api/v1/auth/me').set('X-Forwarded-For', other).set('Authorization', `Bearer ${created.body.secret as string}`);
    expect(ok.status).toBe(200);
    expect(await t.dataSource.query('SELECT bucket_key FROM throttle_buckets WHERE bucket_key = ?', [`api-key:ip:${other}`])).toEqual([]);
  });

  it('answers a login page with a 190+ character username with 400, like the API, and any throttle key fits', async () => {
    const long = 'u'.repeat(250);
    const agent = browser(t);
    const form = await agent.get('/login');
    const page = await agent.post('/login').set('X-Forwarded-For', address()).type('form').send({ _csrf: csrfOf(form.text), username: long, password: 'whatever-1' });
    expect(page.status).toBe(400);
    expect(textOf(page.text)).toContain('At most 100 characters.');
    expect((await t.http.post('/api/v1/auth/token').send({ username: long, password: 'whatever-1' })).status).toBe(400);
    // Whatever the input, the service's keys fit the column (hashed when long or not plain ASCII), and count.
    const throttle = t.app.get(ThrottleService);
    const policy = { maxFailures: 2, windowSeconds: 60, blockSeconds: 60 };
    for (const key of [`login:user:${'é'.repeat(500)}`, `voucher:account:1:${'a'.repeat(1000)}`, 'login:ip:a b', 'login:ip:a  b']) {
      await throttle.recordFailure([{ key, policy }]);
      await throttle.recordFailure([{ key, policy }]);
      await expect(throttle.recordFailure([{ key, policy }])).rejects.toMatchObject({ code: 'throttled' });
      expect(throttleKey(key).length).toBeLessThanOrEqual(200);
    }
    expect(throttleKey('login:ip:1.2.3.4')).toBe('login:ip:1.2.3.4');
    expect(throttleKey(`login:user:${'x'.repeat(300)}`)).toMatch(/^login:user:#[0-9a-f]{64}$/);
  });

  it('prunes the buckets whose window and block have both passed, and keeps the others', async () => {
    await t.dataSource.query('DELETE FROM throttle_buckets');
    const throttle = t.app.get(ThrottleService);
    const short = { maxFailures: 3, windowSeconds: 60, blockSeconds: 600 };
    await throttle.recordFailure([{ key: 'prune:window-passes', policy: short }]);
    for (let i = 0; i < 3; i++) await throttle.recordFailure([{ key: 'prune:blocked', policy: short }]);
    await throttle.recordFailure([{ key: 'prune:long-window', policy: { maxFailures: 3, windowSeconds: 3600, blockSeconds: 60 } }]);
    t.clock.setNow(new Date(t.clock.now().getTime() + 120_000));
    expect(await t.app.get(JobRunner).runNow(THROTTLE_PRUNE_JOB)).toBe('ran');
    const keys = async () => ((await t.dataSource.query('SELECT bucket_key FROM throttle_buckets ORDER BY bucket_key')) as Array<{ bucket_key: string }>).map((r) => r.bucket_key);
    expect(await keys()).toEqual(['prune:blocked', 'prune:long-window']);
    t.clock.setNow(new Date(t.clock.now().getTime() + 3600_000));
    expect(await throttle.prune()).toBe(2);
    expect(await keys()).toEqual([]);
  });
});
