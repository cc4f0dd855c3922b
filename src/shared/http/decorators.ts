import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Scope } from '../scope';

export const IS_PUBLIC = 'isPublic';
/**
 * No login needed (login, health, docs, set-password link). The OpenAPI document marks the operation
 * `security: []` (src/openapi.ts reads the `x-public` extension).
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension('x-public', true));

export const ALLOW_USERS = 'allowUsers';
/**
 * By default only administrators may change things (any method but GET/HEAD). Mark a handler that an
 * ordinary user may call to change something of their own (e.g. their password, voucher redemption).
 */
export const AllowUsers = () => SetMetadata(ALLOW_USERS, true);

export interface ScopedRequest extends Request {
  scope?: Scope;
  /** The logged-in person's display name (or login name), for page headers. */
  personName?: string;
  sessionTokenHash?: string;
}

/** The caller's scope, set by the auth guard. */
export const CurrentScope = createParamDecorator((_: unknown, ctx: ExecutionContext): Scope => {
  const req = ctx.switchToHttp().getRequest<ScopedRequest>();
  if (!req.scope) throw new Error('CurrentScope used on a public route');
  return req.scope;
});
