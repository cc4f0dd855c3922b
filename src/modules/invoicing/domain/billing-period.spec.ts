import {
  endedPeriodsSince,
  InvalidPeriodInput,
  localDateOf,
  nextPeriod,
  periodContaining,
  periodInstants,
  periodsLeftOnContract,
} from './billing-period';

describe('billing periods are calendar-aligned', () => {
  it.each([
    ['monthly', '2026-10-17', '2026-10-01', '2026-11-01'],
    ['monthly', '2026-12-31', '2026-12-01', '2027-01-01'],
    ['monthly', '2028-02-29', '2028-02-01', '2028-03-01'],
    ['quarterly', '2026-01-01', '2026-01-01', '2026-04-01'],
    ['quarterly', '2026-06-30', '2026-04-01', '2026-07-01'],
    ['quarterly', '2026-08-15', '2026-07-01', '2026-10-01'],
    ['quarterly', '2026-12-31', '2026-10-01', '2027-01-01'],
    ['annually', '2026-07-04', '2026-01-01', '2027-01-01'],
  ] as const)('%s containing %s is [%s, %s)', (kind, date, start, end) => {
    expect(periodContaining(kind, date)).toEqual({ start, end });
  });

  it('indefinite has no periods (never charged, never invoiced by the run)', () => {
    expect(periodContaining('indefinite', '2026-10-17')).toBeNull();
    expect(endedPeriodsSince('indefinite', '2020-01-01', '2026-10-17')).toEqual([]);
  });

  it('next period follows without gap or overlap, over year ends', () => {
    let p = periodContaining('quarterly', '2026-11-02');
    const starts: string[] = [];
    for (let i = 0; i < 5 && p; i++) {
      starts.push(p.start);
      const n = nextPeriod('quarterly', p);
      expect(n?.start).toBe(p.end);
      p = n;
    }
    expect(starts).toEqual(['2026-10-01', '2027-01-01', '2027-04-01', '2027-07-01', '2027-10-01']);
  });

  it('refuses what is not a calendar date', () => {
    expect(() => periodContaining('monthly', '2026-02-30')).toThrow(InvalidPeriodInput);
    expect(() => periodContaining('monthly', '2026-1-5')).toThrow(InvalidPeriodInput);
    expect(() => periodContaining('monthly', '2026-10-17T00:00:00Z')).toThrow(InvalidPeriodInput);
  });
});

describe('periods in the customer time zone', () => {
  it('October ends in New York five hours after it ends in UTC (EDT until 1 November)', () => {
    const { from, to } = periodInstants({ start: '2026-10-01', end: '2026-11-01' }, 'America/New_York');
    expect(from.toISOString()).toBe('2026-10-01T04:00:00.000Z');
    expect(to.toISOString()).toBe('2026-11-01T04:00:00.000Z');
  });

  it('a period across a DST change is not a whole number of 24 hour days', () => {
    const { from, to } = periodInstants({ start: '2026-11-01', end: '2026-12-01' }, 'America/New_York');
    expect(to.getTime() - from.getTime()).toBe((30 * 24 + 1) * 3_600_000);
  });

  it('the local date of an instant depends on the zone', () => {
    const instant = new Date('2026-11-01T02:30:00Z');
    expect(localDateOf(instant, 'UTC')).toBe('2026-11-01');
    expect(localDateOf(instant, 'America/New_York')).toBe('2026-10-31');
    expect(localDateOf(instant, 'Pacific/Kiritimati')).toBe('2026-11-01');
    expect(() => localDateOf(instant, 'Mars/Olympus')).toThrow(InvalidPeriodInput);
  });

  it('a zone whose midnight does not exist on the day DST starts still gets the period start', () => {
    // America/Santiago moves from 00:00 to 01:00 on 2026-09-06; the period still starts that local day.
    const { from } = periodInstants({ start: '2026-09-06', end: '2026-10-01' }, 'America/Santiago');
    expect(localDateOf(from, 'America/Santiago')).toBe('2026-09-06');
  });
});

describe('ended periods: what the nightly run invoices, and how it catches up', () => {
  it('nothing until the period has ended in local time', () => {
    expect(endedPeriodsSince('monthly', '2026-10-05', '2026-10-31')).toEqual([]);
    expect(endedPeriodsSince('monthly', '2026-10-05', '2026-11-01')).toEqual([{ start: '2026-10-01', end: '2026-11-01' }]);
  });

  it('missed days are caught up oldest first', () => {
    expect(endedPeriodsSince('monthly', '2026-08-20', '2026-11-02').map((p) => p.start)).toEqual([
      '2026-08-01',
      '2026-09-01',
      '2026-10-01',
    ]);
  });

  it('the next run starts after the last invoiced period, so nothing is invoiced twice', () => {
    const first = endedPeriodsSince('quarterly', '2026-02-10', '2026-07-01');
    expect(first.map((p) => p.start)).toEqual(['2026-01-01', '2026-04-01']);
    const again = endedPeriodsSince('quarterly', first[first.length - 1].end, '2026-07-01');
    expect(again).toEqual([]);
  });

  it('is bounded', () => {
    expect(endedPeriodsSince('monthly', '1990-01-01', '2026-11-01', 12)).toHaveLength(12);
  });
});

describe('minimum contract', () => {
  it('ending early charges the periods that would still have started before the contract end', () => {
    // 12 months from 2026-03-15 run to 2027-03-15; service ends 2026-10-20 (October already charged).
    const left = periodsLeftOnContract('monthly', '2026-03-15', 12, '2026-10-20');
    expect(left.map((p) => p.start)).toEqual(['2026-11-01', '2026-12-01', '2027-01-01', '2027-02-01', '2027-03-01']);
  });

  it('nothing is left once the contract has run, or without a contract', () => {
    expect(periodsLeftOnContract('monthly', '2026-01-01', 3, '2026-04-10')).toEqual([]);
    expect(periodsLeftOnContract('monthly', '2026-01-01', null, '2026-02-10')).toEqual([]);
    expect(periodsLeftOnContract('indefinite', '2026-01-01', 12, '2026-02-10')).toEqual([]);
  });

  it('quarterly fees: the quarters still starting inside the contract', () => {
    const left = periodsLeftOnContract('quarterly', '2026-01-01', 24, '2026-05-01');
    expect(left.map((p) => p.start)).toEqual(['2026-07-01', '2026-10-01', '2027-01-01', '2027-04-01', '2027-07-01', '2027-10-01']);
  });
});
