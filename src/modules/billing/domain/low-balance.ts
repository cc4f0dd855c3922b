import { Dec, Money } from '../../../shared/money';

/**
 * Low balance and automatic top-up (DOMAIN.md §5), as pure rules. A customer's threshold is in its own
 * currency; "0.00" (or anything not above 0) disables both the email and the automatic top-up.
 */

/**
 * Whether a balance change can cross any threshold downwards at all, before knowing the threshold:
 * thresholds are never negative and "0.00" disables, so only a fall from a positive balance can cross.
 * The ledger's watcher asks this first and reads no customer for the other changes (credits, postpaid
 * customers already below zero).
 */
export function mayCrossAnyThreshold(before: Money, after: Money): boolean {
  return before.isPositive() && after.lt(before);
}

/**
 * A crossing: the balance was at or above the threshold and is now below it. Exactly once per crossing,
 * because the ledger gives each posting the exact balance before and after it (under the balance row's
 * lock): a later debit while still below starts below and is no crossing; once a credit brings the
 * balance back to the threshold or above, the next fall below is a crossing again.
 */
export function crossesBelow(before: Money, after: Money, threshold: Money): boolean {
  return threshold.isPositive() && before.gte(threshold) && after.lt(threshold);
}

/** The automatic top-up brings the balance back to this many times the threshold. */
export const TOP_UP_TARGET_FACTOR = 2;

/**
 * The amount an automatic top-up asks for: enough to bring `balance` (right after the crossing debit)
 * back to twice the threshold, rounded up to the currency's minor unit (`minorUnits` decimals), so the
 * balance ends at or just above the target. Always greater than the threshold, hence positive.
 */
export function topUpAmount(balance: Money, threshold: Money, minorUnits: number): Money {
  if (!threshold.isPositive()) throw new Error('no top-up without a positive threshold');
  const target = threshold.times(TOP_UP_TARGET_FACTOR);
  const missing = target.minus(balance).toDecimal();
  return Money.of(new Dec(missing).toDecimalPlaces(Math.max(0, Math.min(6, minorUnits)), Dec.ROUND_UP));
}
