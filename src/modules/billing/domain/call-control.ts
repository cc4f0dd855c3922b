import { DateTime } from 'luxon';
import { periodContaining, type PeriodKind } from '../../../shared/billing-periods';
import { Money } from '../../../shared/money';

/**
 * Pure rules of real-time call control (DOMAIN.md §4, §5): which billing types pay for calls from the
 * balance, what a level may still spend, the day a daily spend limit counts, and the order in which
 * refusals are given. No Nest, no TypeORM: the service feeds it rows it read under lock.
 */

/** Why an authorisation is refused (API.md): also the `code` of the refusal. */
export const REFUSAL_REASONS = ['locked', 'billing_type', 'no_rate', 'concurrent_limit', 'daily_limit', 'no_credit'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  locked: 'the customer or one of its ancestors is locked from calls',
  billing_type: "the customer's billing type does not allow calls",
  no_rate: 'no rate for the destination at some level of the tree',
  concurrent_limit: 'the concurrent-call limit of the customer or an ancestor is reached',
  daily_limit: 'the daily spend limit is reached',
  no_credit: 'the balance of the customer or an ancestor (with its credit limit) cannot pay for the call',
};

type BillingType = 'prepaid' | 'postpaid' | 'prepaid_calls' | 'prepaid_invoices' | 'external' | 'none';

/**
 * Billing types whose calls are debited from the balance at once, checked against `-credit limit`:
 * prepaid, postpaid, prepaid_calls and prepaid_invoices. `external` calls are rated and recorded but move
 * no balance; `none` charges nothing.
 */
export function callsDebitBalance(type: BillingType): boolean {
  return type === 'prepaid' || type === 'postpaid' || type === 'prepaid_calls' || type === 'prepaid_invoices';
}

/** A customer of billing type `none` makes no calls (nothing could be recorded for it); as an ancestor it is simply not charged. */
export function billingTypeAllowsCalls(type: BillingType): boolean {
  return type !== 'none';
}

/** The customer's local date (YYYY-MM-DD) at `at`: the day a daily spend limit counts. */
export function localDay(at: Date, timeZone: string): string {
  const d = DateTime.fromJSDate(at, { zone: timeZone });
  return (d.isValid ? d : DateTime.fromJSDate(at, { zone: 'UTC' })).toISODate() as string;
}

/** Call charges counted for `day`: the stored count if it is that day's, else nothing yet. */
export function spentOn(spentToday: Money, spentDay: string | null, day: string): Money {
  return spentDay === day ? spentToday : Money.ZERO;
}

/** A level's balance row as read under lock, with the customer's limits. */
export interface LevelFunds {
  balance: Money;
  reserved: Money;
  creditLimit: Money;
  /** Null = unlimited. */
  dailyLimit: Money | null;
  /** Spent today (spentOn). */
  spentToday: Money;
}

export type FundsVerdict = { ok: true; available: Money; dailyBinds: boolean } | { ok: false; reason: 'daily_limit' | 'no_credit' };

/**
 * What one level may still spend on a new call: its balance above `-credit limit` less what calls in
 * progress have reserved, and (with a daily limit) what is left of the limit today less those reservations.
 * Refused when the daily limit is reached, or when the balance is at or below `-credit limit` (reservations
 * count as spent, so concurrent calls cannot together pass it).
 */
export function levelFunds(f: LevelFunds): FundsVerdict {
  if (f.dailyLimit !== null && f.spentToday.gte(f.dailyLimit)) return { ok: false, reason: 'daily_limit' };
  const credit = f.balance.plus(f.creditLimit).minus(f.reserved);
  if (!credit.isPositive()) return { ok: false, reason: 'no_credit' };
  if (f.dailyLimit === null) return { ok: true, available: credit, dailyBinds: false };
  const daily = f.dailyLimit.minus(f.spentToday).minus(f.reserved);
  if (!daily.isPositive()) return { ok: false, reason: 'daily_limit' };
  return daily.lt(credit) ? { ok: true, available: daily, dailyBinds: true } : { ok: true, available: credit, dailyBinds: false };
}

/** True when this charge makes the day's spending reach the limit (it was below before). */
export function reachesDailyLimit(limit: Money | null, before: Money, after: Money): boolean {
  return limit !== null && before.lt(limit) && after.gte(limit);
}

/**
 * Included call seconds (a plan's "included seconds per billing period", DOMAIN.md §3): a level's calls
 * are free for their first `included` seconds of each billing period, counted in the order the calls are
 * reported; a call partly covered is priced on its remaining seconds. `used` and `usedPeriod` are what the
 * balance row kept (seconds used in the period starting `usedPeriod`); `day` is the customer's local date
 * when the call is charged. Answers the free seconds of this call and the row's new state.
 */
export function includedSecondsFor(
  used: number,
  usedPeriod: string | null,
  included: number,
  kind: PeriodKind,
  day: string,
  duration: number,
): { free: number; used: number; period: string | null } {
  const period = included > 0 && duration > 0 ? periodContaining(kind, day) : null;
  if (!period) return { free: 0, used, period: usedPeriod };
  const before = usedPeriod === period.start ? used : 0;
  const free = Math.min(Math.max(included - before, 0), duration);
  return { free, used: before + free, period: period.start };
}
