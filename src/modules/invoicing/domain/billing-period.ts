import { DateTime } from 'luxon';
import { InvalidPeriodInput, localDay, nextPeriod, periodContaining, type BillingPeriodDates, type PeriodKind } from '../../../shared/billing-periods';

// The calendar itself (period of a day, next period) lives in the kernel: billing counts by it too.
export { InvalidPeriodInput, monthsPerPeriod, nextPeriod, periodContaining, type BillingPeriodDates, type PeriodKind } from '../../../shared/billing-periods';

const iso = (d: DateTime): string => d.toISODate() as string;

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
