import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { DomainError, ThrottledError, UnauthenticatedError } from '../../shared/errors';
import { Public, type ScopedRequest } from '../../shared/http/decorators';
import { SESSION_COOKIE } from '../../shared/http/session-cookie';
import { IdentityService, MIN_PASSWORD_LENGTH } from './identity.service';
import { AdminPages, formErrors, safeLocalPath, type FormBody, type FormErrors, PRE_SESSION_COOKIE } from '../admin/admin.api';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** As the API's token request (TokenRequestDto). */
const LOGIN_USERNAME_MAX = 100;
const LOGIN_PASSWORD_MAX = 200;

/** Log in, log out, set a password from the emailed link. */
@ApiExcludeController()
@Controller()
export class AuthAdminController {
  constructor(
    private readonly pages: AdminPages,
    private readonly identity: IdentityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private sessionCookie(expires?: Date): CookieOptions {
    return { httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, path: '/', ...(expires ? { expires } : {}) };
  }

  @Public()
  @Get('login')
  async loginForm(@Req() req: ScopedRequest, @Res() res: Response, @Query('next') next?: string): Promise<void> {
    if (req.scope) return res.redirect(303, safeLocalPath(next));
    await this.renderLogin(req, res, { username: '' }, {}, safeLocalPath(next, ''));
  }

  @Public()
  @Post('login')
  async login(@Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const username = str(body.username).trim();
    const password = str(body.password);
    const next = safeLocalPath(body.next, '');
    const errors: FormErrors = {};
    // The API's limits (TokenRequestDto): longer input is refused here, before anything is looked up.
    if (!username) errors.username = 'Enter your username.';
    else if (username.length > LOGIN_USERNAME_MAX) errors.username = `At most ${LOGIN_USERNAME_MAX} characters.`;
    if (!password) errors.password = 'Enter your password.';
    else if (password.length > LOGIN_PASSWORD_MAX) errors.password = `At most ${LOGIN_PASSWORD_MAX} characters.`;
    if (Object.keys(errors).length) return this.renderLogin(req, res, { username }, errors, next, 400);
    try {
      const issued = await this.identity.login(username, password, req.ip ?? 'unknown', 'web');
      // A new login replaces whatever session this browser had.
      const previous = (req.cookies as Record<string, unknown>)[SESSION_COOKIE];
      if (typeof previous === 'string' && previous) await this.identity.logout(previous);
      res.cookie(SESSION_COOKIE, issued.token, this.sessionCookie(issued.expiresAt));
      res.clearCookie(PRE_SESSION_COOKIE, { path: '/' });
      return this.pages.redirect(res, next || '/');
    } catch (err) {
      if (err instanceof ThrottledError) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
        return this.renderLogin(
          req,
          res,
          { username },
          { _form: `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` },
          next,
          429,
        );
      }
      if (err instanceof UnauthenticatedError) {
        return this.renderLogin(req, res, { username }, { _form: capitalise(err.message) + '.' }, next, 401);
      }
      throw err;
    }
  }

  private renderLogin(
    req: Request,
    res: Response,
    values: { username: string },
    errors: FormErrors,
    next: string,
    status = 200,
  ): Promise<void> {
    return this.pages.render(
      req,
      res,
      'auth/login',
      { title: 'Log in', values, errors, next, nav: null, user: null, switchedTo: null },
      status,
    );
  }

  /** Public so that an expired session can still log out cleanly; the CSRF token is still required. */
  @Public()
  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const sid = (req.cookies as Record<string, unknown>)[SESSION_COOKIE];
    if (typeof sid === 'string' && sid) await this.identity.logout(sid);
    res.clearCookie(SESSION_COOKIE, this.sessionCookie());
    this.pages.redirect(res, '/login', 'You have logged out.');
  }

  @Public()
  @Get('set-password/:token')
  async setPasswordForm(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const person = await this.identity.checkSetPasswordToken(token, req.ip ?? 'unknown');
      await this.renderSetPassword(req, res, { username: person.username }, {});
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await this.renderUnusableLink(req, res, err);
    }
  }

  @Public()
  @Post('set-password/:token')
  async setPassword(@Param('token') token: string, @Body() body: FormBody, @Req() req: Request, @Res() res: Response): Promise<void> {
    const password = str(body.password);
    const confirm = str(body.passwordConfirm);
    let username = '';
    try {
      username = (await this.identity.checkSetPasswordToken(token, req.ip ?? 'unknown')).username;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return this.renderUnusableLink(req, res, err);
    }
    if (password !== confirm) {
      return this.renderSetPassword(req, res, { username }, { passwordConfirm: 'The two passwords are not the same.' }, 400);
    }
    try {
      await this.identity.setPasswordWithToken(token, password, req.ip ?? 'unknown');
    } catch (err) {
      const errors = formErrors(err);
      if (errors.password) errors.password = `Must be at least ${MIN_PASSWORD_LENGTH} characters long (and at most 200).`;
      return this.renderSetPassword(req, res, { username }, errors, err instanceof DomainError ? err.status : 400);
    }
    this.pages.redirect(res, '/login', `Your password is set. Log in with the username ${username}.`);
  }

  /** 410 for a used, expired or unknown link; 429 with Retry-After when the address tried too many. */
  private renderUnusableLink(req: Request, res: Response, err: DomainError): Promise<void> {
    if (err instanceof ThrottledError) {
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
      const message = `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
      return this.renderSetPassword(req, res, { invalid: message }, {}, 429);
    }
    return this.renderSetPassword(req, res, { invalid: capitalise(err.message) + '.' }, {}, 410);
  }

  private renderSetPassword(
    req: Request,
    res: Response,
    model: { username?: string; invalid?: string },
    errors: FormErrors,
    status = 200,
  ): Promise<void> {
    return this.pages.render(
      req,
      res,
      'auth/set-password',
      { title: 'Set your password', ...model, errors, minLength: MIN_PASSWORD_LENGTH, nav: null, user: null, switchedTo: null },
      status,
    );
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
