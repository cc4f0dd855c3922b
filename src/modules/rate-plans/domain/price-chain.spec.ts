import { priceChain, type ChainLevel } from './price-chain';

const level = (customerId: number, perMinute: string, price: string | null, currency = 'EUR', cost = false): ChainLevel => ({
  customerId,
  currency,
  perMinute,
  connectFee: '0.00',
  price,
  cost,
});

describe('priceChain', () => {
  it('gives each seller its cost, its price and its margin, top first, in exact decimals', () => {
    const steps = priceChain([level(9, '2.64', '2.64'), level(5, '2.40', '2.40'), level(1, '2.000001', '2.000001', 'EUR', true)]);
    expect(steps.map((s) => [s.seller.customerId, s.buyer.customerId, s.perMinute.cost, s.perMinute.price, s.perMinute.margin])).toEqual([
      [1, 5, '2.000001', '2.40', '0.399999'],
      [5, 9, '2.40', '2.64', '0.24'],
    ]);
    expect(steps[1].call).toEqual({ cost: '2.40', price: '2.64', margin: '0.24', negative: false });
  });

  it('flags a loss, and computes no margin across currencies or without a duration', () => {
    const [loss] = priceChain([level(9, '1.90', null), level(5, '2.00', null)]);
    expect(loss.perMinute).toEqual({ cost: '2.00', price: '1.90', margin: '-0.10', negative: true });
    expect(loss.call).toEqual({ cost: null, price: null, margin: null, negative: false });
    const [converted] = priceChain([level(9, '2.42', '2.42', 'USD'), level(1, '2.00', '2.00', 'EUR', true)]);
    expect(converted).toMatchObject({ sameCurrency: false, perMinute: { cost: '2.00', price: '2.42', margin: null } });
  });

  it('has no step for a single level (a customer that sells to nobody)', () => {
    expect(priceChain([level(9, '2.64', '2.64')])).toEqual([]);
  });
});
