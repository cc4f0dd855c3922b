import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ScopedRequest } from '../../shared/http/decorators';
import { ErrorPages, type ErrorPageModel } from '../../shared/http/error-pages';
import { SESSION_COOKIE } from '../../shared/http/session-cookie';
import { AdminPages } from '../admin/admin.api';
import { IdentityService } from './identity.service';

/**
 * Error pages in the layout, with the menu and "switch back", so a person who meets one can go on. A
 * URL that matches no route never reached the auth guard: its session (the web cookie only, never a
 * bearer token) is read here, for the menu.
 */
@Injectable()
export class LayoutErrorPages extends ErrorPages {
  constructor(
    private readonly pages: AdminPages,
    private readonly identity: IdentityService,
  ) {
    super();
  }

  async render(req: Request, res: Response, error: ErrorPageModel): Promise<void> {
    const r = req as ScopedRequest;
    const token = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    if (!r.scope && typeof token === 'string' && token.length <= 200) {
      const resolved = await this.identity.resolveToken(token, req.ip ?? 'unknown').catch(() => null);
      if (resolved) {
        r.scope = resolved.scope;
        r.personName = resolved.personName;
        r.sessionTokenHash = resolved.sessionTokenHash ?? undefined;
      }
    }
    // The router's own "Cannot GET /x": no such page, rather than something out of reach.
    const noRoute = error.statusCode === 404 && /^Cannot [A-Z]+ /.test(error.message);
    await this.pages.render(
      req,
      res,
      'errors/error',
      {
        title: error.error,
        error: noRoute ? { ...error, message: 'There is no page at this address.' } : error,
        // Acting as a customer, a page of another branch is out of reach until you switch back.
        outOfReach: !noRoute && !!r.scope?.switched && (error.statusCode === 404 || error.statusCode === 403),
        loggedIn: !!r.scope,
      },
      error.statusCode,
    );
  }
}
