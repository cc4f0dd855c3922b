import { isCalendarDate, isIsoInstant } from './validation';

describe('isIsoInstant', () => {
  it.each([
    '2026-11-25T19:00:00Z',
    '2026-11-25T19:00Z',
    '2026-11-25T19:00:00.123+01:00',
    '2024-02-29T23:59:59-05:30',
    '1000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
  ])('takes %s', (v) => expect(isIsoInstant(v)).toBe(true));

  it.each([
    ['an impossible day (JavaScript reads it as 2 March)', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2025-02-29T00:00:00Z'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['24:00 (JavaScript reads it as the next day)', '2026-01-01T24:00:00Z'],
    ['second 60', '2026-01-01T23:59:60Z'],
    ['an offset of 24 hours', '2026-01-01T00:00:00+24:00'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['before the year 1000 (MariaDB DATETIME)', '0999-12-31T23:59:59Z'],
    ['after 9999 once at UTC', '9999-12-31T23:00:00-02:00'],
    ['no offset', '2026-01-01T00:00:00'],
    ['not a string', 1_764_000_000_000],
  ])('refuses %s', (_, v) => expect(isIsoInstant(v)).toBe(false));
});

describe('isCalendarDate', () => {
  it('takes dates that exist, and nothing else', () => {
    expect(['2026-02-28', '2024-02-29', '1000-01-01', '9999-12-31'].filter(isCalendarDate)).toHaveLength(4);
    expect(
      ['2026-02-30', '2025-02-29', '2026-13-01', '0000-01-01', '2026-1-01', '2026-01-01T00:00:00Z', 20260101].filter(isCalendarDate),
    ).toEqual([]);
  });
});
