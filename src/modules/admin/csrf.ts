import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { doubleCsrf, type DoubleCsrfUtilities } from 'csrf-csrf';
import type { NextFunction, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { ForbiddenError } from '../../shared/errors';
import { SESSION_COOKIE } from '../../shared/http/session-cookie';
import { sha256 } from '../../shared/secrets';
import { AppSecrets } from '../../shared/app-secrets';

/** Names a browser before it logs in, so the login and set-password forms have a session to bind to. */
export const PRE_SESSION_COOKIE = 'presid';
/** Form field that carries the token (`<input type="hidden" name="_csrf" value="{{csrfToken}}">`). */
export const CSRF_FIELD = '_csrf';
/** Header for scripts and API calls that authenticate with the web cookie. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The page forms that upload a file (multipart/form-data). Their body is read by the handler (streamed to
 * disk, never held in memory), so the token cannot be checked before it runs: for these paths only, the
 * middleware leaves the check to the upload reader, which reads the `_csrf` field (the form's first field)
 * and refuses the upload unless it is valid before it accepts a byte of the file (`verifyFormToken`).
 * Any other multipart request needs the token in the `X-CSRF-Token` header.
 */
const MULTIPART_FORMS: readonly RegExp[] = [/^\/rate-plans\/\d+\/import\/?$/];
/** Set on a request whose token the upload reader must check (a path of MULTIPART_FORMS without the header). */
const DEFERRED = Symbol('csrfDeferred');
/** The `_csrf` field the upload reader found, for the check. */
const FORM_TOKEN = Symbol('csrfFormToken');
type CsrfRequest = Request & { [DEFERRED]?: boolean; [FORM_TOKEN]?: string };

/**
 * CSRF protection: csrf-csrf's double-submit cookie, with the HMAC bound to the web session (a hash of
 * the `sid` cookie, or the pre-login cookie) and signed with the platform's CSRF secret (AppSecrets: made on first start, kept by the system module).
 *
 * Which requests are checked (every method but GET/HEAD/OPTIONS):
 * - pages (everything outside /api/): always, token from the `_csrf` form field (hidden input) or the
 *   `X-CSRF-Token` header; for the file-upload forms (MULTIPART_FORMS, body read inside the handler) the
 *   upload reader checks the `_csrf` field before it accepts the file. Never from the URL: a token in a URL
 *   ends up in logs, history and Referer headers.
 * - /api/*: only when the request would authenticate with the `sid` cookie (no `Authorization: Bearer`),
 *   token from the `X-CSRF-Token` header. Bearer tokens and API keys are not sent by browsers on their
 *   own, so they need no CSRF token; nor do the two public auth endpoints, which ignore the session.
 */
@Injectable()
export class CsrfService {
  private secret: string | null = null;
  private utils: DoubleCsrfUtilities | null = null;
  readonly cookieName: string;

  constructor(
    private readonly secrets: AppSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // The __Host- prefix makes browsers refuse the cookie from subdomains, but it needs Secure (HTTPS).
    this.cookieName = config.secureCookies ? '__Host-csrf' : 'csrf';
  }

  /** The secret is read once from the settings row (created by the bootstrap on first start). */
  private async load(): Promise<DoubleCsrfUtilities> {
    if (this.utils) return this.utils;
    this.secret = await this.secrets.csrfSecret();
    const secret = this.secret;
    this.utils = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: sessionIdentifier,
      cookieName: this.cookieName,
      cookieOptions: { sameSite: 'strict', path: '/', secure: this.config.secureCookies, httpOnly: true },
      getCsrfTokenFromRequest: tokenFromRequest,
    });
    return this.utils;
  }

  /** The token for this browser's forms (sets or renews the CSRF cookie). */
  async token(req: Request, res: Response): Promise<string> {
    const utils = await this.load();
    ensurePreSession(req, res, this.config.secureCookies);
    return utils.generateCsrfToken(req, res);
  }

  async isValid(req: Request): Promise<boolean> {
    return (await this.load()).validateRequest(req);
  }

  /**
   * For the upload reader of a MULTIPART_FORMS path: is `token` (the form's `_csrf` field) valid for this
   * request? True at once when the middleware already checked the header.
   */
  async verifyFormToken(req: Request, token: string | undefined): Promise<boolean> {
    const r = req as CsrfRequest;
    if (!r[DEFERRED]) return true;
    if (token === undefined || token === '') return false;
    r[FORM_TOKEN] = token;
    const ok = await this.isValid(req);
    if (ok) r[DEFERRED] = false;
    return ok;
  }
}

/** Must match exactly how the request's token was bound when it was generated. */
function sessionIdentifier(req: Request): string {
  const sid = cookie(req, SESSION_COOKIE);
  if (sid) return `s:${sha256(sid)}`;
  return `p:${cookie(req, PRE_SESSION_COOKIE) ?? ''}`;
}

function tokenFromRequest(req: Request): string | undefined {
  const header = headerValue(req.headers[CSRF_HEADER]);
  if (req.path.startsWith('/api/')) return header;
  if (req.is('multipart/form-data')) return header ?? (req as CsrfRequest)[FORM_TOKEN];
  return stringOrUndefined((req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]) ?? header;
}

function ensurePreSession(req: Request, res: Response, secure: boolean): void {
  if (cookie(req, SESSION_COOKIE) || cookie(req, PRE_SESSION_COOKIE)) return;
  const value = randomBytes(18).toString('base64url');
  res.cookie(PRE_SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  // The token generated next in this same request must be bound to it.
  (req.cookies as Record<string, string>)[PRE_SESSION_COOKIE] = value;
}

function cookie(req: Request, name: string): string | undefined {
  const v = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
const stringOrUndefined = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const headerValue = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Same parsing as the AuthGuard: it prefers a Bearer token over the cookie. */
function hasBearer(req: Request): boolean {
  const [scheme, value] = (req.headers.authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && !!value;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The refusal of a request without a valid token (403 `csrf_failed`). */
export function csrfFailed(): ForbiddenError {
  return new ForbiddenError(
    'The form has expired or did not come from this site. Go back, reload the page and try again.',
    [],
    'csrf_failed',
  );
}

/** Refuses unsafe requests without a valid token (403 page for forms, JSON 403 for the API). */
@Injectable()
export class CsrfMiddleware implements NestMiddleware {
  constructor(private readonly csrf: CsrfService) {}

  async use(req: Request, _res: Response, next: NextFunction): Promise<void> {
    if (SAFE_METHODS.has(req.method) || !needsCheck(req)) return next();
    const uploadForm = !req.path.startsWith('/api/') && req.is('multipart/form-data') && MULTIPART_FORMS.some((p) => p.test(req.path));
    if (uploadForm && req.headers[CSRF_HEADER] === undefined) {
      // Checked by the upload reader from the form's `_csrf` field, before it accepts the file.
      (req as CsrfRequest)[DEFERRED] = true;
      return next();
    }
    if (!(await this.csrf.isValid(req))) throw csrfFailed();
    next();
  }
}

/**
 * Public API endpoints that never act on the cookie's session (logging in for a token, setting a password
 * with an emailed token): a browser that is logged in to the pages, e.g. in the API docs' "Try it out",
 * must still be able to call them.
 */
const API_ENDPOINTS_WITHOUT_SESSION = new Set(['/api/v1/auth/token', '/api/v1/auth/set-password']);

function needsCheck(req: Request): boolean {
  if (!req.path.startsWith('/api/')) return true;
  if (API_ENDPOINTS_WITHOUT_SESSION.has(req.path.replace(/\/+$/, ''))) return false;
  return !hasBearer(req) && !!cookie(req, SESSION_COOKIE);
}
