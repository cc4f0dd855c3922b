import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody } from './domain-exception.filter';

/**
 * Requests that Node's HTTP parser refuses before the application sees them: a request line and headers
 * over Node's 16 KB (a 20,000-character query), or a request that is not HTTP. Node would answer a bare
 * `431`/`400` without a body; these get the API's error body like every other refusal.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const body: ErrorBody = tooLarge
      ? {
          statusCode: 431,
          error: 'Request Header Fields Too Large',
          code: 'payload_too_large',
          message: 'the request line and headers are larger than 16 KB',
          details: [],
        }
      : { statusCode: 400, error: 'Bad Request', code: 'validation_failed', message: 'malformed HTTP request', details: [] };
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
}
