import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AppSecrets } from '../../shared/app-secrets';
import { Clock } from '../../shared/clock';
import { SESSION_COOKIE } from '../../shared/http/session-cookie';
import { sha256 } from '../../shared/secrets';
import { AdminPages } from './admin-page';
import { noStore } from './page-flows';

const COOKIE = 'once';
/** Long enough to follow the redirect on a slow line, short enough not to linger. */
const TTL_MS = 5 * 60_000;

interface Sealed {
  url: string;
  session: string;
  expires: number;
  model: Record<string, unknown>;
}

/**
 * Post/Redirect/Get for answers that show a secret once (a new API key, a residential customer's SIP
 * secret and PIN, a line's secret, a mailbox's PIN), issue #14:
 *
 * - the POST makes the secret, then `redirect` answers 303 to a GET page (e.g. /customers/7/created)
 *   with the page's model in a cookie, encrypted and authenticated (AES-256-GCM, a key of its own derived
 *   from the platform secret), bound to the browser's session and to that URL, valid 5 minutes;
 * - the GET calls `take`: the model once (the cookie is cleared at once), `Cache-Control: no-store` so
 *   neither a cache nor "Back" keeps the page; a reload finds nothing and says the secret was shown once.
 *
 * The secret is never in a URL, never stored on the server, and reloading cannot create anything again.
 */
@Injectable()
export class OneTimePages {
  private key: Buffer | null = null;

  constructor(
    private readonly secrets: AppSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pages: AdminPages,
    private readonly clock: Clock,
  ) {}

  private async cipherKey(): Promise<Buffer> {
    this.key ??= createHash('sha256')
      .update(`one-time-pages\u0000${await this.secrets.csrfSecret()}`)
      .digest();
    return this.key;
  }

  /** Answers the POST: 303 to `url`, which shows `model` once (see `take`). */
  async redirect(req: Request, res: Response, url: string, model: Record<string, unknown>): Promise<void> {
    const payload: Sealed = { url, session: sessionOf(req), expires: this.clock.now().getTime() + TTL_MS, model };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.cipherKey(), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    const value = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    res.cookie(COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies, path: '/', maxAge: TTL_MS });
    noStore(res);
    res.redirect(303, url);
  }

  /**
   * The model sent to this page by `redirect`, once; null on a reload, another page or another session.
   * `keep`: for an answer that holds no secret and may be shown again on a reload (a deck preview), the
   * cookie is left until it expires or the next `redirect` replaces it.
   */
  async take<T extends Record<string, unknown>>(req: Request, res: Response, options: { keep?: boolean } = {}): Promise<T | null> {
    noStore(res);
    const raw = (req.cookies as Record<string, unknown> | undefined)?.[COOKIE];
    if (typeof raw !== 'string' || raw === '') return null;
    if (!options.keep) res.clearCookie(COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: this.config.secureCookies });
    const sealed = await this.open(raw);
    if (!sealed || sealed.url !== req.originalUrl || sealed.session !== sessionOf(req) || sealed.expires < this.clock.now().getTime()) return null;
    return sealed.model as T;
  }

  /**
   * The GET of a one-time page: renders `view` with `model(sealed)` the one time it may be shown; otherwise
   * (a reload, "Back", a shared link) goes to `otherwise.url` saying `otherwise.text`.
   */
  async page(
    req: Request,
    res: Response,
    view: string,
    model: (sealed: Record<string, unknown>) => Record<string, unknown>,
    otherwise: { url: string; text: string },
  ): Promise<void> {
    const sealed = await this.take(req, res);
    if (!sealed) return this.pages.redirect(res, otherwise.url, { kind: 'error', text: otherwise.text });
    await this.pages.render(req, res, view, model(sealed));
  }

  private async open(raw: string): Promise<Sealed | null> {
    try {
      const buf = Buffer.from(raw, 'base64url');
      if (buf.length < 29) return null;
      const decipher = createDecipheriv('aes-256-gcm', await this.cipherKey(), buf.subarray(0, 12));
      decipher.setAuthTag(buf.subarray(12, 28));
      const text = Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
      return JSON.parse(text) as Sealed;
    } catch {
      return null; // forged, corrupted or made with another secret
    }
  }
}

/** The web session the page belongs to (a hash: the cookie itself never goes into the sealed value). */
function sessionOf(req: Request): string {
  const sid = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof sid === 'string' ? sha256(sid) : '';
}
