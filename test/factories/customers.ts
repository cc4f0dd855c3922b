import { IsNull } from 'typeorm';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import { PasswordTokenEntity } from '../../src/modules/identity/entities/password-token.entity';
import { OutboxEmailEntity } from '../../src/modules/notifications/entities/outbox-email.entity';
import { RatePlanEntity } from '../../src/modules/rate-plans/entities/rate-plan.entity';
import { DialPlanEntity } from '../../src/modules/system/entities/dial-plan.entity';
import { RegionEntity } from '../../src/modules/system/entities/region.entity';
import { SystemSettingsEntity } from '../../src/modules/system/entities/system-settings.entity';
import { TaxEntity } from '../../src/modules/taxes/entities/tax.entity';
import { MailboxEntity } from '../../src/modules/telephony/entities/mailbox.entity';
import { NumberEntity } from '../../src/modules/telephony/entities/number.entity';
import { SipAccountEntity } from '../../src/modules/telephony/entities/sip-account.entity';
import { AuditEntryEntity } from '../../src/shared/entities/audit-entry.entity';
import { Money } from '../../src/shared/money';
import { Dec } from '../../src/shared/money';
import { loginHeader, TestApp } from '../helpers/app';

/**
 * Factories for customers and what they refer to. Customers are made through the API (POST
 * /api/v1/customers), so every rule applies; rate plans, taxes, numbers, dial plans and regions are
 * written straight to the database, so these factories work before those modules have their APIs.
 */

export type Auth = { Authorization: string };
/** The JSON answer of a customer endpoint. */
export type CustomerBody = Record<string, any>;

let seq = 0;
/** A value unique within the test process (usernames, emails, account numbers). */
export const unique = (prefix = 'x'): string => `${prefix}${++seq}${Math.floor(Math.random() * 1e6)}`;

/** The id of the recursively shared "Default" plan made on first start. */
export async function defaultPlanId(t: TestApp): Promise<number> {
  const plan = await t.dataSource.getRepository(RatePlanEntity).findOneByOrFail({ ownerCustomerId: 1, name: 'Default' });
  return plan.id;
}

/** A body for POST /api/v1/customers: a normal customer under the caller's customer, on the Default plan. */
export async function customerInput(t: TestApp, overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const n = unique('c');
  return { type: 'normal', name: `Customer ${n}`, email: `${n}@example.com`, ratePlanId: await defaultPlanId(t), ...overrides };
}

/** Creates a customer through the API; throws with the answer if it is not a 201. */
export async function createCustomer(t: TestApp, auth: Auth, overrides: Record<string, unknown> = {}): Promise<CustomerBody> {
  const res = await t.http
    .post('/api/v1/customers')
    .set(auth)
    .send(await customerInput(t, overrides));
  if (res.status !== 201) throw new Error(`create customer failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CustomerBody;
}

export interface ResellerLogin {
  id: number;
  body: CustomerBody;
  username: string;
  password: string;
  /** Authorization header of the reseller's administrator. */
  auth: Auth;
}

/**
 * A reseller under `parentAuth`'s customer (or `overrides.parentId`), with an administrator whose password
 * is set through the API, logged in.
 */
export async function createReseller(t: TestApp, parentAuth: Auth, overrides: Record<string, unknown> = {}): Promise<ResellerLogin> {
  const username = (overrides.username as string | undefined) ?? unique('reseller');
  const password = (overrides.password as string | undefined) ?? `pw-${unique('p')}-long-enough`;
  const body = await createCustomer(t, parentAuth, { name: `Reseller ${username}`, reseller: true, ...overrides, username, password });
  return { id: body.id as number, body, username, password, auth: await loginHeader(t, username, password) };
}

/** A normal (non-reseller) customer with a logged-in administrator. */
export async function createCustomerWithLogin(
  t: TestApp,
  parentAuth: Auth,
  overrides: Record<string, unknown> = {},
): Promise<ResellerLogin> {
  return createReseller(t, parentAuth, { reseller: false, ...overrides });
}

/** Deletes a customer through the API; throws with the answer if it is not a 204. */
export async function deleteCustomer(t: TestApp, auth: Auth, id: number): Promise<void> {
  const res = await t.http.delete(`/api/v1/customers/${id}`).set(auth);
  if (res.status !== 204) throw new Error(`delete customer failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export interface PersonLogin {
  id: number;
  username: string;
  password: string;
  auth: Auth;
}

/**
 * A person of `customerId` (role "user" unless `overrides.role`), made through the people API with a
 * password, so nothing is emailed; logged in.
 */
export async function createPersonWithLogin(
  t: TestApp,
  auth: Auth,
  customerId: number,
  overrides: Record<string, unknown> = {},
): Promise<PersonLogin> {
  const username = (overrides.username as string | undefined) ?? unique('person');
  const password = (overrides.password as string | undefined) ?? `pw-${unique('p')}-long-enough`;
  const res = await t.http
    .post(`/api/v1/customers/${customerId}/people`)
    .set(auth)
    .send({ displayName: username, role: 'user', ...overrides, username, password });
  if (res.status !== 201) throw new Error(`create person failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id as number, username, password, auth: await loginHeader(t, username, password) };
}

/** Adds a number to `ownerCustomerId`'s inventory (free unless customerId is given). */
export async function addNumber(
  t: TestApp,
  ownerCustomerId: number,
  number = `4420${Math.floor(1e7 + Math.random() * 9e7)}`,
  customerId: number | null = null,
): Promise<{ id: number; number: string }> {
  const r = await t.dataSource
    .getRepository(NumberEntity)
    .insert({ number, ownerCustomerId, customerId, sipAccountId: null, directory: null, createdAt: t.clock.now() });
  return { id: Number(r.identifiers[0].id), number };
}

/** A rate plan owned by `ownerCustomerId`; unset plan-level settings stay null ("inherit / platform default"). */
export async function addRatePlan(t: TestApp, ownerCustomerId: number, fields: Partial<RatePlanEntity> = {}): Promise<RatePlanEntity> {
  const now = t.clock.now();
  return t.dataSource.getRepository(RatePlanEntity).save({
    ownerCustomerId,
    name: unique('Plan '),
    description: null,
    currency: 'EUR',
    sharing: 'private',
    inheritsFromId: null,
    precision: 4,
    createdAt: now,
    updatedAt: now,
    ...fields,
  } as Partial<RatePlanEntity>);
}

export async function addTax(t: TestApp, ownerCustomerId: number, fields: Partial<TaxEntity> = {}): Promise<TaxEntity> {
  const now = t.clock.now();
  return t.dataSource.getRepository(TaxEntity).save({
    ownerCustomerId,
    name: unique('VAT '),
    percentage: new Dec('20'),
    flatAmount: null as Money | null,
    currency: null,
    appliesTo: 'calls,account_fees',
    defaultLiability: 'none',
    categoryCode: 'S',
    shared: false,
    deletedAt: null,
    createdAt: now,
    updatedAt: now,
    ...fields,
  } as Partial<TaxEntity>);
}

export async function addDialPlan(t: TestApp, ownerCustomerId: number, name = unique('Dial plan ')): Promise<DialPlanEntity> {
  return t.dataSource.getRepository(DialPlanEntity).save({ ownerCustomerId, name, description: null, createdAt: t.clock.now() });
}

export async function addRegion(t: TestApp, name = unique('Region ')): Promise<RegionEntity> {
  return t.dataSource.getRepository(RegionEntity).save({ name, createdAt: t.clock.now() });
}

export async function setSystemSettings(
  t: TestApp,
  values: Partial<Pick<SystemSettingsEntity, 'customerPrefixes' | 'regions'>>,
): Promise<void> {
  await t.dataSource.getRepository(SystemSettingsEntity).update({ id: 1 }, values);
}

/** Row counts of everything a customer creation writes: compare before and after to prove nothing changed. */
export async function customerRowCounts(t: TestApp): Promise<Record<string, number>> {
  const ds = t.dataSource;
  return {
    customers: await ds.getRepository(CustomerEntity).count(),
    people: await ds.getRepository(PersonEntity).count(),
    sipAccounts: await ds.getRepository(SipAccountEntity).count(),
    mailboxes: await ds.getRepository(MailboxEntity).count(),
    assignedNumbers: await ds
      .getRepository(NumberEntity)
      .countBy({ customerId: IsNull() })
      .then(async (free) => (await ds.getRepository(NumberEntity).count()) - free),
    passwordTokens: await ds.getRepository(PasswordTokenEntity).count(),
    outbox: await ds.getRepository(OutboxEmailEntity).count(),
    audit: await ds.getRepository(AuditEntryEntity).count(),
    customerTaxes: Number((await ds.query('SELECT COUNT(*) AS n FROM customer_taxes'))[0].n),
  };
}

/** A snapshot of one customer row, for "nothing changed" assertions after refused updates. */
export async function customerRow(t: TestApp, id: number): Promise<CustomerEntity> {
  return t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id });
}
