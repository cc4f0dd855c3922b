import { errorText, heartbeatEveryMs, JobDefinition, leaseUntil, MAX_ERROR_LENGTH, validateJobDefinition } from './lease';

describe('job lease rules', () => {
  const run = () => Promise.resolve();

  describe('validateJobDefinition', () => {
    const ok: JobDefinition = { name: 'a-job', everyMs: 1000, leaseMs: 3000, run };

    it('accepts an interval job and a cron job with a time zone', () => {
      expect(() => validateJobDefinition(ok)).not.toThrow();
      expect(() =>
        validateJobDefinition({ name: 'nightly', cron: '0 30 2 * * *', timeZone: 'Europe/Berlin', leaseMs: 60_000, run }),
      ).not.toThrow();
    });

    it.each<[string, Partial<JobDefinition>, RegExp]>([
      ['no name', { name: '' }, /name/],
      ['a name longer than the column', { name: 'x'.repeat(101) }, /name/],
      ['both a period and a cron expression', { cron: '* * * * *' }, /exactly one/],
      ['neither', { everyMs: undefined }, /exactly one/],
      ['a period of zero', { everyMs: 0 }, /everyMs/],
      ['a fractional period', { everyMs: 1.5 }, /everyMs/],
      ['a time zone without cron', { timeZone: 'UTC' }, /timeZone/],
      ['a lease too short to heartbeat', { leaseMs: 100 }, /leaseMs/],
      ['no lease', { leaseMs: Number.NaN }, /leaseMs/],
    ])('refuses %s', (_what, change, message) => {
      expect(() => validateJobDefinition({ ...ok, ...change })).toThrow(message);
    });
  });

  it('heartbeats three times per lease and computes the lease end from the given instant', () => {
    expect(heartbeatEveryMs(30_000)).toBe(10_000);
    expect(heartbeatEveryMs(1000)).toBe(333);
    expect(leaseUntil(new Date('2025-01-01T00:00:00.000Z'), 1500).toISOString()).toBe('2025-01-01T00:00:01.500Z');
  });

  it('keeps error texts within the column', () => {
    expect(errorText(new TypeError('bad'))).toBe('TypeError: bad');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(new Error('x'.repeat(5000)))).toHaveLength(MAX_ERROR_LENGTH);
  });
});
