import { ValidationError as ClassValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationError } from '../errors';

function flatten(errors: ClassValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    // class-validator's messages start with the property name ("name must be a string"); the field is
    // already named separately, so drop it there, and only there.
    for (const message of Object.values(e.constraints ?? {})) {
      const named = [`${e.property} `, `property ${e.property} `].find((p) => message.startsWith(p));
      out.push({ field, message: named ? message.slice(named.length) : message });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** Field errors of class-validator, flattened to `{ field, message }` with dotted paths. */
export function fieldErrors(errors: ClassValidationError[]): FieldError[] {
  return flatten(errors);
}

/**
 * Validation for every DTO: unknown fields are refused (a typo must not silently do nothing), no type
 * coercion for JSON bodies (a number where money is a string is a 400).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const details = fieldErrors(errors);
      return new ValidationError(details.map((d) => `${d.field}: ${d.message}`).join('; ') || 'invalid input', details);
    },
  });
}
