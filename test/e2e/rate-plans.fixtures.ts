import http from 'node:http';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { type Auth, unique } from '../factories/customers';
import { insertCustomer, insertPerson } from '../factories/rows';
import { TestApp } from '../helpers/app';

/**
 * Fixtures of the rate-plan tests. Customers are written straight to the database so they can have no
 * rate plan or another currency; rate plans and rates always go through the API under test.
 */

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
  const { id, path } = await insertCustomer(t, opts.parentId ?? 1, {
    reseller: opts.reseller ?? true,
    ratePlanId: opts.ratePlanId ?? null,
    currency: opts.currency ?? 'EUR',
  });
  const auth: Auth =
    opts.login === false
      ? { Authorization: 'Bearer none' }
      : await insertPerson(t, id, { username: unique('admin'), displayName: 'Admin' });
  return { id, path, auth };
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

/**
 * PUTs a deck with chunked transfer encoding (no Content-Length), as a streaming client would, to the app
 * listening on `port`; `send` writes the body and ends the request. Answers the status and the body text.
 */
export function putDeckChunked(
  t: TestApp,
  port: number,
  planId: number,
  send: (req: http.ClientRequest) => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/api/v1/rate-plans/${planId}/rates`,
        headers: { ...t.auth, 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    send(req);
  });
}

/** Row counts of the rate tables, for "nothing changed" assertions. */
export async function rateCounts(t: TestApp): Promise<{ rates: number; decks: number; versions: string }> {
  const [r] = await t.dataSource.query('SELECT COUNT(*) AS n FROM rates');
  const [d] = await t.dataSource.query('SELECT COUNT(*) AS n FROM rate_decks');
  const v = await t.dataSource.query('SELECT id, rates_version AS v FROM rate_plans ORDER BY id');
  return { rates: Number(r.n), decks: Number(d.n), versions: v.map((x: any) => `${x.id}:${x.v}`).join(',') };
}
