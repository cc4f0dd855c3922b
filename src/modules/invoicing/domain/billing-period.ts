import { DateTime } from 'luxon';

/**
 * Billing periods (DOMAIN.md §7): calendar-aligned in the customer's time zone. Months start on the 1st,
 * quarters in January, April, July and October, years on 1 January. `indefinite` has no periods: its
 * customers are never charged recurring fees and never invoiced by the nightly run.
 *
 * Periods are handled as local calendar dates ('YYYY-MM-DD', `end` exclusive: the first day of the next
 * period), because a period is a stretch of the customer's calendar, not of UTC. Instants are derived
 * from them only where the ledger is queried (`periodInstants`), in the customer's zone, so a customer in
 * New York is invoiced for October only once October has ended in New York.
 */
export type PeriodKind = 'monthly' | 'quarterly' | 'annually' | 'indefinite';

export interface BillingPeriodDates {
  /** First local day of the period. */
  start: string;
  /** First local day of the next period (exclusive end). */
  end: string;
}

export class InvalidPeriodInput extends Error {}

const MONTHS: Record<Exclude<PeriodKind, 'indefinite'>, number> = { monthly: 1, quarterly: 3, annually: 12 };

function localDay(date: string): DateTime {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  if (!d.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new InvalidPeriodInput(`not a calendar date: ${date}`);
  return d;
}

const iso = (d: DateTime): string => d.toISODate() as string;

/** Months in one period of `kind`, or null for `indefinite`. */
export function monthsPerPeriod(kind: PeriodKind): number | null {
  return kind === 'indefinite' ? null : MONTHS[kind];
}

/** The period of `kind` that contains the local day `date`; null for `indefinite`. */
export function periodContaining(kind: PeriodKind, date: string): BillingPeriodDates | null {
  const months = monthsPerPeriod(kind);
  if (months === null) return null;
  const day = localDay(date);
  // Periods are aligned to January: month index 0..11 rounded down to a multiple of the period length.
  const firstMonth = Math.floor((day.month - 1) / months) * months + 1;
  const start = DateTime.utc(day.year, firstMonth, 1);
  return { start: iso(start), end: iso(start.plus({ months })) };
}

/** The period that follows `period` (same kind). */
export function nextPeriod(kind: PeriodKind, period: BillingPeriodDates): BillingPeriodDates | null {
  return periodContaining(kind, period.end);
}

/** The local calendar day of an instant in a time zone. */
export function localDateOf(instant: Date, zone: string): string {
  const d = DateTime.fromJSDate(instant, { zone });
  if (!d.isValid) throw new InvalidPeriodInput(`unknown time zone: ${zone}`);
  return iso(d);
}

/** UTC instants of the period's local start and end midnights in `zone` (end exclusive). */
export function periodInstants(period: BillingPeriodDates, zone: string): { from: Date; to: Date } {
  const at = (date: string): Date => {
    const d = DateTime.fromISO(date, { zone });
    if (!d.isValid) throw new InvalidPeriodInput(`unknown time zone: ${zone}`);
    return d.toJSDate();
  };
  return { from: at(period.start), to: at(period.end) };
}

/**
 * Periods that have ended by `today` (the customer's local date) and are not invoiced yet: every period
 * from the one containing `firstDay` (the customer's first billable day, or the day after the last
 * invoiced period) whose exclusive end is on or before `today`. This is how the run catches up days it
 * missed: a customer not invoiced for two months gets both periods, oldest first. `limit` bounds the
 * answer (a customer created decades back in time must not produce thousands of periods in one run).
 */
export function endedPeriodsSince(kind: PeriodKind, firstDay: string, today: string, limit = 120): BillingPeriodDates[] {
  localDay(today);
  const out: BillingPeriodDates[] = [];
  let period = periodContaining(kind, firstDay);
  while (period && period.end <= today && out.length < limit) {
    out.push(period);
    period = nextPeriod(kind, period);
  }
  return out;
}

/**
 * Minimum contract (DOMAIN.md §7): a contract of `months` starting on the customer's first day runs to
 * `firstDay + months`. Ending service before that charges the recurring fees of every period that would
 * still have started before the contract end, after the period in which service ends (whose fees were
 * already charged in advance). Answers those periods; the caller prices them with the fees in force.
 */
export function periodsLeftOnContract(
  kind: PeriodKind,
  firstDay: string,
  months: number | null,
  endDay: string,
): BillingPeriodDates[] {
  if (!months || months <= 0 || kind === 'indefinite') return [];
  const contractEnd = iso(localDay(firstDay).plus({ months }));
  const out: BillingPeriodDates[] = [];
  let period = periodContaining(kind, endDay);
  period = period && nextPeriod(kind, period);
  while (period && period.start < contractEnd) {
    out.push(period);
    period = nextPeriod(kind, period);
  }
  return out;
}
