import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { PersonEntity } from '../../src/modules/identity/entities/person.entity';
import type { Role } from '../../src/shared/scope';
import { hashSecret } from '../../src/shared/secrets';
import { Money } from '../../src/shared/money';
import { loginHeader, TestApp } from '../helpers/app';
import { type Auth, unique } from './customers';

/**
 * Customers and people written straight to the database, for what the API does not make: a customer
 * without any person (POST /api/v1/customers always creates its administrator) or without a rate plan,
 * or an outbox that holds no login mails. Nothing is audited or emailed. Prefer the API factories of
 * customers.ts everywhere else.
 */

/** A customer row under `parentId`, with the path and depth the API would give it. */
export async function insertCustomer(t: TestApp, parentId: number, fields: Partial<CustomerEntity> = {}): Promise<CustomerEntity> {
  const repo = t.dataSource.getRepository(CustomerEntity);
  const parent = await repo.findOneByOrFail({ id: parentId });
  const now = t.clock.now();
  const saved = await repo.save({
    parentId: parent.id,
    path: '/pending/',
    depth: parent.depth + 1,
    type: 'normal',
    name: unique('Customer '),
    description: null,
    email: `${unique('c')}@example.com`,
    accountNumber: null,
    reseller: false,
    directory: false,
    prefix: null,
    timezone: 'UTC',
    ratePlanId: null,
    billingType: 'prepaid',
    paymentType: 'none',
    currency: 'EUR',
    creditLimit: Money.ZERO,
    lowBalanceThreshold: Money.ZERO,
    createdAt: now,
    updatedAt: now,
    ...fields,
  } as Partial<CustomerEntity>);
  const path = `${parent.path}${saved.id}/`;
  await repo.update({ id: saved.id }, { path });
  return { ...saved, path } as CustomerEntity;
}

/** A person row of `customerId` with `password` (default: a fixed one), logged in. */
export async function insertPerson(
  t: TestApp,
  customerId: number,
  fields: { username?: string; role?: Role; displayName?: string; password?: string } = {},
): Promise<Auth> {
  const username = fields.username ?? unique('person');
  const password = fields.password ?? 'a-long-password-1';
  const now = t.clock.now();
  await t.dataSource.getRepository(PersonEntity).insert({
    customerId,
    username,
    displayName: fields.displayName ?? username,
    email: null,
    role: fields.role ?? 'administrator',
    passwordHash: await hashSecret(password),
    createdAt: now,
    updatedAt: now,
  });
  return loginHeader(t, username, password);
}
