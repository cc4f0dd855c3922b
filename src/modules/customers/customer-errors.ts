import { isUniqueViolation } from '../../database/transaction-runner';
import { ConflictError } from '../../shared/errors';

/** Turns a unique-index violation into the 409 of the field it concerns. */
export function conflictFromUniqueViolation(err: unknown, residential: boolean): ConflictError | null {
  if (!isUniqueViolation(err)) return null;
  const e = err as { message?: string; driverError?: { message?: string; sqlMessage?: string } };
  const text = `${e.message ?? ''} ${e.driverError?.message ?? ''} ${e.driverError?.sqlMessage ?? ''}`;
  if (/IDX_customers_prefix|customers\.prefix/.test(text)) return ConflictError.field('prefix', 'is already used by another customer');
  if (/IDX_customers_parent_account|customers\.account_number/.test(text))
    return ConflictError.field('accountNumber', "is already used by another of the parent's customers");
  if (/IDX_people_username|people\.username/.test(text)) {
    return residential ? ConflictError.field('number', 'is already a login name') : ConflictError.field('username', 'is already taken');
  }
  if (
    /IDX_sip_accounts_username|sip_accounts\.username|IDX_mailboxes_mailbox|mailboxes\.mailbox|IDX_numbers_number|numbers\.number/.test(
      text,
    )
  ) {
    return ConflictError.field('number', 'is already in use');
  }
  return new ConflictError('a conflicting record already exists');
}
