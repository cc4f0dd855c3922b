import { EntityManager, IsNull } from 'typeorm';
import { CustomerEntity } from '../modules/customers/entities/customer.entity';
import { NotFoundError } from './errors';
import { isInSubtree, Scope } from './scope';

/**
 * Tenancy by subtree: a customer is visible to a scope when its path starts with the scope's path.
 * Anything else answers 404, exactly as if it did not exist.
 */
export async function findCustomerInScope(
  em: EntityManager,
  scope: Scope,
  customerId: number,
  opts: { includeDeleted?: boolean } = {},
): Promise<CustomerEntity> {
  if (!Number.isSafeInteger(customerId) || customerId < 1) throw new NotFoundError('customer');
  const customer = await em.findOneBy(CustomerEntity, opts.includeDeleted ? { id: customerId } : { id: customerId, deletedAt: IsNull() });
  if (!customer || !isInSubtree(scope.customerPath, customer.path)) throw new NotFoundError('customer');
  return customer;
}

/** Ids on a materialised path, root first: "/1/5/9/" → [1, 5, 9]. */
export function pathIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** Ancestors of a customer (root first), excluding the customer itself. */
export function ancestorIds(path: string): number[] {
  return pathIds(path).slice(0, -1);
}
