import { expandNumberRange, retiredIdentifier } from './identifiers';

describe('expandNumberRange', () => {
  it('expands an inclusive range and keeps leading zeros', () => {
    expect(expandNumberRange('0201998', '0202001')).toEqual({ ok: true, numbers: ['0201998', '0201999', '0202000', '0202001'] });
    expect(expandNumberRange('555', '555')).toEqual({ ok: true, numbers: ['555'] });
  });

  it('is exact for 20-digit numbers', () => {
    const r = expandNumberRange('99999999999999999998', '99999999999999999999');
    expect(r).toEqual({ ok: true, numbers: ['99999999999999999998', '99999999999999999999'] });
  });

  it('refuses bad bounds, reversed ranges, different lengths and too many numbers', () => {
    expect(expandNumberRange('12a', '123')).toMatchObject({ ok: false, field: 'from' });
    expect(expandNumberRange('+4420', '4421')).toMatchObject({ ok: false, field: 'from' });
    expect(expandNumberRange('123', '12')).toMatchObject({ ok: false, field: 'to' });
    expect(expandNumberRange('200', '100')).toMatchObject({ ok: false, field: 'to', message: 'must not be below from' });
    expect(expandNumberRange('100', '0200')).toMatchObject({ ok: false, field: 'to' });
    expect(expandNumberRange('10000', '20000')).toMatchObject({ ok: false, field: 'to' });
    expect(expandNumberRange('10000', '19999')).toMatchObject({ ok: true });
  });
});

describe('retiredIdentifier', () => {
  it('prefixes the id and fits the column', () => {
    expect(retiredIdentifier(7, 'alice', 64)).toBe('#7#alice');
    expect(retiredIdentifier(123, 'x'.repeat(100), 100)).toHaveLength(100);
  });
});
