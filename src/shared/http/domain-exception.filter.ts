import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode, FieldError, ThrottledError } from '../errors';
import type { ErrorPages } from './error-pages';
import { BodyError } from './input-checks';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  /** Stable machine-readable code (ERROR_CODES in src/shared/errors.ts). */
  code: ErrorCode;
  message: string;
  details: FieldError[];
}

/**
 * One entry per field (issue #14), each with its code: the messages of a field that broke several rules are
 * joined, and a detail without a code of its own gets the error's.
 */
export function detailsPerField(details: readonly FieldError[], code: ErrorCode): Required<FieldError>[] {
  const out = new Map<string, Required<FieldError>>();
  for (const d of details) {
    const seen = out.get(d.field);
    if (!seen) out.set(d.field, { field: d.field, message: d.message, code: d.code ?? code });
    else if (!seen.message.split('; ').includes(d.message)) seen.message = `${seen.message}; ${d.message}`;
  }
  return [...out.values()];
}

/** The code of an error that is not a DomainError (framework and middleware errors), by status. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'business_rule',
  429: 'throttled',
};
const codeFor = (status: number): ErrorCode => CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'validation_failed');

/** Express middleware errors by their `type`: what the client is told (never the parser's own text). */
const MIDDLEWARE_ERRORS: Record<string, { message: string; code: ErrorCode } | undefined> = {
  'entity.parse.failed': { message: 'request body is not valid JSON', code: 'malformed_body' },
  'entity.too.large': { message: 'request body too large', code: 'payload_too_large' },
  'parameters.too.many': { message: 'request body has too many form fields', code: 'payload_too_large' },
  'querystring.parse.rangeError': { message: 'form body is nested too deep', code: 'malformed_body' },
  'charset.unsupported': { message: 'unsupported charset: send UTF-8', code: 'unsupported_media_type' },
  'encoding.unsupported': { message: 'unsupported content encoding', code: 'unsupported_media_type' },
  'request.aborted': { message: 'request body was not received completely', code: 'malformed_body' },
  'request.size.invalid': { message: 'request body length does not match Content-Length', code: 'malformed_body' },
};

/** Maps an exception to API.md's error shape. Unknown errors become a bare 500 with no internals. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    return {
      statusCode: exception.status,
      error: REASON[exception.status] ?? 'Error',
      code: exception.code,
      message: exception.message,
      details: detailsPerField(exception.details, exception.code),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse() as { message?: unknown; details?: FieldError[] } | string;
    let message = typeof response === 'string' ? response : exception.message;
    let details: FieldError[] = [];
    if (typeof response === 'object' && response) {
      if (Array.isArray(response.details)) details = response.details;
      if (typeof response.message === 'string') message = response.message;
      else if (Array.isArray(response.message)) message = response.message.join('; ');
    }
    // body-parser errors (malformed JSON, too large) arrive as HttpException with their own text.
    const malformed = status === 400 && /JSON/i.test(message);
    if (malformed) message = 'request body is not valid JSON';
    const code = malformed ? 'malformed_body' : codeFor(status);
    return { statusCode: status, error: REASON[status] ?? 'Error', code, message, details: detailsPerField(details, code) };
  }
  const status = (exception as { status?: number; statusCode?: number })?.status ?? (exception as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Errors thrown by express middleware: body-parser's (malformed JSON, too large, bad charset), the
    // router's (a path that is not percent-encoded UTF-8) and input-checks.ts's (not UTF-8, too deep).
    const type = (exception as { type?: string }).type ?? '';
    const known = MIDDLEWARE_ERRORS[type];
    const message = known?.message ?? (exception instanceof BodyError ? exception.message : 'bad request');
    const code = known?.code ?? (exception instanceof BodyError ? 'malformed_body' : codeFor(status));
    return { statusCode: status, error: REASON[status] ?? 'Error', code, message, details: [] };
  }
  return { statusCode: 500, error: REASON[500], code: 'internal_error', message: 'internal error', details: [] };
}

@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  /** `pages` renders error pages in the layout; without it (unit tests) they are rendered bare. */
  constructor(private readonly pages?: ErrorPages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = toErrorBody(exception);
    // pino-http logs the request once when it ends: with `res.err`, at error level with the stack and the
    // request id (see request-log.ts); a client error is an ordinary request line at info, no stack.
    if (body.statusCode >= 500) res.err = exception instanceof Error ? exception : new Error(String(exception));
    if (exception instanceof ThrottledError) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    if (res.headersSent) return;
    // Pages get an HTML error page; the JSON API gets the JSON shape.
    if (!req.path.startsWith('/api/') && req.accepts(['html', 'json']) === 'html' && body.statusCode !== HttpStatus.UNAUTHORIZED) {
      if (this.pages) {
        // If the page itself fails (a broken template, the database gone), the bare page still answers.
        this.pages.render(req, res, body).catch(() => {
          if (!res.headersSent) res.status(body.statusCode).render('errors/error', { layout: 'layouts/main', title: body.error, error: body });
        });
      } else res.status(body.statusCode).render('errors/error', { layout: 'layouts/main', title: body.error, error: body });
      return;
    }
    if (!req.path.startsWith('/api/') && body.statusCode === HttpStatus.UNAUTHORIZED && req.method === 'GET') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.status(body.statusCode).json(body);
  }
}
