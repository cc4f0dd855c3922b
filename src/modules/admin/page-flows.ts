/**
 * What the admin pages do after a POST: show the form again with inline errors, or go on (redirect, or
 * an answer page); and turn a refused button action (delete, retry...) into a flash message.
 */
import type { Response } from 'express';
import { DomainError } from '../../shared/errors';
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
}

/**
 * The POST of a form: validates `values` against the DTO class, then runs `save` with the valid DTO
 * (`save` redirects, or renders the answer page). Invalid input shows the form again with 400; a refusal
 * (a DomainError thrown by `save`) shows it with the error's messages and status; anything else is thrown on.
 */
export async function submitForm<T extends object>(
  dtoClass: new () => T,
  values: Record<string, unknown>,
  rerender: Rerender,
  save: (dto: T) => Promise<void>,
  options: SubmitOptions = {},
): Promise<void> {
  const checked = await validateForm(dtoClass, values);
  const errors = options.required ? requireFilled(values, options.required, checked.errors) : checked.errors;
  if (errors || !checked.dto) return rerender(options.invalid ? options.invalid(errors ?? {}) : (errors ?? {}), 400);
  try {
    await save(checked.dto);
  } catch (err) {
    return rerender((options.refused ?? formErrors)(err), statusOf(err));
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
