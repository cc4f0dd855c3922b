import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { BusinessRuleError, ConflictError, ValidationError } from '../../shared/errors';
import {
  fieldPaths,
  formErrors,
  navItems,
  pageFromQuery,
  pageLinks,
  readField,
  readForm,
  safeLocalPath,
  validateForm,
  withUnplacedErrors,
} from './admin-page';

describe('fieldPaths', () => {
  it('names every field of a schema, nested ones with a dot', () => {
    expect(fieldPaths({ name: 'text', fees: { signup: 'decimal?', account: 'decimal?' }, taxIds: 'int[]' })).toEqual([
      'name',
      'fees.signup',
      'fees.account',
      'taxIds',
    ]);
  });
});

describe('readForm', () => {
  it('turns a urlencoded body into DTO-shaped values', () => {
    const body = {
      _csrf: 'token',
      name: '  Acme  ',
      description: '',
      lockedWeb: 'on',
      directory: undefined,
      sendInvoices: 'false',
      externalCallerId: '',
      count: '12',
      limit: '',
      bad: '1.5',
      taxIds: ['3', '7'],
      one: '4',
      creditLimit: '10.50',
      address: { city: ' Leeds ', country: '' },
      extra: 'dropped',
    };
    const out = readForm(body, {
      name: 'text',
      description: 'text?',
      lockedWeb: 'bool',
      directory: 'bool',
      sendInvoices: 'bool?',
      externalCallerId: 'bool?',
      count: 'int',
      limit: 'int?',
      bad: 'int',
      taxIds: 'int[]',
      one: 'int[]',
      none: 'int[]',
      creditLimit: 'decimal',
      address: { city: 'text?', country: 'enum?' },
      missingText: 'text',
    });
    expect(out).toEqual({
      name: 'Acme',
      description: null,
      lockedWeb: true,
      directory: false,
      sendInvoices: false,
      externalCallerId: null,
      count: 12,
      limit: null,
      bad: '1.5',
      taxIds: [3, 7],
      one: [4],
      none: [],
      creditLimit: '10.50',
      address: { city: 'Leeds', country: null },
    });
    expect('missingText' in out).toBe(false);
    expect('_csrf' in out).toBe(false);
  });

  it('never turns money into a JS number and takes the last of repeated single values', () => {
    expect(readField('0.1', 'decimal')).toBe('0.1');
    expect(readField(['a', 'b'], 'text')).toBe('b');
    expect(readField({ nested: 'x' }, 'text')).toBeUndefined();
    expect(readField('99999999999999999999', 'int')).toBe('99999999999999999999');
  });
});

class AddressDto {
  @IsOptional() @IsString() city?: string | null;
}
class SampleDto {
  @IsString() name: string;
  @IsInt() @Min(1) count: number;
  @IsOptional() @ValidateNested() @Type(() => AddressDto) address?: AddressDto;
}

describe('validateForm', () => {
  it('answers the DTO when valid', async () => {
    const r = await validateForm(SampleDto, { name: 'x', count: 2, address: { city: 'York' } });
    expect(r.errors).toBeNull();
    expect(r.dto).toBeInstanceOf(SampleDto);
  });
  it('answers one message per field path, "required" for missing fields', async () => {
    const r = await validateForm(SampleDto, { count: 0, address: { city: 5 }, unknown: 1 });
    expect(r.dto).toBeNull();
    expect(r.errors).toEqual({
      name: 'This field is required.',
      count: 'Must not be less than 1.',
      'address.city': 'Must be a string.',
      unknown: 'Should not exist.',
    });
  });
});

describe('formErrors', () => {
  it('places field details and keeps a general message', () => {
    expect(formErrors(ConflictError.field('accountNumber', 'is already used'))).toEqual({ accountNumber: 'Is already used.' });
    expect(formErrors(new BusinessRuleError('customers can only be added under a reseller'))).toEqual({
      _form: 'Customers can only be added under a reseller.',
    });
    expect(
      formErrors(
        new ValidationError('x', [
          { field: 'a', message: 'bad' },
          { field: 'a', message: 'worse' },
        ]),
      ),
    ).toEqual({ a: 'Bad.' });
  });
  it('rethrows what is not a domain error', () => {
    expect(() => formErrors(new Error('boom'))).toThrow('boom');
  });
  it('moves errors the form cannot show to the top', () => {
    expect(withUnplacedErrors({ name: 'A.', parentId: 'B.', _form: 'C.' }, ['name'])).toEqual({ name: 'A.', _form: 'C. parentId: B.' });
  });
});

describe('pageLinks', () => {
  const req = (query: Record<string, unknown>) => ({ path: '/customers', query });
  it('keeps the other parameters and shows first, last and the neighbours', () => {
    const p = pageLinks(5, 10, 200, req({ search: 'a b', page: '5', includeDeleted: 'on' }));
    expect(p.pages.map((x) => x.n)).toEqual([1, 3, 4, 5, 6, 7, 20]);
    expect(p.gapsAfter).toEqual([1, 7]);
    expect(p.prevUrl).toBe('/customers?search=a+b&includeDeleted=on&page=4');
    expect(p.pages[0].url).toBe('/customers?search=a+b&includeDeleted=on');
    expect(p.nextUrl).toBe('/customers?search=a+b&includeDeleted=on&page=6');
    expect([p.from, p.to, p.total, p.lastPage]).toEqual([41, 50, 200, 20]);
  });
  it('handles an empty list and a page past the end', () => {
    const empty = pageLinks(1, 25, 0, req({}));
    expect([empty.from, empty.to, empty.lastPage, empty.nextUrl, empty.prevUrl]).toEqual([0, 0, 1, null, null]);
    expect(empty.beyondEnd).toBe(false);
    // Past the end of a list that has rows: no "31–30 of 30", but a way to the last page.
    const past = pageLinks(9, 25, 30, req({ search: 'x', page: '9' }));
    expect(past.nextUrl).toBeNull();
    expect(past.prevUrl).toBe('/customers?search=x&page=2');
    expect([past.beyondEnd, past.from, past.to, past.lastPage, past.lastUrl]).toEqual([true, 0, 0, 2, '/customers?search=x&page=2']);
    const last = pageLinks(2, 25, 30, req({}));
    expect([last.beyondEnd, last.from, last.to]).toEqual([false, 26, 30]);
  });
  it('reads ?page= leniently', () => {
    expect(pageFromQuery('3')).toBe(3);
    expect(pageFromQuery('0')).toBe(1);
    expect(pageFromQuery('-2')).toBe(1);
    expect(pageFromQuery('abc')).toBe(1);
    expect(pageFromQuery(['2'])).toBe(1);
  });
});

describe('safeLocalPath', () => {
  it('accepts local paths only', () => {
    expect(safeLocalPath('/customers?search=x')).toBe('/customers?search=x');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'evil', '/x\\y', '/a\nb', undefined, 5]) {
      expect(safeLocalPath(bad)).toBe('/');
    }
  });
});

describe('navItems', () => {
  it('marks the section of the current page', () => {
    const active = (path: string) =>
      navItems(path)
        .filter((i) => i.active)
        .map((i) => i.label);
    expect(active('/')).toEqual(['Dashboard']);
    expect(active('/customers/5/edit')).toEqual(['Customers']);
    expect(active('/outbox')).toEqual(['Sent mail']);
    expect(active('/customersx')).toEqual([]);
  });

  it('offers a customer that is not a reseller no customers, and its own numbers', () => {
    const items = navItems('/customers/7/numbers', false, { id: 7, canHaveCustomers: false });
    expect(items.map((i) => i.label)).not.toEqual(expect.arrayContaining(['Customers']));
    expect(items.map((i) => i.label)).not.toEqual(expect.arrayContaining(['Requests']));
    expect(items.find((i) => i.label === 'Numbers')).toMatchObject({ href: '/customers/7/numbers', active: true });
    const reseller = navItems('/numbers', false, { id: 8, canHaveCustomers: true });
    expect(reseller.find((i) => i.label === 'Numbers')).toMatchObject({ href: '/numbers', active: true });
    expect(reseller.map((i) => i.label)).toEqual(expect.arrayContaining(['Customers', 'Requests']));
  });
});
