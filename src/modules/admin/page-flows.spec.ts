import { IsEmail, IsOptional, IsString, MinLength } from 'class-validator';
import { BusinessRuleError, ConflictError, type FieldError, NotFoundError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import type { FormErrors } from './admin-page';
import { refusal, requireFilled, submitForm } from './page-flows';

class WidgetDto {
  @IsOptional() @IsString() @MinLength(3) name?: string;
}

/** A submitForm call that records what it did. */
async function submit(values: Record<string, unknown>, save: (dto: WidgetDto) => Promise<void>, options = {}) {
  const shown: { errors: FormErrors; status: number }[] = [];
  const saved: WidgetDto[] = [];
  await submitForm(
    WidgetDto,
    values,
    async (errors, status) => {
      shown.push({ errors, status });
    },
    async (dto) => {
      saved.push(dto);
      await save(dto);
    },
    options,
  );
  return { shown, saved };
}

describe('submitForm', () => {
  it('saves a valid form and shows nothing again', async () => {
    const { shown, saved } = await submit({ name: 'Acme' }, async () => {});
    expect(saved).toEqual([expect.objectContaining({ name: 'Acme' })]);
    expect(shown).toEqual([]);
  });

  it('shows invalid input again with 400 and does not save', async () => {
    const { shown, saved } = await submit({ name: 'Ac' }, async () => {});
    expect(saved).toEqual([]);
    expect(shown).toEqual([{ errors: { name: 'Must be longer than or equal to 3 characters.' }, status: 400 }]);
  });

  it('refuses an emptied required field, also when the DTO would allow it', async () => {
    const { shown, saved } = await submit({}, async () => {}, { required: ['name'] });
    expect(saved).toEqual([]);
    expect(shown).toEqual([{ errors: { name: 'This field is required.' }, status: 400 }]);
  });

  it('lets `invalid` adjust the validation errors', async () => {
    const { shown } = await submit({ name: 'Ac' }, async () => {}, { invalid: (e: FormErrors) => ({ ...e, _form: 'Check the name.' }) });
    expect(shown[0].errors._form).toBe('Check the name.');
  });

  it("shows a refusal again with the error's messages and status", async () => {
    const { shown } = await submit({ name: 'Acme' }, async () => {
      throw ConflictError.field('name', 'this name is taken');
    });
    expect(shown).toEqual([{ errors: { name: 'This name is taken.' }, status: 409 }]);
    const rule = await submit({ name: 'Acme' }, async () => {
      throw new BusinessRuleError('not now');
    });
    expect(rule.shown).toEqual([{ errors: { _form: 'Not now.' }, status: 422 }]);
  });

  it('lets `refused` turn a refusal into errors', async () => {
    const { shown } = await submit(
      { name: 'Acme' },
      async () => {
        throw new BusinessRuleError('not now');
      },
      { refused: () => ({ _form: 'Custom.' }) },
    );
    expect(shown).toEqual([{ errors: { _form: 'Custom.' }, status: 422 }]);
  });

  it('throws on anything that is not a DomainError', async () => {
    await expect(
      submit({ name: 'Acme' }, async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
  });
});

describe('requireFilled', () => {
  it('adds "required" for missing or null fields and keeps messages already there', () => {
    expect(requireFilled({ a: 'x', b: null }, ['a', 'b', 'c'], null)).toEqual({
      b: 'This field is required.',
      c: 'This field is required.',
    });
    expect(requireFilled({}, ['a'], { a: 'Too short.' })).toEqual({ a: 'Too short.' });
    expect(requireFilled({ a: 'x' }, ['a'], null)).toBeNull();
  });
});

describe('refusal', () => {
  it('turns a DomainError into an error flash; a 404 or another error is thrown on', () => {
    expect(refusal(new BusinessRuleError('it is in use'), 'X was not deleted')).toEqual({
      kind: 'error',
      text: 'X was not deleted: it is in use.',
    });
    expect(() => refusal(new NotFoundError('widget'), 'X')).toThrow(NotFoundError);
    expect(() => refusal(new Error('boom'), 'X')).toThrow('boom');
  });
});

class ContactDto {
  @IsOptional() @IsString() @MinLength(3) name?: string;
  @IsOptional() @IsEmail() email?: string;
}

describe('submitForm with checkAll: every error in one round', () => {
  /** A use case that says the name is taken, after the format problems it was given. */
  const useCase = async (dto: ContactDto, problems: FieldError[]) => {
    const all = new FieldProblems(problems);
    if (dto.name === 'Taken') all.addError(ConflictError.field('name', 'is already taken'), 'name');
    all.throwIfAny();
  };

  it('gives the use case the well-formed fields and the format problems, and shows both kinds together', async () => {
    const shown: { errors: FormErrors; status: number }[] = [];
    const seen: { dto: ContactDto; problems: FieldError[] }[] = [];
    await submitForm(
      ContactDto,
      { name: 'Taken', email: 'not an email' },
      async (errors, status) => {
        shown.push({ errors, status });
      },
      async (dto, problems) => {
        seen.push({ dto: { ...dto }, problems });
        await useCase(dto, problems);
      },
      { checkAll: true },
    );
    // The badly formed email is not passed on as a value, only as a problem.
    expect(seen).toEqual([
      { dto: { name: 'Taken' }, problems: [{ field: 'email', message: 'Must be an email.', code: 'validation_failed' }] },
    ]);
    expect(shown).toEqual([{ errors: { name: 'Is already taken.', email: 'Must be an email.' }, status: 400 }]);
  });

  it('without checkAll, format errors still stop before the use case', async () => {
    let called = false;
    const shown: FormErrors[] = [];
    await submitForm(
      ContactDto,
      { name: 'Taken', email: 'x' },
      async (errors) => {
        shown.push(errors);
      },
      async () => {
        called = true;
      },
    );
    expect(called).toBe(false);
    expect(Object.keys(shown[0])).toEqual(['email']);
  });
});
