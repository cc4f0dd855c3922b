import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ValidationError, UnsupportedMediaTypeError } from '../errors';
import { textErrors } from './input-checks';

const ACCEPTS_BODY = 'acceptsBody';
/**
 * The media types an API handler reads its body in, when it reads the body itself (`@Req()`), e.g. a CSV
 * upload. Handlers with `@Body()` take `application/json` without saying so; handlers with neither take no body.
 */
export const AcceptsBody = (...types: string[]) => SetMetadata(ACCEPTS_BODY, types);

export const JSON_TYPE = 'application/json';

/** The media type of the request body, lower case and without parameters ('' when absent). */
export function bodyMediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Whether the request carries a body (a non-zero length, or chunked), as body-parser decides it. */
export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
}

/**
 * For every API request (/api/...), after routing: the body is in a media type the handler takes (else 415,
 * naming them), there is one where the handler needs it (else 400), and none where it takes none (a JSON
 * body with fields there is refused like any unknown field). For every request: the path values pass the
 * text rules of input-checks.ts.
 */
@Injectable()
export class BodyMediaTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const paramErrors = textErrors(req.params as unknown);
    if (paramErrors.length) {
      throw new ValidationError(paramErrors.map((d) => `${d.field}: ${d.message}`).join('; '), paramErrors);
    }
    if (!req.path.startsWith('/api/')) return true;
    this.checkMediaType(ctx, req);
    // After the media type: a CSV deck sent as JSON is a 415, not a complaint about its line breaks.
    const bodyErrors = textErrors(req.body);
    if (bodyErrors.length) throw new ValidationError(bodyErrors.map((d) => `${d.field}: ${d.message}`).join('; '), bodyErrors);
    return true;
  }

  private checkMediaType(ctx: ExecutionContext, req: Request): void {
    const accepted = this.accepted(ctx);
    const type = bodyMediaType(req);
    if (!hasBody(req)) {
      // A handler that reads its own body (a CSV upload) says itself what is wrong with an empty one.
      if (accepted.includes(JSON_TYPE) && ['POST', 'PUT', 'PATCH'].includes(req.method)) {
        throw new ValidationError(
          `the request body is empty: send ${describe(accepted)}`,
          [{ field: '(body)', message: 'is required' }],
          'malformed_body',
        );
      }
      return;
    }
    if (accepted.length === 0) {
      // A client that always sends `{}` (or an empty JSON array) is harmless; anything else is a mistake.
      const body = req.body as unknown;
      if (type === JSON_TYPE && isEmptyJson(body)) return;
      if (type === JSON_TYPE && body && typeof body === 'object' && !Array.isArray(body)) {
        const details = Object.keys(body).map((field) => ({ field, message: 'should not exist' }));
        throw new ValidationError(`this endpoint takes no request body: ${details.map((d) => d.field).join(', ')}`, details);
      }
      throw new UnsupportedMediaTypeError('this endpoint takes no request body', [
        { field: 'Content-Type', message: 'no body is taken here' },
      ]);
    }
    if (!accepted.includes(type)) {
      throw new UnsupportedMediaTypeError(
        `the request body must be ${describe(accepted)}${type ? `, not ${type}` : ' (no Content-Type was sent)'}`,
        [{ field: 'Content-Type', message: `must be one of: ${accepted.join(', ')}` }],
      );
    }
  }

  private accepted(ctx: ExecutionContext): string[] {
    const declared = this.reflector.get<string[] | undefined>(ACCEPTS_BODY, ctx.getHandler());
    if (declared) return declared;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctx.getClass(), ctx.getHandler().name) ?? {}) as Record<string, unknown>;
    const takesBody = Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
    return takesBody ? [JSON_TYPE] : [];
  }
}

function describe(types: string[]): string {
  return types.length === 1 ? types[0] : `one of ${types.join(', ')}`;
}

function isEmptyJson(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (Array.isArray(body)) return body.length === 0;
  return typeof body === 'object' && Object.keys(body).length === 0;
}
