import { afterFailure, backoffMs, errorText, isPermanentFailure, MAX_ATTEMPTS } from './delivery';

const MIN = 60_000;

describe('outbox delivery rules', () => {
  it('backs off 1, 2, 4 … minutes, capped at one hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((n) => backoffMs(n) / MIN)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60, 60]);
    expect(backoffMs(0)).toBe(MIN);
  });

  it('schedules the next attempt and gives up after the 10th failure', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    expect(afterFailure(0, now, false)).toEqual({ status: 'pending', attempts: 1, nextAttemptAt: new Date('2026-11-25T12:01:00Z') });
    expect(afterFailure(3, now, false)).toEqual({ status: 'pending', attempts: 4, nextAttemptAt: new Date('2026-11-25T12:08:00Z') });
    expect(afterFailure(MAX_ATTEMPTS - 2, now, false).status).toBe('pending');
    expect(afterFailure(MAX_ATTEMPTS - 1, now, false)).toEqual({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: now });
  });

  it('fails at once on a permanent refusal', () => {
    expect(afterFailure(0, new Date(0), true).status).toBe('failed');
    expect(isPermanentFailure({ responseCode: 550, message: 'no such user' })).toBe(true);
    expect(isPermanentFailure({ code: 'EENVELOPE' })).toBe(true);
    expect(isPermanentFailure({ responseCode: 451 })).toBe(false);
    expect(isPermanentFailure({ responseCode: 535 })).toBe(false); // bad credentials: fix the config, then it works
    expect(isPermanentFailure({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isPermanentFailure(null)).toBe(false);
  });

  it('keeps error texts short and on one line', () => {
    expect(errorText(new Error('a\n  b'))).toBe('a b');
    expect(errorText({ message: 'mailbox unavailable', responseCode: 550 })).toBe('550 mailbox unavailable');
    const long = errorText(new Error('x'.repeat(2000)), 100);
    expect(long).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
  });
});
