import { DateTime } from 'luxon';
import { bandMinutes, Direction, MINUTES_PER_DAY, RateDefinition } from './rate';

/** Local wall-clock position of an instant: ISO weekday (Monday = 1) and milliseconds since local midnight. */
interface LocalClock {
  weekday: number;
  msOfDay: number;
}

function localClock(at: Date, timeZone: string): LocalClock {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  // An unknown zone would silently make every band miss; this is a configuration error, so say so.
  if (!local.isValid) throw new RangeError(`invalid time zone or date: ${timeZone} ${local.invalidExplanation ?? ''}`);
  const msOfDay = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
  return { weekday: local.weekday, msOfDay };
}

type BandFields = Pick<RateDefinition, 'days' | 'startTime' | 'endTime'>;
type ValidityFields = Pick<RateDefinition, 'validFrom' | 'validUntil'>;

/** Validity is absolute time, [validFrom, validUntil). */
export function rateIsValidAt(rate: ValidityFields, at: Date): boolean {
  const t = at.getTime();
  return (rate.validFrom === null || t >= rate.validFrom.getTime()) && (rate.validUntil === null || t < rate.validUntil.getTime());
}

const previousDay = (weekday: number) => (weekday === 1 ? 7 : weekday - 1);
const dayListed = (days: string | null, weekday: number) => days === null || days.includes(String(weekday));

/**
 * Time band check on local wall-clock time (so bands follow DST: 08:00 is 08:00 in summer and winter).
 *
 * A band that wraps past midnight belongs to the day it STARTS on: days "5" with 22:00-06:00 is Friday
 * night, i.e. Friday 22:00 until Saturday 06:00. That reads the way operators write night bands; matching
 * the calendar day of each instant instead would make "5 22:00-06:00" cover early Friday and late Friday,
 * two unrelated slices. A band with start == end (e.g. 08:00-08:00) is the full 24 hours from start.
 */
function bandCovers(rate: BandFields, clock: LocalClock): boolean {
  const { start, end } = bandMinutes(rate);
  const startMs = start * 60_000;
  const endMs = end * 60_000;
  if (start < end) {
    return clock.msOfDay >= startMs && clock.msOfDay < endMs && dayListed(rate.days, clock.weekday);
  }
  if (clock.msOfDay >= startMs) return dayListed(rate.days, clock.weekday);
  // The early-morning tail of a band that started yesterday (end < 1440 here since start >= end).
  return end < MINUTES_PER_DAY && clock.msOfDay < endMs && dayListed(rate.days, previousDay(clock.weekday));
}

/**
 * Whether `rate` applies to a call starting at `at`: validity in absolute time, days and time band in
 * `timeZone` (the system time zone, IANA name).
 */
export function rateCovers(rate: BandFields & ValidityFields, at: Date, timeZone: string): boolean {
  return rateIsValidAt(rate, at) && bandCovers(rate, localClock(at, timeZone));
}

const validFromMs = (rate: ValidityFields) => (rate.validFrom === null ? -Infinity : rate.validFrom.getTime());

/**
 * Picks the rate for a call starting at `at`.
 *
 * `candidatesByPrefixLengthDescending` holds, for each prefix matching the number, that prefix's rates,
 * longest prefix first (PrefixIndex.matches gives exactly this). Within the longest prefix that has a
 * rate covering `at` (and of `direction`, when given), the highest priority wins; ties go to the later
 * validFrom (a newer rate supersedes an older open-ended one), then to the first given.
 *
 * Design decision: when the longest prefix has rates but none covers `at` (e.g. only a weekend band, or
 * not valid yet), we fall back to the next shorter prefix instead of refusing the call. A deck usually
 * has a country-wide rate under more specific ones, and an operator who adds a time-banded special for
 * a sub-prefix does not expect calls outside that band to become unroutable.
 *
 * Returns null when no prefix has a covering rate (the call has no rate at this level).
 */
export function selectRate<R extends RateDefinition>(
  candidatesByPrefixLengthDescending: Iterable<readonly R[]>,
  at: Date,
  timeZone: string,
  direction?: Direction,
): R | null {
  let clock: LocalClock | undefined;
  for (const group of candidatesByPrefixLengthDescending) {
    let best: R | null = null;
    for (const rate of group) {
      if (direction !== undefined && rate.direction !== direction) continue;
      if (!rateIsValidAt(rate, at)) continue;
      clock ??= localClock(at, timeZone);
      if (!bandCovers(rate, clock)) continue;
      if (best === null || rate.priority > best.priority || (rate.priority === best.priority && validFromMs(rate) > validFromMs(best))) {
        best = rate;
      }
    }
    if (best !== null) return best;
  }
  return null;
}
