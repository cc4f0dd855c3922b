import { bandMinutes, Direction, MINUTES_PER_DAY, RateDefinition } from './rate';
import { localClock, type LocalClock } from './zone-clock';

type BandFields = Pick<RateDefinition, 'days' | 'startTime' | 'endTime'>;
type ValidityFields = Pick<RateDefinition, 'validFrom' | 'validUntil'>;

/** Validity is absolute time, [validFrom, validUntil). */
export function rateIsValidAt(rate: ValidityFields, at: Date): boolean {
  const t = at.getTime();
  return (rate.validFrom === null || t >= rate.validFrom.getTime()) && (rate.validUntil === null || t < rate.validUntil.getTime());
}

const previousDay = (weekday: number) => (weekday === 1 ? 7 : weekday - 1);
const WEEKDAY_DIGITS = ['', '1', '2', '3', '4', '5', '6', '7'];
const dayListed = (days: string | null, weekday: number) => days === null || days.includes(WEEKDAY_DIGITS[weekday]);

/*
 * Band times parsed once per distinct text, by bandMinutes (whose RangeError for malformed text still
 * comes out; only valid texts are kept, and there are at most 1,441 of those).
 */
const startMinutesByText = new Map<string, number>();
const endMinutesByText = new Map<string, number>();

function startMinutes(rate: BandFields): number {
  const text = rate.startTime;
  if (text === null) return 0;
  let minutes = startMinutesByText.get(text);
  if (minutes === undefined) {
    minutes = bandMinutes(rate).start;
    startMinutesByText.set(text, minutes);
  }
  return minutes;
}

function endMinutes(rate: BandFields): number {
  const text = rate.endTime;
  if (text === null) return MINUTES_PER_DAY;
  let minutes = endMinutesByText.get(text);
  if (minutes === undefined) {
    minutes = bandMinutes(rate).end;
    endMinutesByText.set(text, minutes);
  }
  return minutes;
}

/**
 * Time band check on local wall-clock time (so bands follow DST: 08:00 is 08:00 in summer and winter).
 *
 * A band that wraps past midnight belongs to the day it STARTS on: days "5" with 22:00-06:00 is Friday
 * night, i.e. Friday 22:00 until Saturday 06:00. That reads the way operators write night bands; matching
 * the calendar day of each instant instead would make "5 22:00-06:00" cover early Friday and late Friday,
 * two unrelated slices. A band with start == end (e.g. 08:00-08:00) is the full 24 hours from start.
 */
function bandCovers(rate: BandFields, clock: LocalClock): boolean {
  // No band at all (most rates): the whole day.
  if (rate.startTime === null && rate.endTime === null) return dayListed(rate.days, clock.weekday);
  const start = startMinutes(rate);
  const end = endMinutes(rate);
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
