/**
 * How requests are logged (pino-http through nestjs-pino): every request gets an id, answered in the
 * `X-Request-Id` header, so a user's report of a failure finds its one log line; a client error (4xx) is
 * an ordinary request (info, no stack), a server error (5xx) is logged once at error level with its stack
 * (the exception filter hands the exception to pino-http as `res.err`).
 *
 * Two formats (LOG_FORMAT, config.ts): JSON lines for collectors, and at a terminal one readable line per
 * request through pino-pretty, with the same levels and request ids.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { Request } from 'express';
import type { DestinationStream, LogFn, Logger } from 'pino';
import type { Options } from 'pino-http';
import pinoPretty from 'pino-pretty';
import type { LogFormat } from '../../config/config';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** What an id from a proxy may look like; anything else is replaced by our own. */
const ID_FORMAT = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * The request's id: the proxy's `X-Request-Id` when the request comes from a trusted proxy (Express's
 * `trust proxy` setting, the same that decides whose X-Forwarded-For is believed) and looks like an id,
 * else a new UUID. Also put on the response.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const known = (req as { id?: unknown }).id;
  if (typeof known === 'string') return known;
  const incoming = req.headers['x-request-id'];
  const trust = (req as Partial<Request>).app?.get('trust proxy fn') as ((addr: string, i: number) => boolean) | undefined;
  const fromProxy = typeof incoming === 'string' && ID_FORMAT.test(incoming) && trust?.(req.socket.remoteAddress ?? '', 0) === true;
  const id = fromProxy ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  (req as { id?: string }).id = id;
  return id;
}

/** 5xx (or an exception) at error, everything else, client errors included, at info. */
export function requestLogLevel(_req: IncomingMessage, res: ServerResponse, err?: Error): 'error' | 'info' {
  return err || (res as { err?: unknown }).err || res.statusCode >= 500 ? 'error' : 'info';
}

/**
 * pino-http's options. The composition root applies pino-http itself as the first middleware (so that a
 * request the body parsers refuse is logged with its id too) and tells nestjs-pino to use it (`useExisting`).
 */
export function httpLogOptions(level: string, format: LogFormat = 'json'): Options {
  const options: Options = {
    level,
    // Never log credentials.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    autoLogging: { ignore: (req) => req.url === '/health' },
    genReqId: requestId,
    customLogLevel: requestLogLevel,
  };
  if (format === 'pretty') {
    options.stream = prettyStream();
    // At a terminal the framework's start-up chatter (a line per module and per route) buries the banner.
    options.hooks = {
      logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) {
        const first = args[0] as unknown;
        const context = first && typeof first === 'object' ? (first as { context?: unknown }).context : undefined;
        if (level < 40 && typeof context === 'string' && QUIET_AT_A_TERMINAL.has(context)) return;
        method.apply(this, args);
      },
    };
  }
  return options;
}

/** Nest's start-up loggers: which module was loaded, which route mapped (kept in the JSON log). */
const QUIET_AT_A_TERMINAL = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * A request's log line for a person: "GET /customers?page=2 200 12 ms · id 3f2c…" (the id is the
 * X-Request-Id the response carried). Other lines: "[Context] message".
 */
export function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const req = log.req as { id?: unknown; method?: unknown; url?: unknown } | undefined;
  const res = log.res as { statusCode?: unknown } | undefined;
  if (req && res) {
    const time = typeof log.responseTime === 'number' ? ` ${Math.round(log.responseTime)} ms` : '';
    return `${String(req.method)} ${String(req.url)} ${String(res.statusCode)}${time} · id ${String(req.id)}`;
  }
  const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
  return `${context}${String(log[messageKey] ?? '')}`;
}

/** The options of the pretty stream (exported for its test): one line a message, time of day, no pid/host. */
export function prettyOptions(destination: NodeJS.WritableStream, colorize: boolean): pinoPretty.PrettyOptions {
  return {
    destination,
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,req,res,responseTime,context',
    messageFormat: (log, messageKey) => prettyMessage(log, messageKey),
  };
}

let pretty: DestinationStream | null = null;

/**
 * One pino-pretty stream for the process (the request logger and Nest's logger share it). It writes
 * through process.stdout.write rather than to fd 1 directly, so it keeps its order with the banner.
 */
function prettyStream(): DestinationStream {
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      process.stdout.write(chunk);
      done();
    },
  });
  pretty ??= pinoPretty(prettyOptions(stdout, process.stdout.isTTY === true));
  return pretty;
}
