/** Pure rules of outbox delivery: back-off, attempts, which SMTP failures are not worth retrying. */

export const MAX_ATTEMPTS = 10;
/** A claimed row belongs to its sender until then; a sender that died is taken over after it. */
export const LEASE_MS = 60_000;
const MINUTE = 60_000;
const MAX_BACKOFF_MS = 60 * MINUTE;

/** Wait after the n-th failed attempt (n >= 1): 1 min, 2, 4, 8 … capped at 1 h. */
export function backoffMs(failedAttempts: number): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  return n > 7 ? MAX_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, MINUTE * 2 ** (n - 1));
}

export interface FailureOutcome {
  status: 'pending' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
}

/** State after an attempt failed. `attemptsBefore` counts earlier attempts of this row. */
export function afterFailure(attemptsBefore: number, now: Date, permanent: boolean): FailureOutcome {
  const attempts = attemptsBefore + 1;
  if (permanent || attempts >= MAX_ATTEMPTS) return { status: 'failed', attempts, nextAttemptAt: now };
  return { status: 'pending', attempts, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)) };
}

/** SMTP answers that will not change by retrying: bad address, mailbox unknown, message refused. */
const PERMANENT_CODES = new Set([501, 550, 551, 552, 553, 554, 555]);

export function isPermanentFailure(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string; permanent?: boolean } | null;
  if (!e) return false;
  if (e.permanent === true) return true;
  if (e.code === 'EENVELOPE') return true;
  return typeof e.responseCode === 'number' && PERMANENT_CODES.has(e.responseCode);
}

/** An error text for the outbox page: one line, no longer than `max`. */
export function errorText(err: unknown, max = 500): string {
  const e = err as { message?: string; responseCode?: number } | null;
  let text = e?.message ? String(e.message) : String(err);
  if (e?.responseCode && !text.includes(String(e.responseCode))) text = `${e.responseCode} ${text}`;
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
