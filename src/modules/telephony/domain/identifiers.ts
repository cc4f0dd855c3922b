/** Telephone numbers in the inventory: digits only, as dialled without "+" (E.164 digits or a local plan). */
export const NUMBER_PATTERN = /^[0-9]{3,20}$/;
/** SIP usernames: safe in a SIP URI user part and in provisioning files. */
export const SIP_USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
/** SIP secrets given by the caller: printable ASCII without spaces. */
export const SIP_SECRET_PATTERN = /^[\x21-\x7e]{12,64}$/;
export const MAILBOX_PATTERN = /^[0-9]{1,20}$/;
export const PIN_PATTERN = /^[0-9]{4,12}$/;
export const GENERATED_SECRET_LENGTH = 20;
export const GENERATED_PIN_LENGTH = 6;
export const MAX_RANGE_SIZE = 10_000;

/**
 * The value a soft-deleted row keeps in its unique column, so that the username or mailbox number can be
 * used again: "#<id>#<old value>", cut to the column's length. Live values never contain "#", and the
 * id makes it unique.
 */
export function retiredIdentifier(id: number, value: string, maxLength: number): string {
  return `#${id}#${value}`.slice(0, maxLength);
}

export type RangeResult = { ok: true; numbers: string[] } | { ok: false; field: 'from' | 'to'; message: string };

/**
 * Expands an inclusive range of numbers of equal length ("02010000".."02010999"), keeping leading
 * zeros. BigInt, because a 20-digit number is beyond a double's exact range.
 */
export function expandNumberRange(from: string, to: string, max = MAX_RANGE_SIZE): RangeResult {
  if (!NUMBER_PATTERN.test(from)) return { ok: false, field: 'from', message: 'must be 3 to 20 digits' };
  if (!NUMBER_PATTERN.test(to)) return { ok: false, field: 'to', message: 'must be 3 to 20 digits' };
  if (from.length !== to.length) return { ok: false, field: 'to', message: 'must have as many digits as from' };
  const start = BigInt(from);
  const end = BigInt(to);
  if (end < start) return { ok: false, field: 'to', message: 'must not be below from' };
  if (end - start + 1n > BigInt(max)) return { ok: false, field: 'to', message: `a range holds at most ${max} numbers` };
  const numbers: string[] = [];
  for (let n = start; n <= end; n++) numbers.push(n.toString().padStart(from.length, '0'));
  return { ok: true, numbers };
}
