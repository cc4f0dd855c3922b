import { DateTime } from 'luxon';

/**
 * Billing periods as calendar stretches (DOMAIN.md §7): months start on the 1st, quarters in January,
 * April, July and October, years on 1 January; `indefinite` has none. Local calendar dates
 * ('YYYY-MM-DD', end exclusive), so a period means the same in every time zone. In the kernel because
 * billing (included call seconds per period) and invoicing (fees, invoices) both count by them; the
 * invoicing rules built on them are in src/modules/invoicing/domain/billing-period.ts.
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

/** A local calendar date as a UTC-anchored DateTime; throws on anything that is not a real YYYY-MM-DD. */
export function localDay(date: string): DateTime {
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
