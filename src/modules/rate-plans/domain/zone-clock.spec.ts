import { DateTime, IANAZone } from 'luxon';
import { localClock } from './zone-clock';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

/** What the clock must equal: luxon's own reading of the instant (the code before the cache). */
function luxonClock(ts: number, zone: string): { weekday: number; msOfDay: number } {
  const local = DateTime.fromJSDate(new Date(ts), { zone });
  if (!local.isValid) throw new Error(`luxon: invalid ${zone} ${ts}`);
  return { weekday: local.weekday, msOfDay: ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond };
}

/** Deterministic pseudo-random numbers (no dependency on Math.random for a reproducible failure). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Exact instants (ms) at which the zone's offset changes between `from` and `to`, found day by day. */
function transitions(zone: string, from: number, to: number): number[] {
  const z = IANAZone.create(zone);
  const found: number[] = [];
  for (let t = from; t < to; t += DAY) {
    if (z.offset(t) === z.offset(t + DAY)) continue;
    let lo = t;
    let hi = t + DAY; // offset(lo) != offset(hi): narrow to the first ms with the new offset
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (z.offset(mid) === z.offset(lo)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

const expectSameAsLuxon = (instants: number[], zone: string) => {
  const wrong: string[] = [];
  for (const ts of instants) {
    const got = localClock(new Date(ts), zone);
    const want = luxonClock(ts, zone);
    if (got.weekday !== want.weekday || got.msOfDay !== want.msOfDay) {
      wrong.push(`${new Date(ts).toISOString()} ${zone}: got ${JSON.stringify(got)}, luxon ${JSON.stringify(want)}`);
    }
  }
  expect(wrong.slice(0, 5)).toEqual([]);
};

describe('localClock', () => {
  const from = Date.UTC(2024, 0, 1);
  const to = Date.UTC(2028, 0, 1);

  // Whole-hour DST (Berlin, New York), half-hour DST and half-hour transitions (Lord_Howe: +10:30/+11,
  // at 15:30 UTC), half-hour offsets (St_Johns, Kolkata), 45 minutes (Kathmandu, Chatham with DST), two
  // hours of DST (Troll), DST suspended for Ramadan (Casablanca), "negative" DST (Dublin), no DST (UTC).
  const dstZones = [
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'Pacific/Chatham',
    'Antarctica/Troll',
    'Africa/Casablanca',
    'Europe/Dublin',
    'America/Santiago',
  ];

  it.each(dstZones)('equals luxon minute by minute around every transition 2024-2027 in %s', (zone) => {
    const changes = transitions(zone, from, to);
    expect(changes.length).toBeGreaterThanOrEqual(zone === 'Africa/Casablanca' ? 4 : 8);
    const instants: number[] = [];
    for (const t of changes) {
      for (let d = -3 * HOUR; d <= 3 * HOUR; d += MINUTE) instants.push(t + d);
      for (const d of [-1001, -1000, -999, -1, 0, 1, 999, 1000]) instants.push(t + d);
    }
    // In order (each hour cached from its first instant), then shuffled, then backwards.
    expectSameAsLuxon(instants, zone);
    const rnd = random(changes.length);
    const shuffled = [...instants].sort(() => rnd() - 0.5);
    expectSameAsLuxon(shuffled, zone);
    expectSameAsLuxon([...instants].reverse(), zone);
  });

  it.each([...dstZones, 'Asia/Kolkata', 'Asia/Kathmandu', 'UTC', 'Pacific/Kiritimati', 'Etc/GMT+5'])(
    'equals luxon at 10,000 random instants 2024-2027 and around each UTC midnight in %s',
    (zone) => {
      const rnd = random(zone.length * 7919);
      const instants = Array.from({ length: 10_000 }, () => from + Math.floor(rnd() * (to - from)));
      for (let day = from; day < from + 60 * DAY; day += DAY) instants.push(day - 1, day, day + 1);
      expectSameAsLuxon(instants, zone);
    },
  );

  it('equals luxon far from now: local mean time with odd seconds, before 1970, far future', () => {
    const rnd = random(42);
    for (const zone of ['Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe', 'Africa/Monrovia']) {
      const instants = [Date.UTC(1850, 5, 1, 12), Date.UTC(1893, 3, 1), Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2100, 2, 28)];
      for (let i = 0; i < 3000; i++)
        instants.push(Date.UTC(1850, 0, 1) + Math.floor(rnd() * (Date.UTC(2200, 0, 1) - Date.UTC(1850, 0, 1))));
      expectSameAsLuxon(instants, zone);
    }
  });

  it('reads fixed offsets and luxon’s other zone names as luxon does', () => {
    const rnd = random(7);
    const instants = Array.from({ length: 2000 }, () => from + Math.floor(rnd() * (to - from)));
    for (const zone of ['utc', 'GMT', 'UTC+3', 'UTC-09:30', 'system', 'local']) expectSameAsLuxon(instants, zone);
  });

  it('knows the weekday: 2026-01-05 is a Monday, in UTC and 1 ms before in Berlin', () => {
    expect(localClock(new Date('2026-01-05T00:00:00Z'), 'UTC')).toEqual({ weekday: 1, msOfDay: 0 });
    expect(localClock(new Date('2026-01-04T23:59:59.999Z'), 'UTC')).toEqual({ weekday: 7, msOfDay: 86_399_999 });
    expect(localClock(new Date('2026-01-04T23:00:00Z'), 'Europe/Berlin')).toEqual({ weekday: 1, msOfDay: 0 });
  });

  it('rejects an unknown zone and an invalid date', () => {
    expect(() => localClock(new Date('2026-01-05T00:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
    expect(() => localClock(new Date('2026-01-05T00:00:00Z'), '')).toThrow(RangeError);
    expect(() => localClock(new Date(NaN), 'UTC')).toThrow(RangeError);
    // Still refused after a valid zone was used (the last-zone shortcut must not hide it).
    localClock(new Date('2026-01-05T00:00:00Z'), 'Europe/Berlin');
    expect(() => localClock(new Date('2026-01-05T00:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});
