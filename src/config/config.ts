import { IANAZone } from 'luxon';

/**
 * The one validated view of the environment (API.md "Configuration"). Parsed once at start; a bad
 * value stops the process with a message that names the variable.
 */
export interface AppConfig {
  port: number;
  database: DatabaseConfig;
  adminUsername: string;
  adminPassword: string | null;
  smtpUrl: string | null;
  systemTimeZone: string;
  testClock: boolean;
  /** Where the app answers; used in emailed links. */
  publicUrl: string;
  logLevel: string;
  /**
   * `pretty`: one readable line per request (pino-pretty), for a person at a terminal; `json`: pino's JSON
   * lines, for log collectors. LOG_FORMAT, else pretty when stdout is a terminal.
   */
  logFormat: LogFormat;
  /** Secure cookies (HTTPS deployments). */
  secureCookies: boolean;
  /** Sender address of emails. */
  mailFrom: string;
  /** Currency of the system owner, used on first start only. */
  systemCurrency: string;
  /** Largest rate-deck upload accepted (bytes); larger answers 413. */
  rateDeckMaxBytes: number;
  /** Rates kept in the in-memory rate index cache before least recently used decks are dropped. */
  rateCacheMaxRows: number;
  /** Call control: no call is granted more than this many seconds at once (CALL_MAX_SECONDS). */
  callMaxSeconds: number;
  /**
   * Call control: an authorised call that is never reported keeps its reservation for its maximum duration
   * plus this many seconds (ringing time and a late CDR), then the reservation expires (CALL_GRACE_SECONDS).
   */
  callGraceSeconds: number;
  /** Idempotency keys are kept this many hours, then forgotten (a repeat after that is a new request). */
  idempotencyKeyTtlHours: number;
  /** Largest JSON or form body (bytes, BODY_MAX_BYTES); larger answers 413. Rate-deck uploads have their own limit. */
  bodyMaxBytes: number;
  /** Deepest nesting of objects and arrays in a JSON or form body (BODY_MAX_DEPTH); deeper answers 400. */
  bodyMaxDepth: number;
}

export type DatabaseConfig =
  | { type: 'sqlite'; path: string }
  | {
      type: 'mysql';
      flavour: 'mysql' | 'mariadb';
      host: string;
      port: number;
      username: string;
      password: string;
      database: string;
      /** `?socket=/run/mysqld/mysqld.sock`: a server on this machine over its Unix socket (cheaper than TCP). */
      socketPath?: string;
    };

export type LogFormat = 'pretty' | 'json';

export class ConfigError extends Error {}

/**
 * LOG_FORMAT (`pretty` or `json`); unset: pretty when stdout is a terminal, JSON otherwise (and under the
 * tests, NODE_ENV=test, whose log assertions read JSON wherever they are started from).
 */
export function logFormatOf(env: NodeJS.ProcessEnv, stdoutIsTerminal: boolean): LogFormat {
  const v = env.LOG_FORMAT?.trim().toLowerCase();
  if (!v) return stdoutIsTerminal && env.NODE_ENV !== 'test' ? 'pretty' : 'json';
  if (v !== 'pretty' && v !== 'json') throw new ConfigError(`LOG_FORMAT must be pretty or json, not "${env.LOG_FORMAT}"`);
  return v;
}

export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:data/billing.sqlite');
    return { type: 'sqlite', path };
  }
  if (url.startsWith('mysql:') || url.startsWith('mariadb:')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL: not a valid mysql:// URL');
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    if (!database) throw new ConfigError('DATABASE_URL: mysql URL needs a database name');
    const unknown = [...parsed.searchParams.keys()].filter((k) => k !== 'socket');
    if (unknown.length)
      throw new ConfigError(`DATABASE_URL: unknown option "${unknown[0]}" (the one option is ?socket=/path/to/mysqld.sock)`);
    const socketPath = parsed.searchParams.get('socket');
    if (socketPath !== null && !socketPath.startsWith('/')) throw new ConfigError('DATABASE_URL: ?socket= needs an absolute path');
    return {
      type: 'mysql',
      // TypeORM reads MariaDB's information_schema differently; the app probes the server to be sure.
      flavour: url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
      host: parsed.hostname || '127.0.0.1',
      port: parsed.port ? Number.parseInt(parsed.port, 10) : 3306,
      username: decodeURIComponent(parsed.username || 'root'),
      password: decodeURIComponent(parsed.password || ''),
      database,
      ...(socketPath !== null ? { socketPath } : {}),
    };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or mysql://');
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new ConfigError(`${name} must be a positive whole number`);
  return Number(raw);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number.parseInt(env.PORT ?? '3000', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('PORT must be a port number');
  const systemTimeZone = env.TZ_SYSTEM || 'UTC';
  if (!IANAZone.isValidZone(systemTimeZone)) throw new ConfigError(`TZ_SYSTEM: unknown IANA time zone "${systemTimeZone}"`);
  const smtpUrl = env.SMTP_URL || null;
  const systemCurrency = env.SYSTEM_CURRENCY || 'EUR';
  if (!Intl.supportedValuesOf('currency').includes(systemCurrency)) {
    throw new ConfigError(`SYSTEM_CURRENCY: unknown ISO 4217 currency "${systemCurrency}"`);
  }
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) throw new ConfigError('SMTP_URL must look like smtp://user:pass@host:port');
  return {
    port,
    database: parseDatabaseUrl(env.DATABASE_URL || 'sqlite:data/billing.sqlite'),
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || null,
    smtpUrl,
    systemTimeZone,
    testClock: env.TEST_CLOCK === 'true',
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    logFormat: logFormatOf(env, process.stdout.isTTY === true),
    secureCookies: env.SECURE_COOKIES === 'true',
    mailFrom: env.MAIL_FROM?.trim() || 'billing@localhost',
    systemCurrency,
    // 200 MB: about a million rates with every column.
    rateDeckMaxBytes: positiveInteger(env, 'RATE_DECK_MAX_BYTES', 200 * 1024 * 1024),
    rateCacheMaxRows: positiveInteger(env, 'RATE_CACHE_MAX_ROWS', 3_000_000),
    callMaxSeconds: positiveInteger(env, 'CALL_MAX_SECONDS', 4 * 3600),
    callGraceSeconds: positiveInteger(env, 'CALL_GRACE_SECONDS', 300),
    idempotencyKeyTtlHours: positiveInteger(env, 'IDEMPOTENCY_KEY_TTL_HOURS', 24),
    // 1 MiB holds a batch of 1000 CDRs three times over; no body of the API nests deeper than 3 levels.
    bodyMaxBytes: positiveInteger(env, 'BODY_MAX_BYTES', 1024 * 1024),
    bodyMaxDepth: positiveInteger(env, 'BODY_MAX_DEPTH', 16),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
