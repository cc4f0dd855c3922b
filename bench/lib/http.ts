import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { nowMs } from './stats';

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
}

/** A small keep-alive HTTP client for the app under test (no extra dependency, little overhead). */
export class HttpClient {
  private agent: http.Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly maxSockets = 16,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Drops idle keep-alive sockets (after a long pause the server has closed them). */
  resetConnections(): void {
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxSockets });
  }

  withHeaders(headers: Record<string, string>): HttpClient {
    return new HttpClient(this.baseUrl, { ...this.headers, ...headers });
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const h: Record<string, string> = { ...this.headers, ...headers };
    if (payload) {
      h['content-type'] = 'application/json';
      h['content-length'] = String(payload.length);
    }
    return this.send(method, path, h, (req) => req.end(payload));
  }

  /** Streams a file from disk as the request body. */
  upload(method: string, path: string, file: string, contentType: string): Promise<HttpResult> {
    const h = { ...this.headers, 'content-type': contentType, 'content-length': String(statSync(file).size) };
    return this.send(method, path, h, (req) => createReadStream(file).pipe(req));
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    write: (req: http.ClientRequest) => void,
    attempt = 0,
  ): Promise<HttpResult> {
    const url = new URL(path, this.baseUrl);
    const start = nowMs();
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: nowMs() - start }));
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        // The server closed an idle keep-alive socket just as we reused it (Node's documented race): send again.
        if (attempt < 5 && req.reusedSocket && err.code === 'ECONNRESET') resolve(this.send(method, path, headers, write, attempt + 1));
        else reject(err);
      });
      write(req);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
