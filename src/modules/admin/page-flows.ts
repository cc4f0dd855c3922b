/**
 * What the admin pages do after a POST: show the form again with inline errors, or go on (redirect, or
 * an answer page); and turn a refused button action (delete, retry...) into a flash message.
 */
import type { Response } from 'express';
import { DomainError, type FieldError } from '../../shared/errors';
import { textErrors } from '../../shared/http/input-checks';
import { validatePartial } from '../../shared/http/partial-validation';
import { formErrors, statusOf, validateForm, type FormErrors } from './admin-page';

/** Shows the form again with `errors` inline and the given HTTP status (and what was typed kept). */
export type Rerender = (errors: FormErrors, status: number) => Promise<void>;

export interface SubmitOptions {
  /** Fields that must not be emptied (edit forms whose DTO reads a left-out field as "unchanged"). */
  required?: readonly string[];
  /** Adjusts the validation errors before they are shown (e.g. friendlier hints for form-only parts). */
  invalid?: (errors: FormErrors) => FormErrors;
  /** Inline errors for a refusal of `save` (default: `formErrors`). */
  refused?: (err: unknown) => FormErrors;
  /**
   * Every error in one round (issue #14): `save`'s use case takes the format problems and runs its own checks
   * on the well-formed rest (FieldProblems in src/shared/field-problems.ts). `save` is then called even when
   * the format is wrong, with the DTO of the well-formed fields and the problems, and must throw (the use
   * case's combined error) when there are any; the form shows the format errors and the use case's together.
   */
  checkAll?: boolean;
}

/**
 * The POST of a form: validates `values` against the DTO class, then runs `save` with the valid DTO
 * (`save` redirects, or renders the answer page). Invalid input shows the form again with 400; a refusal
 * (a DomainError thrown by `save`) shows it with the error's messages and status; anything else is thrown on.
 * With `checkAll`, invalid input goes to `save` too (see SubmitOptions.checkAll).
 */
export async function submitForm<T extends object>(
  dtoClass: new () => T,
  values: Record<string, unknown>,
  rerender: Rerender,
  save: (dto: T, problems: FieldError[]) => Promise<void>,
  options: SubmitOptions = {},
): Promise<void> {
  const checked = await validateForm(dtoClass, values);
  const errors = options.required ? requireFilled(values, options.required, checked.errors) : checked.errors;
  const shown = errors ? (options.invalid ? options.invalid(errors) : errors) : null;
  let dto = checked.dto;
  // Text that breaks the input rules (control characters...) is not looked at any further, as in the API.
  if (shown && options.checkAll && textErrors(values).length === 0) dto = (await validatePartial(dtoClass, values)).dto;
  if (shown && (!options.checkAll || !dto)) return rerender(shown, 400);
  if (!dto) return rerender({}, 400); // unreachable: valid input has a DTO
  const problems: FieldError[] = Object.entries(errors ?? {}).map(([field, message]) => ({ field, message, code: 'validation_failed' }));
  for (const field of Object.keys(errors ?? {})) delete (dto as Record<string, unknown>)[field.split('.')[0]];
  try {
    await save(dto, problems);
  } catch (err) {
    // The form's own wording of a format error wins over the use case's copy of it.
    return rerender({ ...(options.refused ?? formErrors)(err), ...(shown ?? {}) }, statusOf(err));
  }
}

/** For edit forms whose DTO treats a left-out field as "unchanged": an emptied required field is an error. */
export function requireFilled(values: Record<string, unknown>, fields: readonly string[], errors: FormErrors | null): FormErrors | null {
  let out = errors;
  for (const f of fields) {
    if (values[f] === undefined || values[f] === null) out = { ...(out ?? {}), [f]: out?.[f] ?? 'This field is required.' };
  }
  return out;
}

/** A refusal that the page shows as a flash message on the page it goes back to (404 is the error page). */
export function refusal(err: unknown, prefix: string): { kind: 'error'; text: string } {
  if (!(err instanceof DomainError) || err.status === 404) throw err;
  return { kind: 'error', text: `${prefix}: ${err.message}.` };
}

/** Pages that carry a secret shown once must not be kept in any cache (nor restored by "Back"). */
export function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
}
