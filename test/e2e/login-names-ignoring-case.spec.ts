import { LoginNamesNocase1764500000000 } from '../../src/database/migrations/1764500000000-login-names-nocase';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { SipAccountEntity } from '../../src/modules/telephony/entities/sip-account.entity';
import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind, useFreshDataSource } from '../helpers/database';
import { recordStatements } from '../helpers/statements';
import { createCustomer } from '../factories/customers';

/**
 * Login names and SIP usernames are unique ignoring case on both databases: the database refuses a
 * name that differs only in case, and every "is it taken?" check is one lookup in the unique index.
 */
describe(`login names and SIP usernames ignore case (${testDatabaseKind()})`, () => {
  let t: TestApp;
  let statements: ReturnType<typeof recordStatements>;

  beforeAll(async () => {
    t = await startTestApp();
    statements = recordStatements(t.dataSource);
  });
  afterAll(() => t.close());

  const insertPerson = (customerId: number, username: string) =>
    t.dataSource.getRepository(PersonEntity).insert({
      customerId,
      username,
      displayName: username,
      email: null,
      role: 'user',
      passwordHash: null,
      createdAt: t.clock.now(),
      updatedAt: t.clock.now(),
    });
  const insertSipAccount = (customerId: number, username: string) =>
    t.dataSource
      .getRepository(SipAccountEntity)
      .insert({ customerId, username, secret: 's3cret-s3cret', displayName: 'Line', maxConcurrentCalls: null, createdAt: t.clock.now() });

  it('refuses, in the API and in the database itself, a login name or SIP username that differs only in case', async () => {
    const c = await createCustomer(t, t.auth, { username: 'Mixed.Case' });
    const person = await t.http
      .post(`/api/v1/customers/${c.id}/people`)
      .set(t.auth)
      .send({ username: 'MIXED.case', displayName: 'Dup', email: 'dup@example.com', role: 'user' });
    expect(person.status).toBe(409);
    const customer = await t.http.post('/api/v1/customers').set(t.auth).send({
      type: 'normal',
      name: 'Dup',
      email: 'dup@example.com',
      username: 'mixed.CASE',
      ratePlanId: c.ratePlanId,
    });
    expect(customer.status).toBe(409);
    // Straight into the tables, past the services' checks: the unique indexes refuse them as well.
    await expect(insertPerson(c.id, 'mixed.case')).rejects.toThrow(/unique|duplicate/i);
    await insertSipAccount(c.id, 'Line-One');
    await expect(insertSipAccount(c.id, 'LINE-one')).rejects.toThrow(/unique|duplicate/i);
    const line = await t.http.post(`/api/v1/customers/${c.id}/sip-accounts`).set(t.auth).send({ username: 'line-ONE', displayName: 'x' });
    expect(line.status).toBe(409);
    expect(await t.dataSource.getRepository(PersonEntity).countBy({ customerId: c.id })).toBe(1);
  });

  it('logs in with the name typed in any case, and throttles the name whatever its case', async () => {
    await createCustomer(t, t.auth, { username: 'Login.Case', password: 'login-case-password-1' });
    const login = (username: string, password: string) => t.http.post('/api/v1/auth/token').send({ username, password });
    for (const typed of ['Login.Case', 'login.case', 'LOGIN.CASE']) expect((await login(typed, 'login-case-password-1')).status).toBe(200);
    // Five wrong passwords under five spellings block the one name.
    for (const typed of ['login.case', 'LOGIN.case', 'Login.CASE', 'lOgIn.cAsE', 'LOGIN.CASE']) {
      expect((await login(typed, 'wrong-password-123')).status).toBe(401);
    }
    expect((await login('Login.Case', 'login-case-password-1')).status).toBe(429);
  });

  it('checks through the unique indexes (SQLite plans; MariaDB compares in its collation)', async () => {
    const c = await createCustomer(t, t.auth);
    const sent = [
      ...(await statements(() =>
        t.http
          .post('/api/v1/customers')
          .set(t.auth)
          .send({ type: 'normal', name: 'Probe', email: 'probe@example.com', ratePlanId: c.ratePlanId }),
      )),
      ...(await statements(() =>
        t.http
          .post(`/api/v1/customers/${c.id}/people`)
          .set(t.auth)
          .send({ username: 'probe-person', displayName: 'P', email: 'p@example.com', role: 'user' }),
      )),
      ...(await statements(() =>
        t.http.post(`/api/v1/customers/${c.id}/sip-accounts`).set(t.auth).send({ username: 'probe-line', displayName: 'x' }),
      )),
    ];
    const probes = sent.filter((s) => /^\s*SELECT/i.test(s.sql) && /(people|sip_accounts)\W+\w+\W*\s+WHERE[^)]*username/i.test(s.sql));
    expect(probes.length).toBeGreaterThanOrEqual(3);
    for (const s of probes) expect(s.sql).not.toMatch(/LOWER\(/i);
    if (testDatabaseKind() !== 'sqlite') return;
    for (const s of probes) {
      const plan = (await t.dataSource.query(`EXPLAIN QUERY PLAN ${s.sql}`, s.params)) as Array<{ detail: string }>;
      const details = plan.map((p) => p.detail).join('; ');
      expect(details).toMatch(/(SEARCH|USING) .*INDEX IDX_(people|sip_accounts)_username \(username=\?\)/);
    }
  });
});

describe(`migration LoginNamesNocase on ${testDatabaseKind()}`, () => {
  const fresh = useFreshDataSource();

  it('stops with the clashing names when two differ only in case (SQLite), and migrates once they are renamed', async () => {
    const index = fresh.ds.migrations.findIndex((m) => m instanceof LoginNamesNocase1764500000000);
    expect(index).toBeGreaterThan(0);
    await fresh.ds.runMigrations();
    for (let i = index; i < fresh.ds.migrations.length; i++) await fresh.ds.undoLastMigration();
    const at = fresh.ds.options.type === 'better-sqlite3' ? '2026-01-02 03:04:05.678' : new Date('2026-01-02T03:04:05.678Z');
    const add = (username: string) =>
      fresh.ds.query('INSERT INTO people (customer_id, username, display_name, role, created_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)', [
        username,
        username,
        'user',
        at,
        at,
      ]);
    await fresh.ds.query(
      'INSERT INTO customers (parent_id, path, depth, type, name, email, timezone, billing_type, payment_type, currency, credit_limit, low_balance_threshold, balance, created_at, updated_at) ' +
        "VALUES (NULL, '/1/', 0, 'normal', 'Root', 'root@example.com', 'UTC', 'prepaid', 'none', 'EUR', 0, 0, 0, ?, ?)",
      [at, at],
    );
    await add('Ann');
    if (testDatabaseKind() === 'sqlite') {
      await add('ANN'); // the old SQLite index let this in
      // TypeORM prints the failed migration itself; the assertion below is what matters.
      jest.spyOn(console, 'log').mockImplementationOnce(() => undefined);
      await expect(fresh.ds.runMigrations()).rejects.toThrow(/people\.username holds names that differ only in case \("ann"\)/);
      await fresh.ds.query("UPDATE people SET username = 'ann-2' WHERE username = 'ANN'");
    } else {
      await expect(add('ANN')).rejects.toThrow(/duplicate/i); // MariaDB's collation always refused it
    }
    await fresh.ds.runMigrations();
    expect(await fresh.ds.showMigrations()).toBe(false);
    await expect(add('aNN')).rejects.toThrow(/unique|duplicate/i);
  });
});
