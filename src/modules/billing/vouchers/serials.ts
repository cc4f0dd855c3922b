/**
 * Voucher serials (DOMAIN.md §6): random, unguessable, unique digit strings. Pure: the random bytes come
 * from the caller (node:crypto's randomBytes in the service, a fixed source in tests).
 */

export const SERIAL_MIN_LENGTH = 8;
export const SERIAL_MAX_LENGTH = 32;
export const SERIAL_DEFAULT_LENGTH = 16;

/** A source of uniformly random bytes, e.g. `crypto.randomBytes`. */
export type RandomBytes = (size: number) => Uint8Array;

/**
 * A serial of `length` digits, each uniform: bytes are drawn and rejected when they would bias the digit
 * (rejection sampling: 0..249 for 0-9, 0..242 for the first digit's 1-9, so a serial never starts with 0
 * and keeps its length in a spreadsheet). No modulo bias, no Math.random.
 */
export function generateSerial(length: number, random: RandomBytes): string {
  if (!Number.isInteger(length) || length < SERIAL_MIN_LENGTH || length > SERIAL_MAX_LENGTH) {
    throw new RangeError(`serial length must be ${SERIAL_MIN_LENGTH} to ${SERIAL_MAX_LENGTH}`);
  }
  const digits: number[] = [];
  while (digits.length < length) {
    for (const byte of random(length * 2)) {
      if (digits.length === length) break;
      if (digits.length === 0) {
        if (byte < 243) digits.push(1 + (byte % 9));
      } else if (byte < 250) digits.push(byte % 10);
    }
  }
  return digits.join('');
}

/** How many different serials of `length` digits there are (the first digit is never 0). */
export function serialSpace(length: number): bigint {
  return 9n * 10n ** BigInt(length - 1);
}

/**
 * A serial as a person types it: spaces and dashes (as printed on cards, "1234-5678 9012") are dropped.
 * Null when what is left is not SERIAL_MIN_LENGTH to SERIAL_MAX_LENGTH digits.
 */
export function normalizeSerial(text: unknown): string | null {
  if (typeof text !== 'string' || text.length > 100) return null;
  const digits = text.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${SERIAL_MIN_LENGTH},${SERIAL_MAX_LENGTH}}$`).test(digits) ? digits : null;
}

/** What the ledger, the audit log and anyone but the issuer see of a serial: its last 4 digits, "****1234". */
export function maskSerial(serial: string): string {
  return `****${serial.slice(-4)}`;
}
