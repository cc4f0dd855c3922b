import { Money } from '../../../shared/money';

export type Direction = 'outbound' | 'inbound';

/**
 * One rate of a rate plan, as plain data. Every other file of the rating domain works on this shape,
 * so the persistence layer only has to map its rows to and from it.
 */
export interface RateDefinition {
  /** Destination prefix, digits only (1..20). */
  prefix: string;
  destination: string;
  direction: Direction;
  connectFee: Money;
  /** Seconds covered by the connect fee. */
  includedSeconds: number;
  perMinute: Money;
  /** Minimum billed seconds once the included seconds are used up. */
  firstBlock: number;
  /** Billing increment in seconds (>= 1). */
  increment: number;
  minimumCharge: Money;
  perMessage: Money;
  /** Days of the week the band starts on, subset of "1234567" (Monday = 1); null = every day. */
  days: string | null;
  /** "HH:MM" local time in the system zone; null = 00:00. */
  startTime: string | null;
  /** "HH:MM"; null, "00:00" or "24:00" = end of day. The band is [start, end); start >= end wraps past midnight. */
  endTime: string | null;
  priority: number;
  /** Validity is [validFrom, validUntil) in absolute time; null = unbounded. */
  validFrom: Date | null;
  validUntil: Date | null;
}

export const MINUTES_PER_DAY = 1440;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:MM" -> minutes after midnight; "24:00" only when `allowEndOfDay`. Null when malformed. */
export function parseHHMM(text: string, allowEndOfDay = false): number | null {
  if (allowEndOfDay && text === '24:00') return MINUTES_PER_DAY;
  const m = HHMM.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/**
 * The time band as minutes [start, end) with end-of-day spelled 1440, so that equal bands written
 * differently ("00:00" vs "24:00" vs null) compare equal. Throws on malformed times: a RateDefinition
 * is expected to be validated already.
 */
export function bandMinutes(rate: Pick<RateDefinition, 'startTime' | 'endTime'>): { start: number; end: number } {
  const start = rate.startTime === null ? 0 : parseHHMM(rate.startTime);
  let end = rate.endTime === null ? MINUTES_PER_DAY : parseHHMM(rate.endTime, true);
  if (start === null || end === null) throw new RangeError(`bad time band ${rate.startTime}-${rate.endTime}`);
  if (end === 0) end = MINUTES_PER_DAY;
  return { start, end };
}

/** Canonical days: sorted digits; every day (null or all seven) is "" so that both spell the same key. */
export function canonicalDays(days: string | null): string {
  if (days === null) return '';
  const sorted = days.length < 2 ? days : [...days].sort().join('');
  return sorted === '1234567' ? '' : sorted;
}

/**
 * Identity of a rate inside one deck/plan: prefix + direction + days + time band + valid-from. Two
 * rates with the same key would compete for the same calls, so a deck may not contain both, and a
 * re-import matches old and new rates by it. Kept short because import holds one per row.
 */
export function rateKey(rate: RateDefinition): string {
  const { start, end } = bandMinutes(rate);
  const from = rate.validFrom === null ? '' : rate.validFrom.getTime().toString(36);
  return `${rate.prefix}|${rate.direction === 'inbound' ? 'i' : 'o'}|${canonicalDays(rate.days)}|${start}-${end}|${from}`;
}
