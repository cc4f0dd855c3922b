/**
 * Domain errors. Services throw these; `DomainExceptionFilter` maps them to API.md's error shape and
 * the pages show them inline. No HTTP types in services.
 */
export interface FieldError {
  field: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the input itself is wrong. */
export class ValidationError extends DomainError {
  readonly status = 400;
  static field(field: string, message: string): ValidationError {
    return new ValidationError(`${field}: ${message}`, [{ field, message }]);
  }
}
/** 401: not logged in. */
export class UnauthenticatedError extends DomainError {
  readonly status = 401;
}
/** 403: logged in but not allowed. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
}
/** 404: does not exist, or is outside the caller's tree. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(what: string) {
    super(`${what} not found`);
  }
}
/** 409: duplicate or wrong state. */
export class ConflictError extends DomainError {
  readonly status = 409;
  static field(field: string, message: string): ConflictError {
    return new ConflictError(`${field}: ${message}`, [{ field, message }]);
  }
}
/** 422: a business rule refused it. */
export class BusinessRuleError extends DomainError {
  readonly status = 422;
}
/** 429: throttled. */
export class ThrottledError extends DomainError {
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
/** 413: the upload is larger than allowed. */
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
}
