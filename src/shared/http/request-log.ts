/**
 * How requests are logged (pino-http through nestjs-pino): every request gets an id, answered in the
 * `X-Request-Id` header, so a user's report of a failure finds its one log line; a client error (4xx) is
 * an ordinary request (info, no stack), a server error (5xx) is logged once at error level with its stack
 * (the exception filter hands the exception to pino-http as `res.err`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { Options } from 'pino-http';

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
export function httpLogOptions(level: string): Options {
  return {
    level,
    // Never log credentials.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    autoLogging: { ignore: (req) => req.url === '/health' },
    genReqId: requestId,
    customLogLevel: requestLogLevel,
  };
}
