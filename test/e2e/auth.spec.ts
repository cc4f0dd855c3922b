import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';

describe('authentication (HTTP)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers a token for the right password and 401 for a wrong one', async () => {
    const ok = await t.http.post('/api/v1/auth/token').send({ username: ADMIN_USERNAME, password: ADMIN_PASSWORD });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.token).toBe('string');
    expect(Date.parse(ok.body.expiresAt)).toBeGreaterThan(Date.now());
    const bad = await t.http.post('/api/v1/auth/token').send({ username: ADMIN_USERNAME, password: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'unauthenticated',
      message: 'wrong username or password',
      details: [],
    });
  });

  it('refuses requests without a token, and with a made-up one', async () => {
    expect((await t.http.get('/api/v1/auth/me')).status).toBe(401);
    expect((await t.http.get('/api/v1/auth/me').set('Authorization', 'Bearer made-up')).status).toBe(401);
    const me = await t.http.get('/api/v1/auth/me').set(t.auth);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: ADMIN_USERNAME, role: 'administrator', customerId: 1, actingCustomerId: 1 });
  });

  it('validates the token request: wrong types are a 400 with field details', async () => {
    const res = await t.http.post('/api/v1/auth/token').send({ username: 5, password: ['x'] });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const res = await t.http.post('/api/v1/auth/token').set('Content-Type', 'application/json').send('{"username": ');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('request body is not valid JSON');
  });

  it('throttles repeated failed logins with 429 and Retry-After, also for the right password', async () => {
    const username = 'someone-else';
    for (let i = 0; i < 5; i++) {
      expect((await t.http.post('/api/v1/auth/token').send({ username, password: 'wrong' })).status).toBe(401);
    }
    const blocked = await t.http.post('/api/v1/auth/token').send({ username, password: 'wrong' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('creates an API key that is shown once and works as a bearer token until revoked', async () => {
    const created = await t.http.post('/api/v1/api-keys').set(t.auth).send({ name: 'switch-1' });
    expect(created.status).toBe(201);
    const key = created.body.secret as string;
    expect(key.startsWith('vbk_')).toBe(true);
    const list = await t.http.get('/api/v1/api-keys').set(t.auth);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect((await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${key}`)).status).toBe(200);
    expect((await t.http.delete(`/api/v1/api-keys/${created.body.id}`).set(t.auth)).status).toBe(204);
    expect((await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${key}`)).status).toBe(401);
  });

  it('serves the OpenAPI document and health', async () => {
    const doc = await t.http.get('/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.paths['/api/v1/auth/token']).toBeDefined();
    const health = await t.http.get('/health');
    expect(health.body.status).toBe('ok');
  });

  it('has the test clock only with TEST_CLOCK=true', async () => {
    const set = await t.http.put('/api/v1/test/clock').set(t.auth).send({ now: '2026-11-01T03:00:00Z' });
    expect(set.status).toBe(200);
    expect(
      Math.abs(Date.parse((await t.http.get('/api/v1/test/clock').set(t.auth)).body.now) - Date.parse('2026-11-01T03:00:00Z')),
    ).toBeLessThan(5000);
    t.clock.setNow(new Date());
  });
});
