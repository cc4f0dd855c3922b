import { Money } from '../../../shared/money';

/** What the chain needs of a price-lookup level (the API's PriceLevelDto: money as decimal strings). */
export interface ChainLevel {
  customerId: number;
  currency: string | null;
  perMinute: string | null;
  connectFee: string | null;
  price: string | null;
  cost: boolean;
}

/** One seller of the chain: what it pays for the call (its cost), what it charges the level below (its price), the difference. */
export interface ChainStep<L extends ChainLevel> {
  seller: L;
  buyer: L;
  currency: string | null;
  /** false when seller and buyer price in different currencies: no margin is computed (it would need a rate). */
  sameCurrency: boolean;
  perMinute: Margin;
  connectFee: Margin;
  /** Of the call (the lookup's duration); all null without one. */
  call: Margin;
}

export interface Margin {
  cost: string | null;
  price: string | null;
  margin: string | null;
  negative: boolean;
}

/**
 * The margins along a price lookup's levels (the customer first, then each level above, the cost last):
 * every level that has a level below it sells to that level. Its cost is its own rate (what it pays the
 * level above it, or for the cost level the carriers), its price is the rate of the level below. Exact
 * decimals; nothing is rounded beyond the rates themselves.
 */
export function priceChain<L extends ChainLevel>(levels: readonly L[]): Array<ChainStep<L>> {
  const steps: Array<ChainStep<L>> = [];
  for (let i = levels.length - 1; i >= 1; i--) {
    const seller = levels[i];
    const buyer = levels[i - 1];
    const sameCurrency = seller.currency !== null && seller.currency === buyer.currency;
    steps.push({
      seller,
      buyer,
      currency: seller.currency,
      sameCurrency,
      perMinute: margin(seller.perMinute, buyer.perMinute, sameCurrency),
      connectFee: margin(seller.connectFee, buyer.connectFee, sameCurrency),
      call: margin(seller.price, buyer.price, sameCurrency),
    });
  }
  return steps;
}

function margin(cost: string | null, price: string | null, sameCurrency: boolean): Margin {
  if (cost === null || price === null || !sameCurrency) return { cost, price, margin: null, negative: false };
  const m = Money.of(price).minus(Money.of(cost));
  return { cost, price, margin: m.toString(), negative: m.isNegative() };
}
