import request from 'supertest';
import { CustomerListService } from '../../src/modules/customers/customer-list.service';
import type { TestApp } from '../helpers/app';

/**
 * Issue #13, item 7: the log is an alarm only for server errors. A 4xx is one info line without a stack;
 * a 5xx is one error line with the stack and the request id that the response carries as X-Request-Id.
 */
describe('request log: levels and request ids (HTTP)', () => {
  let t: TestApp;
  let lines: Array<Record<string, unknown>> = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    // pino writes to process.stdout itself when its write has been replaced (else straight to fd 1):
    // collect its JSON lines instead of printing them.
    spies.push(
      jest.spyOn(process.stdout, 'write').mockImplementation((data: string | Uint8Array) => {
        const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
        for (const line of text.split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        return true;
      }),
    );
    // The log level is read when the application module is loaded, so load it after setting it.
    process.env.LOG_LEVEL = 'info';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startTestApp } = require('../helpers/app') as typeof import('../helpers/app');
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
    for (const spy of spies) spy.mockRestore();
    process.env.LOG_LEVEL = 'silent';
  });
  beforeEach(() => {
    lines = [];
  });

  const INFO = 30;
  const ERROR = 50;
  const linesOf = (id: string) => lines.filter((l) => l.reqId === id || (l.req as { id?: string } | undefined)?.id === id);
  // pino-http logs when the response has finished, just after supertest has it.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it.each([
    ['a validation error', (t: TestApp) => request(t.app.getHttpServer()).post('/api/v1/customers').set(t.auth).send({ name: 5 }), 400],
    [
      'a malformed JSON body (refused by the body parser, before routing)',
      (t: TestApp) =>
        request(t.app.getHttpServer()).post('/api/v1/customers').set(t.auth).set('Content-Type', 'application/json').send('{'),
      400,
    ],
    [
      'a wrong media type',
      (t: TestApp) => request(t.app.getHttpServer()).patch('/api/v1/customers/1').set(t.auth).set('Content-Type', 'text/plain').send('x'),
      415,
    ],
    ['an unknown customer', (t: TestApp) => request(t.app.getHttpServer()).get('/api/v1/customers/999999').set(t.auth), 404],
    ['no login', (t: TestApp) => request(t.app.getHttpServer()).get('/api/v1/customers'), 401],
  ])('%s is one info line without a stack', async (_, send, status) => {
    const res = await send(t);
    expect(res.status).toBe(status);
    await settle();
    const id = res.headers['x-request-id'] as string;
    const mine = linesOf(id);
    expect(mine).toHaveLength(1);
    expect(mine[0].level).toBe(INFO);
    expect(JSON.stringify(mine[0])).not.toMatch(/stack|\n\s+at /);
    expect(lines.filter((l) => (l.level as number) >= ERROR)).toEqual([]);
  });

  it('a 5xx is one error line with its stack and the request id of the response', async () => {
    const spy = jest.spyOn(t.app.get(CustomerListService), 'list').mockRejectedValueOnce(new Error('database on fire'));
    const res = await request(t.app.getHttpServer()).get('/api/v1/customers').set(t.auth).set('X-Request-Id', 'support-ticket-4711');
    spy.mockRestore();
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'internal_error',
      message: 'internal error',
      details: [],
    });
    expect(res.headers['x-request-id']).toBe('support-ticket-4711');
    await settle();
    const errors = lines.filter((l) => (l.level as number) >= ERROR);
    expect(errors).toHaveLength(1);
    expect(linesOf('support-ticket-4711')).toEqual(errors);
    const err = errors[0].err as { message: string; stack: string };
    expect(err.message).toBe('database on fire');
    expect(err.stack).toMatch(/\n\s+at /);
    expect(JSON.stringify(res.body)).not.toContain('database on fire');
  });
});
