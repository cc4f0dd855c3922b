import { Dec } from '../../../shared/money';
import { RateDefinition } from './rate';

/**
 * A plan's markups in percent (API.md `markups`), e.g. "20" = +20%. Strings are accepted so that
 * values straight from the database or the API need no conversion; they must be validated first.
 */
export interface MarkupPercents {
  outboundConnect: Dec | string;
  outboundPerMinute: Dec | string;
  outboundMessage: Dec | string;
  inboundConnect: Dec | string;
  inboundPerMinute: Dec | string;
}

const factor = (percent: Dec | string): Dec => new Dec(100).plus(new Dec(percent)).dividedBy(100);

/**
 * The rate a plan without its own rate charges: the parent level's rate marked up.
 *
 * - Connect fee and per-minute price use the markups of the rate's direction.
 * - The minimum charge follows the PER-MINUTE markup: it stands in for the duration-based price of short
 *   calls (decks usually set it to the price of the first block), so it has to move with that price;
 *   scaling it with the connect markup would let a level with 0% connect / 20% per-minute sell short
 *   calls at its own cost.
 * - Messages use `outboundMessage` in both directions: the API has no inbound message markup, and
 *   leaving inbound messages unmarked would make them the one thing sold at cost.
 * - Everything else (prefix, billing seconds, band, priority, validity) is the parent's.
 *
 * Money.times keeps 6 decimal places at each level; rounding to the plan precision happens only when a
 * call is priced.
 */
export function applyMarkup<R extends RateDefinition>(parentRate: R, markups: MarkupPercents): R {
  const inbound = parentRate.direction === 'inbound';
  const connect = factor(inbound ? markups.inboundConnect : markups.outboundConnect);
  const perMinute = factor(inbound ? markups.inboundPerMinute : markups.outboundPerMinute);
  const message = factor(markups.outboundMessage);
  return {
    ...parentRate,
    connectFee: parentRate.connectFee.times(connect),
    perMinute: parentRate.perMinute.times(perMinute),
    minimumCharge: parentRate.minimumCharge.times(perMinute),
    perMessage: parentRate.perMessage.times(message),
  };
}

/**
 * Marks a rate up through several levels, top first (system owner's markups on the cost rate, then
 * each reseller's below it). Each level rounds to 6 places, exactly as if the levels were applied one
 * by one, so a level's price does not depend on how it was computed.
 */
export function applyMarkupChain<R extends RateDefinition>(costRate: R, levelsTopDown: Iterable<MarkupPercents>): R {
  let rate = costRate;
  for (const markups of levelsTopDown) rate = applyMarkup(rate, markups);
  return rate;
}

/** Up to 5 integer digits and 6 decimals, optional minus; no plus sign, no exponent (like money). */
const PERCENT_PATTERN = /^-?\d{1,5}(\.\d{1,6})?$/;
export const MIN_MARKUP_PERCENT_EXCLUSIVE = -100;
export const MAX_MARKUP_PERCENT = 10000;

/**
 * Validates a markup percentage given as text. Allowed: -100 < p <= 10000, at most 6 decimals.
 * Negative markups (discounts) are allowed because a level may choose to sell below its own price;
 * -100% or less would make calls free or negative, which is never a markup (use a 0 rate for free
 * calls). The 10000% (x101) ceiling only catches typos such as a price typed into a percent field.
 * Returns an error message, or null when the value is acceptable.
 */
export function validateMarkupPercent(text: unknown): string | null {
  if (typeof text !== 'string' || !PERCENT_PATTERN.test(text)) {
    return 'must be a decimal string with at most 6 decimal places, e.g. "20" or "-5.5"';
  }
  const value = new Dec(text);
  if (value.lessThanOrEqualTo(MIN_MARKUP_PERCENT_EXCLUSIVE)) return 'must be greater than -100';
  if (value.greaterThan(MAX_MARKUP_PERCENT)) return `must be at most ${MAX_MARKUP_PERCENT}`;
  return null;
}
