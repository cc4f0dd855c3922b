import { ForbiddenError } from './errors';
import type { Scope } from './scope';
/** The system owner: the root of the customer tree, created by the first start. */
export const SYSTEM_OWNER_ID = 1;

/**
 * Platform-wide settings (system settings, regions, exchange rates) are changed only by an
 * administrator of the system owner who is acting as the system owner. While switched to a descendant
 * the person works "as" that customer, so platform-wide changes are refused until they switch back.
 * Background jobs (systemScope of the root) pass.
 */
export function isSystemOwnerAdmin(scope: Scope): boolean {
  return (
    scope.role === 'administrator' && scope.personCustomerId === SYSTEM_OWNER_ID && scope.customerId === SYSTEM_OWNER_ID && !scope.switched
  );
}

export function assertSystemOwnerAdmin(scope: Scope): void {
  if (!isSystemOwnerAdmin(scope)) {
    throw new ForbiddenError('only an administrator of the system owner, not switched to another customer, may change this');
  }
}
