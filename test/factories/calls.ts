import { BillingApi } from '../../src/modules/billing/billing.api';
import { BalanceEntity } from '../../src/modules/billing/entities/balance.entity';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { Money } from '../../src/shared/money';
import type { TestApp } from '../helpers/app';
import { addCustomer, costPlanId, createPlan, HEADER, importDeck, setCustomerPlan, type TestCustomer } from '../e2e/rate-plans.fixtures';
import type { Auth } from './customers';
import { postToLedger } from './billing';

/**
 * A three-level tree for call control: system owner ─ reseller ─ customer. UK calls (prefix 44) cost the
 * carriers 0.60/min; the reseller pays 0.90/min (its plan marks the cost up by 50%); the customer pays
 * 1.20/min with 60/60 billing (its own rate in the reseller's plan): a minute costs the customer 1.20 and
 * the reseller 0.90. The reseller is postpaid with a 1,000.00 credit limit unless told otherwise.
 */
export interface CallTree {
  reseller: TestCustomer;
  customer: TestCustomer;
  /** The reseller's API key, as its switch would use it. */
  switchAuth: Auth;
  resellerPlanId: number;
  customerPlanId: number;
}

let deckLoaded = new WeakSet<TestApp>();

export async function loadCostDeck(t: TestApp): Promise<void> {
  if (deckLoaded.has(t)) return;
  await importDeck(
    t,
    t.auth,
    await costPlanId(t),
    [HEADER, '44,UK,0,0,0.60,1,1,0,outbound', '33,France,0,0,0.30,1,1,0,outbound'].join('\n'),
  );
  deckLoaded.add(t);
}

/** Resets the module's memory of loaded decks (a new app per spec file anyway). */
export function forgetDecks(): void {
  deckLoaded = new WeakSet<TestApp>();
}

export async function callTree(
  t: TestApp,
  opts: { customer?: Partial<CustomerEntity>; reseller?: Partial<CustomerEntity>; customerCredit?: string } = {},
): Promise<CallTree> {
  await loadCostDeck(t);
  const reseller = await addCustomer(t);
  const resellerPlan = await createPlan(t, t.auth, {
    name: `Reseller plan ${reseller.id}`,
    sharing: 'children',
    precision: 2,
    markups: { outboundPerMinute: '50' },
  });
  await setCustomerPlan(t, reseller.id, resellerPlan.id);
  await update(t, reseller.id, { billingType: 'postpaid', creditLimit: Money.of('1000'), ...opts.reseller });
  const customerPlan = await createPlan(t, reseller.auth, { name: `Customer plan ${reseller.id}`, precision: 2 });
  await importDeck(t, reseller.auth, customerPlan.id, [HEADER, '44,UK,0,0,1.20,60,60,0,outbound'].join('\n'));
  const customer = await addCustomer(t, { parentId: reseller.id, reseller: false, ratePlanId: customerPlan.id });
  await update(t, customer.id, { billingType: 'prepaid', ...opts.customer });
  if (opts.customerCredit) await creditCustomer(t, customer.id, opts.customerCredit);
  const key = await t.http.post('/api/v1/api-keys').set(reseller.auth).send({ name: 'switch' });
  if (key.status !== 201) throw new Error(`api key: ${key.status} ${JSON.stringify(key.body)}`);
  return {
    reseller,
    customer,
    switchAuth: { Authorization: `Bearer ${key.body.secret as string}` },
    resellerPlanId: resellerPlan.id,
    customerPlanId: customerPlan.id,
  };
}

export async function update(t: TestApp, customerId: number, fields: Partial<CustomerEntity>): Promise<void> {
  await t.dataSource.getRepository(CustomerEntity).update({ id: customerId }, fields);
}

export async function creditCustomer(t: TestApp, customerId: number, amount: string): Promise<void> {
  await postToLedger(t, { customerId, type: 'credit', amount: Money.of(amount), description: 'test credit' });
}

let seq = 0;
export const callId = (prefix = 'call'): string => `${prefix}-${Date.now()}-${++seq}@test`;

export function authorize(t: TestApp, auth: Auth, body: Record<string, unknown>) {
  return t.http
    .post('/api/v1/calls/authorize')
    .set(auth)
    .send({ caller: '441632960001', called: '442079460000', direction: 'outbound', ...body });
}

/** A CDR body: answered at `at` for `seconds` (0 = unanswered). */
export function cdrBody(customerId: number, id: string, seconds: number, at = new Date(Date.now() - 3_600_000)): Record<string, unknown> {
  const answered = new Date(at.getTime() + 5000);
  return {
    callId: id,
    customerId,
    caller: '441632960001',
    called: '442079460000',
    direction: 'outbound',
    startedAt: at.toISOString(),
    answeredAt: seconds > 0 ? answered.toISOString() : null,
    endedAt: new Date(answered.getTime() + seconds * 1000).toISOString(),
  };
}

export function postCdr(t: TestApp, auth: Auth, body: Record<string, unknown>) {
  return t.http.post('/api/v1/calls/cdrs').set(auth).send(body);
}

/** A customer's balance row as call control keeps it. */
export async function balanceState(t: TestApp, customerId: number): Promise<{ balance: string; reserved: string; activeCalls: number }> {
  const row = await t.dataSource.getRepository(BalanceEntity).findOneBy({ customerId });
  return {
    balance: (row?.balance ?? Money.ZERO).toString(),
    reserved: (row?.reserved ?? Money.ZERO).toString(),
    activeCalls: row?.activeCalls ?? 0,
  };
}

export async function ledgerInOrder(t: TestApp): Promise<boolean> {
  return (await t.app.get(BillingApi).verifyLedger(t.dataSource.manager)).length === 0;
}
