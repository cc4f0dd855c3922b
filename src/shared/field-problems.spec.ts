import { ConflictError, NotFoundError, ValidationError } from './errors';
import { FieldProblems, FieldProblemsError } from './field-problems';

describe('FieldProblems: every problem of a request in one answer', () => {
  it('answers nothing when there is no problem', () => {
    expect(() => new FieldProblems().throwIfAny()).not.toThrow();
  });

  it('keeps one problem per field (the first), the earlier format problems first', async () => {
    const p = new FieldProblems([{ field: 'email', message: 'must be an email' }]);
    p.add('email', 'is already taken', 'already_exists', 409);
    await p.check('ratePlanId', () => Promise.reject(new NotFoundError('rate plan')), 'is not a plan you can assign');
    expect(p.problems).toEqual([
      { field: 'email', message: 'must be an email', code: 'validation_failed' },
      { field: 'ratePlanId', message: 'is not a plan you can assign', code: 'not_found' },
    ]);
    expect(p.has('email')).toBe(true);
    expect(p.has('name')).toBe(false);
  });

  it('treats a nested field and its parent as the same field for has()', () => {
    const p = new FieldProblems([{ field: 'affiliate.percentage', message: 'bad' }]);
    expect(p.has('affiliate')).toBe(true);
    expect(p.has('affiliate.customerId')).toBe(false);
  });

  it('rethrows a lone error as its thrower made it', () => {
    const p = new FieldProblems();
    const taken = ConflictError.field('username', 'is already taken');
    p.addError(taken, 'username');
    expect(() => p.throwIfAny()).toThrow(taken);
  });

  it('gives a lone error without details its field, keeping its status and message', () => {
    const p = new FieldProblems();
    p.addError(new NotFoundError('rate plan'), 'ratePlanId', 'is not a plan you can assign');
    try {
      p.throwIfAny();
      fail('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(FieldProblemsError);
      expect(err).toMatchObject({ status: 404, code: 'not_found', message: 'rate plan not found' });
      expect((err as FieldProblemsError).details).toEqual([
        { field: 'ratePlanId', message: 'is not a plan you can assign', code: 'not_found' },
      ]);
    }
  });

  it('answers several problems of one code with that code, of several codes with 400 validation_failed', () => {
    const same = new FieldProblems();
    same.addError(ConflictError.field('username', 'is taken'), 'username');
    same.addError(ConflictError.field('accountNumber', 'is taken'), 'accountNumber');
    expect(() => same.throwIfAny()).toThrow(expect.objectContaining({ status: 409, code: 'already_exists' }));

    const mixed = new FieldProblems([{ field: 'email', message: 'must be an email' }]);
    mixed.addError(ConflictError.field('username', 'is taken'), 'username');
    try {
      mixed.throwIfAny();
      fail('no error');
    } catch (err) {
      expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
      expect((err as FieldProblemsError).details.map((d) => d.code)).toEqual(['validation_failed', 'already_exists']);
    }
  });

  it('throws anything that is not a DomainError on', async () => {
    const p = new FieldProblems();
    await expect(p.check('x', () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
    expect(() => p.addError(new ValidationError('fine'), 'x')).not.toThrow();
  });
});
