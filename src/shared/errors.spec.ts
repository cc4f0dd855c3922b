import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BusinessRuleError,
  ConflictError,
  ERROR_CODES,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ThrottledError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';

describe('error codes', () => {
  it('every class has its default code, and a throw site can name a more specific one', () => {
    expect(new ValidationError('x').code).toBe('validation_failed');
    expect(ValidationError.field('name', 'is required').code).toBe('validation_failed');
    expect(new UnauthenticatedError('x').code).toBe('unauthenticated');
    expect(new ForbiddenError('x').code).toBe('forbidden');
    expect(new NotFoundError('customer').code).toBe('not_found');
    expect(new ConflictError('x').code).toBe('conflict');
    expect(ConflictError.field('prefix', 'is taken').code).toBe('already_exists');
    expect(ConflictError.field('reseller', 'has children', 'in_use').code).toBe('in_use');
    expect(new BusinessRuleError('x').code).toBe('business_rule');
    expect(new BusinessRuleError('x', [], 'no_rate').code).toBe('no_rate');
    expect(new ThrottledError('x', 5).code).toBe('throttled');
    expect(new PayloadTooLargeError('x').code).toBe('payload_too_large');
    expect(new UnsupportedMediaTypeError('x').code).toBe('unsupported_media_type');
  });

  it('docs/API-ERRORS.md lists exactly the codes of ERROR_CODES', () => {
    const doc = readFileSync(join(__dirname, '../../docs/API-ERRORS.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
