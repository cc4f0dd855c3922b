/**
 * Domain errors. Services throw these; `DomainExceptionFilter` maps them to the API's error shape and
 * the pages show them inline. No HTTP types in services.
 *
 * Every error carries a stable machine-readable `code` (returned in the error body next to the message):
 * clients branch on the code, never on the message, whose wording may change. Each class has a default
 * code; a throw site that a client may want to tell apart passes a more specific one. The catalogue
 * below is the complete list (documented in docs/API-ERRORS.md; a test keeps the two in step).
 */
export const ERROR_CODES = {
  // 400
  validation_failed: 'The input is malformed or breaks a field rule; `details` names each field.',
  malformed_body: 'The request body is not valid JSON, not UTF-8, nested deeper than allowed, or missing where one is required.',
  // 401
  unauthenticated: 'No valid login, token or API key.',
  // 403
  forbidden: 'Logged in, but not allowed to do this.',
  csrf_failed: 'A form or cookie-authenticated request without a valid CSRF token.',
  // 404
  not_found: 'The thing does not exist, or is outside the caller’s part of the tree.',
  // 409
  conflict: 'The change conflicts with the current state.',
  already_exists: 'A unique value (name, number, prefix, username, ...) is already taken; `details` names the field.',
  in_use: 'It cannot be deleted or changed while other records use it.',
  already_applied: 'The operation was already carried out (for example a staged rate deck applied twice).',
  already_decided: 'The top-up request was already approved, rejected, paid or failed; `message` says which.',
  status_change_not_allowed: 'The invoice cannot move from its status to the one asked for; `message` names the allowed ones.',
  // 413
  payload_too_large: 'The request body or upload (413), or the request line and headers (431), are larger than allowed.',
  // 415
  unsupported_media_type: 'The request body is in a media type the endpoint does not take; `message` names those it takes.',
  // 422
  business_rule: 'A business rule refused the request; the message says which.',
  no_rate: 'No rate matches the number in the rate plan chain.',
  no_exchange_rate: 'No exchange rate is in force for a currency the operation needs.',
  customer_locked: 'The customer, or one of its ancestors, is locked.',
  insufficient_balance: 'The balance (with the credit limit) cannot pay for it.',
  link_expired: 'A one-time link has expired or was already used.',
  voucher_invalid: 'No voucher with this serial for this account number: the same answer whichever of the two is wrong.',
  voucher_unavailable: 'The voucher was already redeemed, is locked by its issuer, or has expired; the message says which.',
  credit_exceeds_invoice: 'A credit note or payment for more than is left of the invoice (its total less what was credited or paid).',
  voucher_not_allowed: 'The customer’s billing type cannot redeem vouchers (only prepaid, prepaid_calls and prepaid_invoices can).',
  // Call control: the refusal reasons of POST /api/v1/calls/authorize (answered 200 with allowed: false;
  // `no_rate` above is one of them too).
  locked: 'Authorize refused: the customer or one of its ancestors is locked from calls.',
  billing_type: 'Authorize refused: the customer’s billing type (none) does not allow calls.',
  concurrent_limit: 'Authorize refused: the concurrent-call limit of the customer or an ancestor is reached.',
  daily_limit: 'Authorize refused: the daily spend limit of the customer or a charged ancestor is reached.',
  no_credit: 'Authorize refused: the balance of the customer or a charged ancestor (with its credit limit) cannot pay for the call.',
  // 429
  throttled: 'Too many attempts; retry after the `Retry-After` header’s seconds.',
  // 500
  internal_error: 'An unexpected error; the response’s `X-Request-Id` finds it in the log.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  field: string;
  message: string;
  /** The problem's own code (answered on every detail; the error's `code` when a throw site gives none). */
  code?: ErrorCode;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** The stable machine-readable code (see ERROR_CODES). */
  readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details: FieldError[] = [],
    code?: ErrorCode,
  ) {
    super(message);
    this.name = new.target.name;
    this.code = code ?? (new.target as unknown as { defaultCode: ErrorCode }).defaultCode;
  }
  static readonly defaultCode: ErrorCode = 'internal_error';
}

/** 400: the input itself is wrong. */
export class ValidationError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'validation_failed';
  readonly status = 400;
  static field(field: string, message: string): ValidationError {
    return new ValidationError(`${field}: ${message}`, [{ field, message }]);
  }
}
/** 401: not logged in. */
export class UnauthenticatedError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'unauthenticated';
  readonly status = 401;
}
/** 403: logged in but not allowed. */
export class ForbiddenError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'forbidden';
  readonly status = 403;
}
/** 404: does not exist, or is outside the caller's tree. */
export class NotFoundError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'not_found';
  readonly status = 404;
  constructor(what: string) {
    super(`${what} not found`);
  }
}
/** 409: duplicate or wrong state. */
export class ConflictError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'conflict';
  readonly status = 409;
  /** A unique value of `field` is taken (code `already_exists`) or the field conflicts otherwise. */
  static field(field: string, message: string, code: ErrorCode = 'already_exists'): ConflictError {
    return new ConflictError(`${field}: ${message}`, [{ field, message }], code);
  }
}
/** 422: a business rule refused it. */
export class BusinessRuleError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'business_rule';
  readonly status = 422;
}
/** 429: throttled. */
export class ThrottledError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'throttled';
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
  static override readonly defaultCode: ErrorCode = 'payload_too_large';
  readonly status = 413;
}
/** 415: the body is in a media type the endpoint does not take. */
export class UnsupportedMediaTypeError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'unsupported_media_type';
  readonly status = 415;
}
