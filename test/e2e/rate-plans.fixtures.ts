import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { hashSecret } from '../../src/modules/identity/secrets';
import { Money } from '../../src/shared/money';
import { loginHeader, TestApp } from '../helpers/app';

/**
 * Fixtures of the rate-plan tests. Customers are written straight to the database so these tests do not
 * depend on the customers API; rate plans and rates always go through the API under test.
 */
export type Auth = { Authorization: string };

let seq = 0;
export const unique = (prefix = 'x'): string => `${prefix}${++seq}${Math.floor(Math.random() * 1e6)}`;

export const HEADER = 'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction';
export const FULL_HEADER = `${HEADER},per_message,days,start_time,end_time,priority,valid_from,valid_until`;

export interface TestCustomer {
  id: number;
  path: string;
  auth: Auth;
}

/** A customer under `parentId` (default: the system owner), optionally with a logged-in administrator. */
export async function addCustomer(
  t: TestApp,
  opts: { parentId?: number; reseller?: boolean; ratePlanId?: number | null; currency?: string; login?: boolean } = {},
): Promise<TestCustomer> {
  const repo = t.dataSource.getRepository(CustomerEntity);
  const parent = await repo.findOneByOrFail({ id: opts.parentId ?? 1 });
  const now = t.clock.now();
  const name = unique('Customer ');
  const saved = await repo.save({
    parentId: parent.id,
    path: '/pending/',
    depth: parent.depth + 1,
    type: 'normal',
    name,
    description: null,
    email: `${unique('c')}@example.com`,
    accountNumber: null,
    reseller: opts.reseller ?? true,
    directory: false,
    prefix: null,
    timezone: 'UTC',
    ratePlanId: opts.ratePlanId ?? null,
    billingType: 'prepaid',
    paymentType: 'none',
    currency: opts.currency ?? 'EUR',
    creditLimit: Money.ZERO,
    lowBalanceThreshold: Money.ZERO,
    balance: Money.ZERO,
    createdAt: now,
    updatedAt: now,
  } as Partial<CustomerEntity>);
  const path = `${parent.path}${saved.id}/`;
  await repo.update({ id: saved.id }, { path });
  let auth: Auth = { Authorization: 'Bearer none' };
  if (opts.login !== false) {
    const username = unique('admin');
    const password = 'a-long-password-1';
    await t.dataSource.getRepository(PersonEntity).insert({
      customerId: saved.id,
      username,
      displayName: 'Admin',
      email: null,
      role: 'administrator',
      passwordHash: await hashSecret(password),
      createdAt: now,
      updatedAt: now,
    });
    auth = await loginHeader(t, username, password);
  }
  return { id: saved.id, path, auth };
}

export async function setCustomerPlan(t: TestApp, customerId: number, ratePlanId: number | null): Promise<void> {
  await t.dataSource.getRepository(CustomerEntity).update({ id: customerId }, { ratePlanId });
}

/** Creates a plan through the API; throws with the answer unless 201. */
export async function createPlan(t: TestApp, auth: Auth, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await t.http
    .post('/api/v1/rate-plans')
    .set(auth)
    .send({ name: unique('Plan '), ...body });
  if (res.status !== 201) throw new Error(`create plan failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Imports a deck through the API; throws with the answer unless 200. */
export async function importDeck(t: TestApp, auth: Auth, planId: number, csv: string, query = ''): Promise<Record<string, any>> {
  const res = await t.http.put(`/api/v1/rate-plans/${planId}/rates${query}`).set(auth).set('Content-Type', 'text/csv').send(csv);
  if (res.status !== 200) throw new Error(`import failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function costPlanId(t: TestApp): Promise<number> {
  const [row] = await t.dataSource.query('SELECT cost_plan_id AS id FROM system_settings WHERE id = 1');
  return Number(row.id);
}

/** Row counts of the rate tables, for "nothing changed" assertions. */
export async function rateCounts(t: TestApp): Promise<{ rates: number; decks: number; versions: string }> {
  const [r] = await t.dataSource.query('SELECT COUNT(*) AS n FROM rates');
  const [d] = await t.dataSource.query('SELECT COUNT(*) AS n FROM rate_decks');
  const v = await t.dataSource.query('SELECT id, rates_version AS v FROM rate_plans ORDER BY id');
  return { rates: Number(r.n), decks: Number(d.n), versions: v.map((x: any) => `${x.id}:${x.v}`).join(',') };
}
