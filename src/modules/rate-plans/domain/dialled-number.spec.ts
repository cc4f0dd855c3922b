import { normaliseDialledNumber } from './dialled-number';

describe('normaliseDialledNumber', () => {
  it.each([
    ['442079460000', '442079460000'],
    ['+442079460000', '442079460000'],
    ['+44 20 7946 0000', '442079460000'],
    ['+44 (20) 7946-0000', '442079460000'],
    ['0044 20 7946 0000', '442079460000'],
    ['00442079460000', '442079460000'],
    ['+44 (0)20 7946 0000', '442079460000'],
    ['0044 (0) 20 7946 0000', '442079460000'],
    ['+1 (212) 555-0100', '12125550100'],
    ['+49.30.1234/56', '4930123456'],
    ['  +49 30 123456  ', '4930123456'],
    // National numbers keep their digits: they are not turned into international ones here.
    ['020 7946 0000', '02079460000'],
    ['(020) 7946 0000', '02079460000'],
    ['1'.repeat(32), '1'.repeat(32)],
  ])('%s → %s', (input, digits) => {
    expect(normaliseDialledNumber(input)).toBe(digits);
  });

  it.each([
    [''],
    ['   '],
    ['+'],
    ['00'],
    ['()'],
    ['abc'],
    ['49a123'],
    ['49+123'],
    ['++49123'],
    ['+44 (20 7946 0000'],
    ['+44 20) 7946 0000'],
    ['+44 ((20)) 7946'],
    ['+44 (2-0) 7946'],
    ['1'.repeat(33)],
    ['+49\u0000123'],
    ['４９１２３'], // full-width digits are not ASCII digits
  ])('refuses %j', (input) => {
    expect(normaliseDialledNumber(input)).toBeNull();
  });
});
