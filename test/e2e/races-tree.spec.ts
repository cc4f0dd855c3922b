import { startTestApp, TestApp } from '../helpers/app';
import { testDatabaseKind } from '../helpers/database';
import { addNumber, createCustomer, createReseller, customerInput, unique, type ResellerLogin } from '../factories/customers';

/**
 * The customer tree under parallel requests (issue #13 item 6): creating under, and deleting, a customer
 * serialise on the customer's row (a shared lock for what is added under it, an exclusive one for the
 * delete; SQLite runs one transaction at a time), so a deleted customer never keeps live children, and
 * no person, line, mailbox or number is added to it after its deletion. Parallel edits of one customer
 * never lose a field.
 */
describe(`the customer tree under parallel requests on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let reseller: ResellerLogin;
  const later = <T>(ms: number, fn: () => Promise<T>): Promise<T> => new Promise((resolve, reject) => setTimeout(() => fn().then(resolve, reject), ms));
  const DELAYS = [0, 2, 5, 10, 20, 40];

  beforeAll(async () => {
    t = await startTestApp();
    reseller = await createReseller(t, t.auth);
  });
  afterAll(() => t.close());

  /** The audit ids of a customer's deletion and of the things added to it (in commit order, under the row lock). */
  async function auditOrder(customerId: number): Promise<{ deletedAt: number | null; addedAfter: Array<{ id: number; action: string }> }> {
    const rows = (await t.dataSource.query('SELECT id, action FROM audit_log WHERE customer_id = ? ORDER BY id', [customerId])) as Array<{
      id: unknown;
      action: string;
    }>;
    const deleted = rows.find((r) => r.action === 'customer_deleted');
    const deletedAt = deleted ? Number(deleted.id) : null;
    const adds = ['person_created', 'sip_account_created', 'mailbox_created', 'number_assigned'];
    return {
      deletedAt,
      addedAfter: deletedAt === null ? [] : rows.filter((r) => adds.includes(r.action) && Number(r.id) > deletedAt).map((r) => ({ id: Number(r.id), action: r.action })),
    };
  }

  it('never leaves live children under a customer deleted while children are being created under it', async () => {
    const outcomes: string[] = [];
    for (const delay of DELAYS) {
      const parent = await createCustomer(t, reseller.auth, { reseller: true });
      const creates = Array.from({ length: 6 }, async () =>
        t.http
          .post('/api/v1/customers')
          .set(reseller.auth)
          .send(await customerInput(t, { parentId: parent.id })),
      );
      const remove = later(delay, () => t.http.delete(`/api/v1/customers/${parent.id as number}`).set(reseller.auth));
      const [removed, ...created] = await Promise.all([remove, ...creates]);
      expect([204, 409]).toContain(removed.status);
      for (const c of created) expect([201, 404]).toContain(c.status);
      const [row] = (await t.dataSource.query('SELECT deleted_at FROM customers WHERE id = ?', [parent.id])) as Array<{ deleted_at: unknown }>;
      const [live] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM customers WHERE parent_id = ? AND deleted_at IS NULL', [parent.id])) as Array<{
        n: unknown;
      }>;
      if (row.deleted_at !== null) expect(Number(live.n)).toBe(0);
      else expect(removed.body.code).toBe('in_use');
      outcomes.push(`${removed.status}:${created.filter((c) => c.status === 201).length}`);
    }
    // Both orders happen: some deletes came first (creates 404), some after (the delete 409).
    expect(outcomes.length).toBe(DELAYS.length);
  });

  it('deletes children and their parent in parallel without ever leaving a live child of a deleted parent', async () => {
    const parent = await createCustomer(t, reseller.auth, { reseller: true });
    const kids = [];
    for (let i = 0; i < 5; i++) kids.push(await createCustomer(t, reseller.auth, { parentId: parent.id }));
    const answers = await Promise.all([
      ...kids.map((k, i) => later(i, () => t.http.delete(`/api/v1/customers/${k.id as number}`).set(reseller.auth))),
      later(2, () => t.http.delete(`/api/v1/customers/${parent.id as number}`).set(reseller.auth)),
    ]);
    for (const a of answers) expect([204, 409]).toContain(a.status);
    const [row] = (await t.dataSource.query('SELECT deleted_at FROM customers WHERE id = ?', [parent.id])) as Array<{ deleted_at: unknown }>;
    const [live] = (await t.dataSource.query('SELECT COUNT(*) AS n FROM customers WHERE parent_id = ? AND deleted_at IS NULL', [parent.id])) as Array<{ n: unknown }>;
    if (row.deleted_at !== null) expect(Number(live.n)).toBe(0);
  });

  it('adds no person, line, mailbox or number to a customer after it was deleted, whatever the interleaving', async () => {
    const seen = new Set<string>();
    for (const delay of DELAYS) {
      const c = await createCustomer(t, reseller.auth);
      const numbers = await Promise.all(Array.from({ length: 2 }, () => addNumber(t, reseller.id)));
      const base = `/api/v1/customers/${c.id as number}`;
      const adds = [
        ...Array.from({ length: 3 }, () =>
          t.http
            .post(`${base}/people`)
            .set(reseller.auth)
            .send({ username: unique('race-p'), displayName: 'Race', role: 'user', password: 'a-long-password-1' }),
        ),
        ...Array.from({ length: 2 }, () => t.http.post(`${base}/sip-accounts`).set(reseller.auth).send({ displayName: 'Race line' })),
        ...Array.from({ length: 2 }, () =>
          t.http
            .post(`${base}/mailboxes`)
            .set(reseller.auth)
            .send({ mailbox: String(100000 + Math.floor(Math.random() * 899999)) }),
        ),
        ...numbers.map((n) => t.http.post(`${base}/numbers`).set(reseller.auth).send({ numberId: n.id })),
      ];
      const remove = later(delay, () => t.http.delete(base).set(reseller.auth));
      const [removed, ...added] = await Promise.all([remove, ...adds]);
      expect(removed.status).toBe(204);
      for (const a of added) {
        if (![201, 404].includes(a.status)) throw new Error(`unexpected ${a.status} ${JSON.stringify(a.body)}`);
        seen.add(String(a.status));
      }
      const order = await auditOrder(c.id as number);
      expect(order.deletedAt).not.toBeNull();
      expect(order.addedAfter).toEqual([]);
    }
    expect(seen.has('201')).toBe(true);
  });

  it('keeps both fields of two PATCHes of different fields of one customer sent at once', async () => {
    for (let round = 0; round < 8; round++) {
      const c = await createCustomer(t, reseller.auth);
      const name = `Renamed ${unique('n')}`;
      const description = `Described ${unique('d')}`;
      const [a, b] = await Promise.all([
        t.http.patch(`/api/v1/customers/${c.id as number}`).set(reseller.auth).send({ name }),
        later(round % 3, () => t.http.patch(`/api/v1/customers/${c.id as number}`).set(reseller.auth).send({ description })),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const after = await t.http.get(`/api/v1/customers/${c.id as number}`).set(reseller.auth);
      expect(after.body).toMatchObject({ name, description });
    }
  });
});
