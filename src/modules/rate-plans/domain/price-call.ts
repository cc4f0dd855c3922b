import { Dec, Money, roundHalfAwayFromZero } from '../../../shared/money';
import { RateDefinition } from './rate';

/** Default cap for call authorisation: no call is granted more than 4 hours at once. */
export const DEFAULT_MAX_CALL_SECONDS = 4 * 3600;

type BillingFields = Pick<RateDefinition, 'connectFee' | 'includedSeconds' | 'perMinute' | 'firstBlock' | 'increment' | 'minimumCharge'>;

function checkPrecision(precision: number): void {
  // Money holds 6 places, so a finer plan precision could not be represented anyway.
  if (!Number.isInteger(precision) || precision < 0 || precision > 6) {
    throw new RangeError(`precision must be an integer 0..6, got ${precision}`);
  }
}

/**
 * Whole seconds to bill. Fractional durations (CDR timestamps with milliseconds) count as a started
 * second, like the increment rounding. Increment < 1 is invalid data; it is read as 1 (with no first
 * block) instead of dividing by zero in the middle of a call.
 */
export function billableSeconds(rate: BillingFields, durationSeconds: number): number {
  const duration = Math.ceil(durationSeconds);
  let increment = Math.floor(rate.increment);
  let firstBlock = Math.max(0, Math.floor(rate.firstBlock));
  if (!(increment >= 1)) {
    increment = 1;
    firstBlock = 0;
  }
  const b = duration - Math.max(0, Math.floor(rate.includedSeconds));
  if (b <= 0) return 0;
  return Math.ceil(Math.max(b, firstBlock) / increment) * increment;
}

/** The exact (unrounded) price as a Decimal: connect + perMinute * b / 60, floored at the minimum charge. */
function exactPrice(rate: BillingFields, billed: number): Dec {
  // Kept as one Decimal so rounding happens once: rounding b/60 to 6 places first and then to the plan
  // precision could move a price across a half-way point (double rounding).
  const price = rate.connectFee.toDecimal().plus(rate.perMinute.toDecimal().times(billed).dividedBy(60));
  // Dec (not the global Decimal) so the 60-digit precision applies.
  return Dec.max(price, rate.minimumCharge.toDecimal());
}

function checkDuration(durationSeconds: number): void {
  if (!Number.isFinite(durationSeconds) || durationSeconds < 0) {
    throw new RangeError(`duration must be a finite number >= 0, got ${durationSeconds}`);
  }
}

/**
 * Price of one call at one level (DOMAIN.md §3): unanswered or 0 s costs nothing; otherwise
 * b = duration - included; b <= 0 -> 0, else max(b, first block) rounded up to the increment;
 * price = max(connect + perMinute * b / 60, minimum charge) rounded to `precision` half away from zero.
 */
export function priceCall(rate: BillingFields, durationSeconds: number, answered: boolean, precision: number): Money {
  checkPrecision(precision);
  checkDuration(durationSeconds);
  if (!answered || durationSeconds === 0) return Money.ZERO;
  // roundHalfAwayFromZero is Money.round's own rounding, applied to the exact value (see exactPrice).
  return Money.of(roundHalfAwayFromZero(exactPrice(rate, billableSeconds(rate, durationSeconds)), precision));
}

/** Price of one message at the plan precision. */
export function priceMessage(rate: Pick<RateDefinition, 'perMessage'>, precision: number): Money {
  checkPrecision(precision);
  return rate.perMessage.round(precision);
}

/**
 * Largest whole number of seconds (<= maxSeconds) whose price is <= available; 0 when even a 1-second
 * call is unaffordable. Used to give an authorised call its maximum duration.
 *
 * The price is non-decreasing in the duration, so the answer is one threshold. It is first estimated by
 * inverting the formula, then checked against priceCall itself (the single source of truth); if the
 * check fails, a binary search settles it, so the answer is always exact in O(log maxSeconds) prices.
 */
export function maxAffordableSeconds(
  rate: BillingFields,
  available: Money,
  precision: number,
  maxSeconds: number = DEFAULT_MAX_CALL_SECONDS,
): number {
  checkPrecision(precision);
  const cap = Math.floor(maxSeconds);
  if (!(cap >= 1)) return 0;
  const fits = (s: number) => priceCall(rate, s, true, precision).lte(available);
  if (!fits(1)) return 0;
  if (fits(cap)) return cap;

  // Here price(1) <= available < price(cap), so perMinute > 0 and the threshold lies in [1, cap).
  let guess = estimate(rate, available, precision);
  guess = Math.min(Math.max(guess, 1), cap - 1);
  const guessFits = fits(guess);
  if (guessFits && !fits(guess + 1)) return guess;

  // Invariant: fits(lo), !fits(hi).
  let lo = 1;
  let hi = cap;
  if (guessFits) lo = guess;
  else hi = guess;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Inverts the price formula: a rounded price is <= available exactly when the exact price is below
 * floor_p(available) + half a unit of the last place. That bounds the billed seconds b; the longest
 * duration billed at most b is included + b (b being a multiple of the increment).
 */
function estimate(rate: BillingFields, available: Money, precision: number): number {
  const unit = new Dec(10).pow(-precision);
  const limit = available.toDecimal().toDecimalPlaces(precision, Dec.ROUND_FLOOR).plus(unit.dividedBy(2));
  const perMinute = rate.perMinute.toDecimal();
  if (!perMinute.isPositive() || perMinute.isZero()) return 0;
  // Largest integer b with connect + perMinute * b / 60 < limit.
  const q = limit.minus(rate.connectFee.toDecimal()).times(60).dividedBy(perMinute);
  const maxBilled = q.ceil().minus(1);
  if (maxBilled.isNegative()) return 0;
  const increment = rate.increment >= 1 ? Math.floor(rate.increment) : 1;
  // Clamp before converting so a huge balance cannot overflow a JS number.
  const billed = Dec.min(maxBilled, 1e12).toNumber();
  const usable = Math.floor(billed / increment) * increment;
  return Math.max(0, Math.floor(rate.includedSeconds)) + usable;
}
