import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOW_USERS, IS_PUBLIC, ScopedRequest } from '../../shared/http/decorators';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors';
import { IdentityService } from './identity.service';

import { SESSION_COOKIE } from '../../shared/http/session-cookie';

/**
 * Global guard: every route needs a login unless marked @Public(). Accepts `Authorization: Bearer`
 * (session token or API key) and the web session cookie. Ordinary users may only read, unless the
 * handler is marked @AllowUsers().
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly identity: IdentityService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<ScopedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    const token = bearerToken(req) ?? (req.cookies?.[SESSION_COOKIE] as string | undefined);
    if (token) {
      const resolved = await this.identity.resolveToken(token, req.ip ?? 'unknown');
      if (resolved) {
        req.scope = resolved.scope;
        req.personName = resolved.personName;
        req.sessionTokenHash = resolved.sessionTokenHash ?? undefined;
      }
    }
    if (isPublic) return true;
    if (!req.scope) throw new UnauthenticatedError('login required');
    const reads = req.method === 'GET' || req.method === 'HEAD';
    if (!reads && req.scope.role !== 'administrator' && !this.reflector.getAllAndOverride<boolean>(ALLOW_USERS, targets)) {
      throw new ForbiddenError('administrators only');
    }
    return true;
  }
}

function bearerToken(req: ScopedRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && value ? value.trim() : undefined;
}
