import * as fc from 'fast-check';
import { buildPrefixIndex, MAX_PREFIX_LENGTH, PrefixIndex } from './prefix-index';
import { makeRate } from './test-rates';

describe('PrefixIndex', () => {
  const index = new PrefixIndex<string>();
  index.add('49', 'Germany');
  index.add('4930', 'Berlin');
  index.add('4930', 'Berlin nights');
  index.add('49301', 'Berlin 1');
  index.add('1', 'NANP');

  it('returns every matching prefix, longest first', () => {
    expect(index.matches('4930123456')).toEqual([['Berlin 1'], ['Berlin', 'Berlin nights'], ['Germany']]);
    expect(index.matches('4930223456')).toEqual([['Berlin', 'Berlin nights'], ['Germany']]);
    expect(index.matches('4989123456')).toEqual([['Germany']]);
    expect(index.longest('4930223456')).toEqual(['Berlin', 'Berlin nights']);
  });

  it('matches a number equal to a prefix', () => {
    expect(index.matches('4930')).toEqual([['Berlin', 'Berlin nights'], ['Germany']]);
  });

  it('returns [] when nothing matches', () => {
    expect(index.matches('33123456')).toEqual([]);
    expect(index.matches('4')).toEqual([]);
    expect(index.matches('')).toEqual([]);
    expect(index.longest('33')).toEqual([]);
  });

  it('takes digits only: callers strip "+" and formatting first', () => {
    expect(index.matches('+4930123')).toEqual([]);
    expect(index.matches('49 30 123')).toEqual([]);
    expect(index.matches('4930123#')).toEqual([]);
    expect(index.matches('337x')).toEqual([]); // checked even past the last matching digit
  });

  it('handles numbers longer than the longest prefix length', () => {
    const deep = new PrefixIndex<string>();
    deep.add('1'.repeat(MAX_PREFIX_LENGTH), 'deep');
    deep.add('1', 'short');
    expect(deep.matches('1'.repeat(40))).toEqual([['deep'], ['short']]);
    expect(deep.matches('1'.repeat(30) + 'a')).toEqual([]);
  });

  it('rejects empty, non-digit and too long prefixes', () => {
    const i = new PrefixIndex<number>();
    expect(() => i.add('', 1)).toThrow(RangeError);
    expect(() => i.add('+49', 1)).toThrow(RangeError);
    expect(() => i.add('4 9', 1)).toThrow(RangeError);
    expect(() => i.add('1'.repeat(MAX_PREFIX_LENGTH + 1), 1)).toThrow(RangeError);
    expect(i.size).toBe(0);
  });

  it('counts items and distinct prefixes', () => {
    expect(index.size).toBe(5);
    expect(index.prefixCount).toBe(4);
  });

  it('grows past its initial capacity and agrees with a naive scan (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^\d{1,8}$/), { minLength: 0, maxLength: 400 }),
        fc.array(fc.stringMatching(/^\d{0,12}$/), { minLength: 1, maxLength: 30 }),
        (prefixes, numbers) => {
          const idx = new PrefixIndex<number>();
          prefixes.forEach((p, i) => idx.add(p, i));
          for (const n of numbers) {
            const expected: number[][] = [];
            for (let len = n.length; len >= 1; len--) {
              const ids = prefixes.flatMap((p, i) => (p === n.slice(0, len) ? [i] : []));
              if (ids.length > 0) expected.push(ids);
            }
            expect(idx.matches(n)).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps working after compact()', () => {
    const i = new PrefixIndex<number>();
    i.compact();
    i.add('12', 1);
    i.compact();
    i.add('123', 2);
    i.add('9', 3);
    expect(i.matches('1234')).toEqual([[2], [1]]);
    expect(i.matches('95')).toEqual([[3]]);
  });

  it('holds many prefixes', () => {
    const big = new PrefixIndex<number>();
    for (let i = 0; i < 200_000; i++) big.add(String(1_000_000 + i * 7), i);
    expect(big.size).toBe(200_000);
    expect(big.matches('1000007999')).toEqual([[1]]);
    expect(big.matches('1000008')).toEqual([]);
  });
});

describe('buildPrefixIndex', () => {
  it('indexes rates by prefix', () => {
    const de = makeRate({ prefix: '49', destination: 'Germany' });
    const ber = makeRate({ prefix: '4930', destination: 'Berlin' });
    const idx = buildPrefixIndex([de, ber]);
    expect(idx.matches('493012')).toEqual([[ber], [de]]);
    expect(idx.size).toBe(2);
  });
});
