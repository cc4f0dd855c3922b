import request from 'supertest';
import { ConfigError, logFormatOf } from '../../src/config/config';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { prettyMessage } from '../../src/shared/http/request-log';
import { startupBanner } from '../../src/shared/startup-banner';
import type { TestApp } from '../helpers/app';

/**
 * Issue #14 item 14: readable logs at a terminal. LOG_FORMAT=pretty (or a terminal on stdout) gives one
 * line per request through pino-pretty with the X-Request-Id; JSON otherwise (hostile-input-logging.spec
 * checks the JSON lines and the 4xx/5xx rules); a short start-up banner with the URL, in either format.
 */
describe('log formats and the start-up banner', () => {
  it('picks pretty at a terminal or with LOG_FORMAT=pretty, JSON otherwise', () => {
    expect(logFormatOf({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(logFormatOf({ LOG_FORMAT: 'JSON' }, true)).toBe('json');
    expect(logFormatOf({ NODE_ENV: 'production' }, true)).toBe('pretty');
    expect(logFormatOf({ NODE_ENV: 'production' }, false)).toBe('json');
    expect(logFormatOf({}, false)).toBe('json');
    // The tests read JSON wherever they are started from.
    expect(logFormatOf({ NODE_ENV: 'test' }, true)).toBe('json');
    expect(() => logFormatOf({ LOG_FORMAT: 'xml' }, true)).toThrow(ConfigError);
  });

  it('prints a short banner with the URL: plain at a terminal, JSON lines with JSON logs', () => {
    const config = { publicUrl: 'http://localhost:3000', adminUsername: 'admin' };
    const first = { username: 'admin', generatedPassword: 'Xk7-secret' };
    const plain = startupBanner({ ...config, logFormat: 'pretty' }, first);
    expect(plain).toBe(
      'VoIP Billing is running at http://localhost:3000/  (API docs: http://localhost:3000/api/docs)\n' +
        'Administrator login: admin\n' +
        'Password (shown only this once, change it after logging in): Xk7-secret\n',
    );
    expect(startupBanner({ ...config, logFormat: 'pretty' }, null).split('\n')[1]).toBe('Log in as admin (or any person you created).');
    const json = startupBanner({ ...config, logFormat: 'json' }, null, new Date('2026-12-01T10:00:00Z'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toEqual([
      {
        level: 30,
        time: Date.parse('2026-12-01T10:00:00Z'),
        context: 'Startup',
        url: 'http://localhost:3000/',
        msg: 'VoIP Billing is running at http://localhost:3000/  (API docs: http://localhost:3000/api/docs)',
      },
      expect.objectContaining({ msg: 'Log in as admin (or any person you created).' }),
    ]);
  });

  it('writes a request as method, URL, status, time and request id', () => {
    const line = prettyMessage(
      {
        req: { id: 'abc-1', method: 'GET', url: '/customers?page=2' },
        res: { statusCode: 200 },
        responseTime: 12.4,
        msg: 'request completed',
      },
      'msg',
    );
    expect(line).toBe('GET /customers?page=2 200 12 ms · id abc-1');
    expect(prettyMessage({ context: 'Outbox', msg: 'sent 3' }, 'msg')).toBe('[Outbox] sent 3');
  });

  describe('an app with LOG_FORMAT=pretty', () => {
    let t: TestApp;
    let out = '';
    let spy: jest.SpyInstance;

    beforeAll(async () => {
      spy = jest.spyOn(process.stdout, 'write').mockImplementation((data: string | Uint8Array) => {
        out += typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
        return true;
      });
      // Both are read when the application module is loaded: set them first.
      process.env.LOG_LEVEL = 'info';
      process.env.LOG_FORMAT = 'pretty';
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startTestApp } = require('../helpers/app') as typeof import('../helpers/app');
      t = await startTestApp();
    });
    afterAll(async () => {
      await t.close();
      spy.mockRestore();
      process.env.LOG_LEVEL = 'silent';
      delete process.env.LOG_FORMAT;
    });

    // pino-http logs when the response has finished; the pretty stream writes a moment later.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
    // eslint-disable-next-line no-control-regex
    const plain = () => out.replace(/\u001b\[[0-9;]*m/g, '');

    it('keeps the framework’s start-up chatter off the terminal', () => {
      expect(plain()).not.toMatch(/Mapped \{|dependencies initialized/);
    });

    it('logs a request as one readable line with its X-Request-Id, a 4xx at INFO', async () => {
      out = '';
      const res = await request(t.app.getHttpServer()).get('/api/v1/customers/999999').set(t.auth);
      expect(res.status).toBe(404);
      await settle();
      const id = res.headers['x-request-id'] as string;
      const mine = plain()
        .split('\n')
        .filter((l) => l.includes(id));
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\] INFO: GET /api/v1/customers/999999 404 \\d+ ms · id ${id}$`));
      expect(plain()).not.toContain('{"level"');
    });

    it('logs a 5xx at ERROR with its stack, under the request id the client sent', async () => {
      out = '';
      const fail = jest.spyOn(t.app.get(OutboxService), 'list').mockRejectedValueOnce(new Error('disk on fire'));
      const res = await request(t.app.getHttpServer()).get('/api/v1/outbox').set(t.auth).set('X-Request-Id', 'ticket-4711');
      fail.mockRestore();
      expect(res.status).toBe(500);
      expect(res.headers['x-request-id']).toBe('ticket-4711');
      await settle();
      const text = plain();
      expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] ERROR: GET \/api\/v1\/outbox 500 \d+ ms · id ticket-4711/m);
      expect(text).toContain('disk on fire');
      expect(text).toMatch(/\n\s+at /);
    });
  });
});
