import { DateTime, IANAZone } from 'luxon';
import { bandMinutes, RateDefinition } from './rate';
import { rateCovers, rateIsValidAt, selectRate } from './rate-selection';
import { makeRate } from './test-rates';

const at = (iso: string) => new Date(iso);
const band = (startTime: string | null, endTime: string | null, days: string | null = null) => makeRate({ startTime, endTime, days });

describe('rateCovers: time band', () => {
  const utc = 'UTC';
  // 2026-01-05 is a Monday.

  it('is inclusive at the start and exclusive at the end', () => {
    const r = band('08:00', '18:00');
    expect(rateCovers(r, at('2026-01-05T07:59:59.999Z'), utc)).toBe(false);
    expect(rateCovers(r, at('2026-01-05T08:00:00Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-05T17:59:59.999Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-05T18:00:00Z'), utc)).toBe(false);
  });

  it.each([['00:00'], ['24:00'], [null]])('reads end %s as the end of the day', (end) => {
    const r = band('18:00', end);
    expect(rateCovers(r, at('2026-01-05T17:59:59Z'), utc)).toBe(false);
    expect(rateCovers(r, at('2026-01-05T23:59:59.999Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-06T00:00:00Z'), utc)).toBe(false);
  });

  it('reads a missing start as 00:00 and no band at all as all day', () => {
    expect(rateCovers(band(null, '06:00'), at('2026-01-05T00:00:00Z'), utc)).toBe(true);
    expect(rateCovers(band(null, '06:00'), at('2026-01-05T06:00:00Z'), utc)).toBe(false);
    expect(rateCovers(band(null, null), at('2026-01-05T00:00:00Z'), utc)).toBe(true);
    expect(rateCovers(band('00:00', '00:00'), at('2026-01-05T23:59:59Z'), utc)).toBe(true);
  });

  it('wraps a band past midnight', () => {
    const r = band('22:00', '06:00');
    expect(rateCovers(r, at('2026-01-05T21:59:59Z'), utc)).toBe(false);
    expect(rateCovers(r, at('2026-01-05T22:00:00Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-05T23:59:59Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-06T00:00:00Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-06T05:59:59Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-06T06:00:00Z'), utc)).toBe(false);
    expect(rateCovers(r, at('2026-01-06T12:00:00Z'), utc)).toBe(false);
  });

  it('gives a wrapping band to the day it starts on', () => {
    const fridayNight = band('22:00', '06:00', '5'); // 2026-01-09 is a Friday
    expect(rateCovers(fridayNight, at('2026-01-09T03:00:00Z'), utc)).toBe(false); // Thursday night's tail
    expect(rateCovers(fridayNight, at('2026-01-09T21:59:00Z'), utc)).toBe(false);
    expect(rateCovers(fridayNight, at('2026-01-09T22:00:00Z'), utc)).toBe(true);
    expect(rateCovers(fridayNight, at('2026-01-10T05:59:00Z'), utc)).toBe(true); // Saturday morning
    expect(rateCovers(fridayNight, at('2026-01-10T06:00:00Z'), utc)).toBe(false);
    expect(rateCovers(fridayNight, at('2026-01-10T23:00:00Z'), utc)).toBe(false);
    // Sunday night runs into Monday morning: day 7 then day 1.
    const sundayNight = band('20:00', '08:00', '7');
    expect(rateCovers(sundayNight, at('2026-01-12T07:00:00Z'), utc)).toBe(true);
    expect(rateCovers(sundayNight, at('2026-01-11T07:00:00Z'), utc)).toBe(false);
  });

  it('treats start == end as 24 hours from the start', () => {
    const r = band('08:00', '08:00', '1');
    expect(rateCovers(r, at('2026-01-05T07:59:00Z'), utc)).toBe(false);
    expect(rateCovers(r, at('2026-01-05T08:00:00Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-06T07:59:00Z'), utc)).toBe(true);
    expect(rateCovers(r, at('2026-01-06T08:00:00Z'), utc)).toBe(false);
  });

  it('matches days of the week', () => {
    const weekend = band(null, null, '67');
    expect(rateCovers(weekend, at('2026-01-09T23:59:59Z'), utc)).toBe(false); // Friday
    expect(rateCovers(weekend, at('2026-01-10T00:00:00Z'), utc)).toBe(true); // Saturday
    expect(rateCovers(weekend, at('2026-01-11T23:59:59Z'), utc)).toBe(true); // Sunday
    expect(rateCovers(weekend, at('2026-01-12T00:00:00Z'), utc)).toBe(false); // Monday
  });

  it('evaluates the day of the week in the given zone, not in UTC', () => {
    const monday = band(null, null, '1');
    // Monday 00:30 in Berlin (CET) is Sunday 23:30 UTC.
    expect(rateCovers(monday, at('2026-03-22T23:30:00Z'), 'Europe/Berlin')).toBe(true);
    expect(rateCovers(monday, at('2026-03-22T23:30:00Z'), 'UTC')).toBe(false);
    expect(rateCovers(monday, at('2026-03-22T22:59:59Z'), 'Europe/Berlin')).toBe(false); // Sunday 23:59:59 local
    // Far from UTC the other way: Monday 10:00 UTC is already Tuesday in Kiritimati (+14).
    expect(rateCovers(monday, at('2026-03-23T10:00:00Z'), 'Pacific/Kiritimati')).toBe(false);
  });

  it('follows local wall-clock time across DST changes', () => {
    const office = band('08:00', '18:00');
    const berlin = 'Europe/Berlin';
    // Winter (CET, +01:00): 08:00 local = 07:00 UTC.
    expect(rateCovers(office, at('2026-03-27T06:59:59Z'), berlin)).toBe(false);
    expect(rateCovers(office, at('2026-03-27T07:00:00Z'), berlin)).toBe(true);
    expect(rateCovers(office, at('2026-03-27T16:59:59Z'), berlin)).toBe(true);
    expect(rateCovers(office, at('2026-03-27T17:00:00Z'), berlin)).toBe(false);
    // Summer (CEST, +02:00): 08:00 local = 06:00 UTC.
    expect(rateCovers(office, at('2026-03-30T05:59:59Z'), berlin)).toBe(false);
    expect(rateCovers(office, at('2026-03-30T06:00:00Z'), berlin)).toBe(true);
    expect(rateCovers(office, at('2026-03-30T15:59:59Z'), berlin)).toBe(true);
    expect(rateCovers(office, at('2026-03-30T16:00:00Z'), berlin)).toBe(false);
  });

  it('handles the skipped and the repeated hour', () => {
    const twoToThree = band('02:00', '03:00');
    const berlin = 'Europe/Berlin';
    // 2026-03-29: 02:00 local does not exist (01:59:59 CET is followed by 03:00 CEST).
    expect(rateCovers(twoToThree, at('2026-03-29T00:59:59Z'), berlin)).toBe(false);
    expect(rateCovers(twoToThree, at('2026-03-29T01:00:00Z'), berlin)).toBe(false);
    // 2026-10-25: 02:00-03:00 local happens twice, and both hours are in the band.
    expect(rateCovers(twoToThree, at('2026-10-25T00:00:00Z'), berlin)).toBe(true);
    expect(rateCovers(twoToThree, at('2026-10-25T01:30:00Z'), berlin)).toBe(true);
    expect(rateCovers(twoToThree, at('2026-10-25T02:00:00Z'), berlin)).toBe(false);
  });

  it('rejects an unknown time zone', () => {
    expect(() => rateCovers(band('08:00', '18:00'), at('2026-01-05T08:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('rateCovers: validity', () => {
  const r = makeRate({ validFrom: at('2026-02-01T00:00:00Z'), validUntil: at('2026-03-01T00:00:00Z') });

  it('is [validFrom, validUntil) in absolute time', () => {
    expect(rateCovers(r, at('2026-01-31T23:59:59.999Z'), 'Europe/Berlin')).toBe(false);
    expect(rateCovers(r, at('2026-02-01T00:00:00Z'), 'Europe/Berlin')).toBe(true);
    expect(rateCovers(r, at('2026-02-28T23:59:59.999Z'), 'Europe/Berlin')).toBe(true);
    expect(rateCovers(r, at('2026-03-01T00:00:00Z'), 'Europe/Berlin')).toBe(false);
  });

  it('treats missing bounds as open', () => {
    expect(rateIsValidAt(makeRate({ validFrom: null, validUntil: at('2026-01-01T00:00:00Z') }), at('1970-01-01T00:00:00Z'))).toBe(true);
    expect(rateIsValidAt(makeRate({ validFrom: at('2026-01-01T00:00:00Z'), validUntil: null }), at('2999-01-01T00:00:00Z'))).toBe(true);
  });

  it('needs both validity and band', () => {
    const banded = { ...r, startTime: '08:00', endTime: '18:00' };
    expect(rateCovers(banded, at('2026-02-02T09:00:00Z'), 'UTC')).toBe(true);
    expect(rateCovers(banded, at('2026-02-02T19:00:00Z'), 'UTC')).toBe(false);
    expect(rateCovers(banded, at('2026-03-02T09:00:00Z'), 'UTC')).toBe(false);
  });
});

describe('selectRate', () => {
  const monday10 = at('2026-01-05T10:00:00Z');
  const named = (destination: string, o: Parameters<typeof makeRate>[0] = {}) => makeRate({ destination, ...o });

  it('prefers the longest matching prefix', () => {
    const groups = [[named('Berlin', { prefix: '4930' })], [named('Germany', { prefix: '49' })]];
    expect(selectRate(groups, monday10, 'UTC')?.destination).toBe('Berlin');
  });

  it('takes the highest priority among covering rates of that prefix', () => {
    const groups = [[named('low', { priority: 1 }), named('high', { priority: 5 }), named('mid', { priority: 3 })]];
    expect(selectRate(groups, monday10, 'UTC')?.destination).toBe('high');
  });

  it('ignores a higher priority rate that does not cover the call', () => {
    const groups = [[named('day'), named('weekend', { priority: 9, days: '67' })]];
    expect(selectRate(groups, monday10, 'UTC')?.destination).toBe('day');
    expect(selectRate(groups, at('2026-01-10T10:00:00Z'), 'UTC')?.destination).toBe('weekend');
  });

  it('breaks priority ties by the later validFrom, then by order', () => {
    const old = named('old', { validFrom: at('2025-01-01T00:00:00Z') });
    const recent = named('new', { validFrom: at('2026-01-01T00:00:00Z') });
    const open = named('open', { validFrom: null });
    expect(selectRate([[old, recent, open]], monday10, 'UTC')?.destination).toBe('new');
    expect(selectRate([[open, old]], monday10, 'UTC')?.destination).toBe('old');
    expect(selectRate([[named('first'), named('second')]], monday10, 'UTC')?.destination).toBe('first');
  });

  it('falls back to a shorter prefix when no rate of the longest prefix covers the call', () => {
    const groups = [
      [named('Berlin nights', { prefix: '4930', startTime: '20:00', endTime: '08:00' })],
      [named('Germany', { prefix: '49' })],
    ];
    expect(selectRate(groups, monday10, 'UTC')?.destination).toBe('Germany');
    expect(selectRate(groups, at('2026-01-05T21:00:00Z'), 'UTC')?.destination).toBe('Berlin nights');
    const expired = [[named('Berlin', { prefix: '4930', validUntil: at('2026-01-01T00:00:00Z') })], [named('Germany')]];
    expect(selectRate(expired, monday10, 'UTC')?.destination).toBe('Germany');
  });

  it('filters by direction, falling back when the longest prefix lacks that direction', () => {
    const groups = [
      [named('Berlin in', { prefix: '4930', direction: 'inbound' })],
      [named('Germany out', { direction: 'outbound' }), named('Germany in', { direction: 'inbound' })],
    ];
    expect(selectRate(groups, monday10, 'UTC', 'outbound')?.destination).toBe('Germany out');
    expect(selectRate(groups, monday10, 'UTC', 'inbound')?.destination).toBe('Berlin in');
  });

  it('evaluates bands in the system zone', () => {
    const groups = [[named('Monday', { days: '1', priority: 1 }), named('any')]];
    expect(selectRate(groups, at('2026-03-22T23:30:00Z'), 'Europe/Berlin')?.destination).toBe('Monday');
    expect(selectRate(groups, at('2026-03-22T23:30:00Z'), 'UTC')?.destination).toBe('any');
  });

  it('returns null when nothing covers the call', () => {
    expect(selectRate([], monday10, 'UTC')).toBeNull();
    expect(selectRate([[], []], monday10, 'UTC')).toBeNull();
    expect(selectRate([[named('weekend', { days: '67' })]], monday10, 'UTC')).toBeNull();
  });

  it('returns the caller’s own object type', () => {
    type Stored = RateDefinition & { id: number };
    const stored: Stored = { ...named('x'), id: 42 };
    const chosen: Stored | null = selectRate([[stored]], monday10, 'UTC');
    expect(chosen?.id).toBe(42);
  });
});

describe('rate selection against luxon across DST changes', () => {
  /** The band rule read the plain way: luxon's wall clock for every check (what selectRate did before its clock cache). */
  function coversByLuxon(rate: RateDefinition, when: Date, zone: string): boolean {
    if (!rateIsValidAt(rate, when)) return false;
    const local = DateTime.fromJSDate(when, { zone });
    const ms = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
    const listed = (weekday: number) => rate.days === null || rate.days.includes(String(weekday));
    const { start, end } = bandMinutes(rate);
    if (start < end) return ms >= start * 60_000 && ms < end * 60_000 && listed(local.weekday);
    if (ms >= start * 60_000) return listed(local.weekday);
    return end < 1440 && ms < end * 60_000 && listed(local.weekday === 1 ? 7 : local.weekday - 1);
  }

  function selectByLuxon(groups: RateDefinition[][], when: Date, zone: string): RateDefinition | null {
    for (const group of groups) {
      let best: RateDefinition | null = null;
      for (const r of group) {
        if (!coversByLuxon(r, when, zone)) continue;
        const from = (x: RateDefinition) => x.validFrom?.getTime() ?? -Infinity;
        if (best === null || r.priority > best.priority || (r.priority === best.priority && from(r) > from(best))) best = r;
      }
      if (best) return best;
    }
    return null;
  }

  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const times = [null, '00:00', '01:00', '01:30', '02:00', '02:15', '02:30', '03:00', '03:30', '06:00', '08:00', '22:00', '23:59', '24:00'];
  const randomRate = (prefix: string): RateDefinition =>
    makeRate({
      prefix,
      destination: String(rnd()),
      startTime: pick(times.filter((t) => t !== '24:00')),
      endTime: pick(times),
      days: rnd() < 0.4 ? null : [...'1234567'].filter(() => rnd() < 0.5).join('') || '7',
      priority: Math.floor(rnd() * 3),
      validFrom: rnd() < 0.7 ? null : new Date(Date.UTC(2026, 0, 1) + Math.floor(rnd() * 700) * 86_400_000),
      validUntil: rnd() < 0.8 ? null : new Date(Date.UTC(2026, 6, 1) + Math.floor(rnd() * 700) * 86_400_000),
    });

  /** Instants within a day of every offset change of 2026-2027, and some anywhere in those years. */
  function instantsAround(zone: string): Date[] {
    const z = IANAZone.create(zone);
    const out: Date[] = [];
    const from = Date.UTC(2026, 0, 1);
    const to = Date.UTC(2028, 0, 1);
    for (let t = from; t < to; t += 3_600_000) {
      if (z.offset(t) === z.offset(t + 3_600_000)) continue;
      for (let i = 0; i < 300; i++) out.push(new Date(t + Math.floor((rnd() - 0.5) * 2 * 86_400_000)));
      for (let m = -120; m <= 120; m += 15) out.push(new Date(t + m * 60_000));
    }
    for (let i = 0; i < 1000; i++) out.push(new Date(from + Math.floor(rnd() * (to - from))));
    return out;
  }

  it.each(['Europe/Berlin', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'])(
    'rateCovers and selectRate agree with luxon in %s',
    (zone) => {
      const rates = Array.from({ length: 40 }, () => randomRate('49'));
      const mismatches: string[] = [];
      for (const when of instantsAround(zone)) {
        for (const r of rates) {
          if (rateCovers(r, when, zone) !== coversByLuxon(r, when, zone)) {
            mismatches.push(`${when.toISOString()} ${r.days} ${r.startTime}-${r.endTime}`);
          }
        }
        const groups = [rates.slice(0, 5), rates.slice(5, 15), rates.slice(15)];
        if (selectRate(groups, when, zone) !== selectByLuxon(groups, when, zone)) mismatches.push(`select ${when.toISOString()}`);
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
    },
  );
});
