import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { ApiKeyEntity } from '../../src/modules/identity/entities/api-key.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { SessionEntity } from '../../src/modules/identity/entities/session.entity';
import { LOGIN_CHAIN_LEVELS } from '../../src/modules/identity/identity.repository';
import { hashSecret, sha256 } from '../../src/shared/secrets';
import { loginHeader, startTestApp, TestApp } from '../helpers/app';
import { recordStatements } from '../helpers/statements';
import { insertCustomer } from '../factories/rows';

type Auth = { Authorization: string };

/**
 * The AuthGuard runs on every request: it must stay cheap (one statement for a session or a recently
 * used API key) and still see every lock, delete and expiry at the very next request.
 */
describe('authentication on every request: statements and effect', () => {
  let t: TestApp;
  let seq = 0;
  let record: ReturnType<typeof recordStatements>;
  /** The SQL statements TypeORM sends while `fn` runs (counted through its logger, as the bench does). */
  const statements = async (fn: () => Promise<unknown>): Promise<string[]> => (await record(fn)).map((s) => s.sql);

  /** A customer row under `parent` (factories/rows.ts), straight into the table: no person, no mail. */
  const customer = (parent: CustomerEntity, fields: Partial<CustomerEntity> = {}) => insertCustomer(t, parent.id, fields);

  async function person(of: CustomerEntity): Promise<{ auth: Auth; token: string; username: string }> {
    seq++;
    const username = `auth-person-${seq}`;
    const now = t.clock.now();
    await t.dataSource.getRepository(PersonEntity).insert({
      customerId: of.id,
      username,
      displayName: username,
      email: null,
      role: 'administrator',
      passwordHash: await hashSecret('a-long-password-1'),
      createdAt: now,
      updatedAt: now,
    });
    const auth = await loginHeader(t, username, 'a-long-password-1');
    return { auth, token: auth.Authorization.slice('Bearer '.length), username };
  }

  const me = (auth: Auth | Record<string, string>) => t.http.get('/api/v1/auth/me').set(auth);
  const setCustomer = (id: number, fields: Partial<CustomerEntity>) => t.dataSource.getRepository(CustomerEntity).update({ id }, fields);

  let root: CustomerEntity;
  beforeAll(async () => {
    t = await startTestApp();
    record = recordStatements(t.dataSource);
    root = await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: 1 });
  });
  afterAll(() => t.close());
  afterEach(() => t.clock.setNow(new Date()));

  it('answers GET /api/v1/auth/me with at most 2 statements (the guard sends one) for a bearer token', async () => {
    await me(t.auth);
    let res: { status: number; body: { personId: number } } | undefined;
    const sent = await statements(async () => (res = await me(t.auth)));
    expect(res?.status).toBe(200);
    expect(sent.length).toBeLessThanOrEqual(2);
  });

  it('also for a deep customer, a web cookie and an API key used within the last minute', async () => {
    const a = await customer(root);
    const b = await customer(a);
    const c = await customer(b);
    const p = await person(c);
    const res = await me(p.auth);
    expect(res.body).toMatchObject({ customerId: c.id, actingCustomerId: c.id });
    expect(await statements(() => me(p.auth))).toHaveLength(2);
    expect(await statements(() => me({ Cookie: `sid=${p.token}` }))).toHaveLength(2);

    const key = (await t.http.post('/api/v1/api-keys').set(p.auth).send({ name: 'k' })).body.secret as string;
    const keyAuth = { Authorization: `Bearer ${key}` };
    // The first use records when the key was used (one UPDATE), the next ones within a minute do not.
    const first = await statements(() => me(keyAuth));
    expect(first).toHaveLength(3);
    expect(first.filter((s) => /^\s*UPDATE/i.test(s))).toHaveLength(1);
    const used = (await t.dataSource.getRepository(ApiKeyEntity).findOneByOrFail({ secretHash: sha256(key) })).lastUsedAt;
    expect(used).toBeInstanceOf(Date);
    t.clock.freeze(new Date(used!.getTime() + 59_000));
    expect(await statements(() => me(keyAuth))).toHaveLength(2);
    expect((await t.dataSource.getRepository(ApiKeyEntity).findOneByOrFail({ secretHash: sha256(key) })).lastUsedAt).toEqual(used);
    t.clock.freeze(new Date(used!.getTime() + 61_000));
    expect((await me(keyAuth)).status).toBe(200);
    expect((await t.dataSource.getRepository(ApiKeyEntity).findOneByOrFail({ secretHash: sha256(key) })).lastUsedAt).toEqual(
      new Date(used!.getTime() + 61_000),
    );
  });

  it('sees a web lock or a delete anywhere above at the very next request, and the unlock too', async () => {
    const a = await customer(root);
    const b = await customer(a);
    const c = await customer(b);
    const p = await person(c);
    expect((await me(p.auth)).status).toBe(200);
    for (const target of [a, b, c]) {
      await setCustomer(target.id, { lockedWeb: true });
      expect((await me(p.auth)).status).toBe(401);
      await setCustomer(target.id, { lockedWeb: false });
      expect((await me(p.auth)).status).toBe(200);
      await setCustomer(target.id, { deletedAt: t.clock.now() });
      expect((await me(p.auth)).status).toBe(401);
      await setCustomer(target.id, { deletedAt: null });
      expect((await me(p.auth)).status).toBe(200);
    }
    // A lock below the person's customer does not concern them.
    const below = await customer(c, { lockedWeb: true });
    expect((await me(p.auth)).status).toBe(200);
    await setCustomer(below.id, { deletedAt: t.clock.now() });
    expect((await me(p.auth)).status).toBe(200);
    // Nor does a lock on a sibling branch.
    await customer(b, { lockedWeb: true });
    expect((await me(p.auth)).status).toBe(200);
  });

  it('refuses an expired session, a deleted person, and a revoked API key', async () => {
    const c = await customer(root);
    const p = await person(c);
    const session = await t.dataSource.getRepository(SessionEntity).findOneByOrFail({ tokenHash: sha256(p.token) });
    t.clock.freeze(new Date(session.expiresAt.getTime() - 1));
    expect((await me(p.auth)).status).toBe(200);
    t.clock.freeze(session.expiresAt);
    expect((await me(p.auth)).status).toBe(401);
    t.clock.setNow(new Date());

    const q = await person(c);
    const key = (await t.http.post('/api/v1/api-keys').set(q.auth).send({ name: 'k' })).body as { id: number; secret: string };
    const keyAuth = { Authorization: `Bearer ${key.secret}` };
    expect((await me(keyAuth)).status).toBe(200);
    await t.dataSource.getRepository(PersonEntity).update({ username: q.username }, { deletedAt: t.clock.now() });
    expect((await me(q.auth)).status).toBe(401);
    expect((await me(keyAuth)).status).toBe(401);
    await t.dataSource.getRepository(PersonEntity).update({ username: q.username }, { deletedAt: null });
    expect((await me(keyAuth)).status).toBe(200);
    await t.dataSource.getRepository(ApiKeyEntity).update({ id: key.id }, { revokedAt: t.clock.now() });
    expect((await me(keyAuth)).status).toBe(401);
    expect((await me(q.auth)).status).toBe(200);
  });

  it('acts for a switched-to customer only while it is live and in the subtree, in 2 statements', async () => {
    const a = await customer(root);
    const child = await customer(a);
    const elsewhere = await customer(root);
    const p = await person(a);
    const sessions = t.dataSource.getRepository(SessionEntity);
    const act = (id: number | null) => sessions.update({ tokenHash: sha256(p.token) }, { actingCustomerId: id });

    await act(child.id);
    expect((await me(p.auth)).body).toMatchObject({ customerId: a.id, actingCustomerId: child.id });
    expect(await statements(() => me(p.auth))).toHaveLength(2);
    await setCustomer(child.id, { deletedAt: t.clock.now() });
    expect((await me(p.auth)).body).toMatchObject({ customerId: a.id, actingCustomerId: a.id });
    await setCustomer(child.id, { deletedAt: null });
    expect((await me(p.auth)).body).toMatchObject({ actingCustomerId: child.id });
    // A lock on the switched-to customer itself never hid it from its parent's administrator.
    await setCustomer(child.id, { lockedWeb: true });
    expect((await me(p.auth)).body).toMatchObject({ actingCustomerId: child.id });
    await act(elsewhere.id);
    expect((await me(p.auth)).body).toMatchObject({ customerId: a.id, actingCustomerId: a.id });
    await act(999_999);
    expect((await me(p.auth)).body).toMatchObject({ customerId: a.id, actingCustomerId: a.id });
    await act(a.id);
    expect((await me(p.auth)).body).toMatchObject({ customerId: a.id, actingCustomerId: a.id });
  });

  it(`reads a chain of ${LOGIN_CHAIN_LEVELS} customers in the one statement, and asks by path for a deeper customer`, async () => {
    // chain[d - 1] is at depth d: the deepest one the statement covers has LOGIN_CHAIN_LEVELS ids in its path.
    const chain: CustomerEntity[] = [];
    for (let depth = 1; depth <= LOGIN_CHAIN_LEVELS; depth++) chain.push(await customer(chain[depth - 2] ?? root));
    const covered = await person(chain[LOGIN_CHAIN_LEVELS - 2]);
    const deeper = await person(chain[LOGIN_CHAIN_LEVELS - 1]);
    expect(await statements(() => me(covered.auth))).toHaveLength(2);
    expect(await statements(() => me(deeper.auth))).toHaveLength(3);
    for (const target of [chain[0], chain[LOGIN_CHAIN_LEVELS - 2], chain[LOGIN_CHAIN_LEVELS - 1]]) {
      for (const change of [{ lockedWeb: true }, { deletedAt: t.clock.now() }] as Partial<CustomerEntity>[]) {
        await setCustomer(target.id, change);
        expect((await me(deeper.auth)).status).toBe(401);
        expect((await me(covered.auth)).status).toBe(target === chain[LOGIN_CHAIN_LEVELS - 1] ? 200 : 401);
        await setCustomer(target.id, { lockedWeb: false, deletedAt: null });
        expect((await me(deeper.auth)).status).toBe(200);
        expect((await me(covered.auth)).status).toBe(200);
      }
    }
  });

  it('goes by the materialised path, even where parent ids would say otherwise', async () => {
    const a = await customer(root);
    const b = await customer(root);
    const c = await customer(a);
    const p = await person(c);
    // c's path says /1/a/c/; a parent id pointing at b (as no code writes it) must not change the answer.
    await setCustomer(c.id, { parentId: b.id });
    await setCustomer(b.id, { lockedWeb: true });
    expect((await me(p.auth)).status).toBe(200);
    // The guard then asks by path ids in a second statement.
    expect(await statements(() => me(p.auth))).toHaveLength(3);
    await setCustomer(a.id, { lockedWeb: true });
    expect((await me(p.auth)).status).toBe(401);
    await setCustomer(a.id, { lockedWeb: false });
    await setCustomer(a.id, { deletedAt: t.clock.now() });
    expect((await me(p.auth)).status).toBe(401);
  });
});
