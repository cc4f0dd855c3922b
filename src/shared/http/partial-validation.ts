import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { type FieldError, ValidationError } from '../errors';
import { fieldErrors } from './validation.pipe';

/**
 * Validates a body against a DTO class like the global pipe does (unknown fields refused, no coercion),
 * but does not stop there: it answers the DTO with the well-formed fields only (every top-level field
 * with a problem is left out) and the problems, so that a use case can still run the business checks of
 * the fields that are fine and answer everything at once (issue #14, see FieldProblems).
 *
 * Endpoints that do this take `@Body() body: JsonBody` (the pipe leaves a plain object type alone) and
 * declare the DTO with `@ApiBody({ type: Dto })` for the document.
 */
export type JsonBody = Record<string, unknown>;

export async function validatePartial<T extends object>(cls: new () => T, body: unknown): Promise<{ dto: T; problems: FieldError[] }> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('the request body must be a JSON object', [{ field: '(body)', message: 'must be a JSON object' }]);
  }
  const dto = plainToInstance(cls, body, { enableImplicitConversion: false });
  const found = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  const problems: FieldError[] = [];
  for (const p of fieldErrors(found)) {
    if (!problems.some((q) => q.field === p.field)) problems.push({ ...p, code: 'validation_failed' });
  }
  for (const p of problems) delete (dto as Record<string, unknown>)[p.field.split('.')[0]];
  return { dto, problems };
}
