import fc from 'fast-check';
import { jsonDepth, MAX_ITEMS, textErrors } from './input-checks';
import { requestLogLevel } from './request-log';
import type { ServerResponse, IncomingMessage } from 'node:http';

describe('input checks', () => {
  it('jsonDepth counts brackets outside strings only, and agrees with the parsed value', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":"[[{{"}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('"\\"[["'))).toBe(0);
    const depthOf = (v: unknown): number =>
      Array.isArray(v)
        ? 1 + Math.max(0, ...v.map(depthOf))
        : v && typeof v === 'object'
          ? 1 + Math.max(0, ...Object.values(v).map(depthOf))
          : 0;
    fc.assert(fc.property(fc.jsonValue(), (v) => jsonDepth(Buffer.from(JSON.stringify(v))) === depthOf(v)));
  });

  it('stops counting past the limit', () => {
    expect(jsonDepth(Buffer.from('['.repeat(100_000)), 16)).toBe(17);
  });

  it('names each refused key and string by its path', () => {
    expect(
      textErrors({
        name: 'ok',
        billingAddress: { city: 'a\u0000', ['__proto__']: 1 },
        items: [{ called: '\ud800' }],
        description: 'two\r\nlines\tand a tab',
        notes: 'bell\u0007',
      }),
    ).toEqual([
      { field: 'billingAddress.city', message: 'must not contain control characters (U+0000)' },
      { field: 'billingAddress.__proto__', message: 'should not exist' },
      { field: 'items[0].called', message: 'is not well-formed Unicode (it holds a lone surrogate)' },
      { field: 'notes', message: 'must not contain control characters (U+0007)' },
    ]);
  });

  it('accepts any well-formed text without controls, astral characters included', () => {
    // eslint-disable-next-line no-control-regex
    const text = fc.string({ unit: 'grapheme' }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
    fc.assert(fc.property(text, (s) => textErrors({ name: s, description: `${s}\n${s}` }).length === 0));
  });

  it('refuses more than MAX_ITEMS elements or fields, without walking them', () => {
    expect(textErrors({ ids: Array(MAX_ITEMS + 1).fill('\u0000') })).toEqual([
      { field: 'ids', message: `must hold at most ${MAX_ITEMS} items` },
    ]);
    expect(textErrors(Object.fromEntries(Array.from({ length: MAX_ITEMS + 1 }, (_, i) => [`k${i}`, 1])))).toEqual([
      { field: '(body)', message: `must hold at most ${MAX_ITEMS} fields` },
    ]);
  });

  it('logs 4xx at info and 5xx (or an exception) at error', () => {
    const res = (statusCode: number, err?: Error) => ({ statusCode, err }) as unknown as ServerResponse;
    const req = {} as IncomingMessage;
    expect(requestLogLevel(req, res(200))).toBe('info');
    expect(requestLogLevel(req, res(404))).toBe('info');
    expect(requestLogLevel(req, res(429))).toBe('info');
    expect(requestLogLevel(req, res(500))).toBe('error');
    expect(requestLogLevel(req, res(200, new Error('x')))).toBe('error');
  });
});
