import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createCustomer, customerInput, defaultPlanId } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { postForm, textOf, webLogin } from './admin-helpers';

/**
 * Issue #13, items 1–4 and 7: hostile bodies, keys, media types and text get a 4xx with the error body
 * (never a 500) and change nothing; every answer carries a request id.
 */
describe('hostile input (HTTP)', () => {
  let t: TestApp;
  // Hostile requests go through the plain agent: their answers (415, 413, 400 malformed_body on any
  // operation) are this test's to check, not the OpenAPI response contract's that wraps t.http.
  let http: TestAgent;
  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
  });
  afterAll(() => t.close());

  const count = async (table: string): Promise<number> => {
    const [row] = (await t.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: unknown }>;
    return Number(row.n);
  };
  const expectErrorBody = (body: Record<string, unknown>, status: number, code: string): void => {
    expect(body).toEqual({ statusCode: status, error: expect.any(String), code, message: expect.any(String), details: expect.any(Array) });
  };
  // `serialize` keeps a Buffer as bytes (superagent would send it as JSON of a Buffer object).
  const rawPost = (path: string, type: string, payload: string | Buffer) =>
    http
      .post(path)
      .set(t.auth)
      .set('Content-Type', type)
      .serialize((x: unknown) => x as string)
      .send(payload);

  describe('1. nesting depth and size, limited where the body is parsed', () => {
    it.each([5_000, 100_000])('a body nested %i levels deep is a 400 malformed_body, not a stack overflow', async (levels) => {
      const before = await count('customers');
      const res = await rawPost('/api/v1/customers', 'application/json', `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 400, 'malformed_body');
      expect(res.body.message).toMatch(/nested deeper than 16 levels/);
      expect(await count('customers')).toBe(before);
    });

    it('deep arrays inside a field are refused the same way', async () => {
      const body = JSON.stringify({ ...(await customerInput(t)), name: 'x' }).replace('"x"', `${'['.repeat(5000)}${']'.repeat(5000)}`);
      const res = await rawPost('/api/v1/customers', 'application/json', body);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 400, 'malformed_body');
    });

    it('brackets inside strings do not count as nesting', async () => {
      const res = await http
        .post('/api/v1/customers')
        .set(t.auth)
        .send(await customerInput(t, { description: '[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{ "\\"[[[[' }));
      expect(res.status).toBe(201);
    });

    it('a body over the size limit is a 413 payload_too_large', async () => {
      const res = await rawPost('/api/v1/customers', 'application/json', JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }));
      expect(res.status).toBe(413);
      expectErrorBody(res.body, 413, 'payload_too_large');
    });

    it('an object with more than 1,000 fields or an array with more than 1,000 items is a 400 at once', async () => {
      const started = Date.now();
      const keys = await rawPost(
        '/api/v1/customers',
        'application/json',
        `{${Array.from({ length: 60_000 }, (_, i) => `"k${i}":1`).join(',')}}`,
      );
      expect(keys.status).toBe(400);
      expect(keys.body.details).toEqual([{ field: '(body)', message: 'must hold at most 1000 fields', code: 'validation_failed' }]);
      const items = await http
        .post('/api/v1/customers')
        .set(t.auth)
        .send(await customerInput(t, { taxIds: Array(200_000).fill(1) }));
      expect(items.status).toBe(400);
      expect(items.body.details).toEqual([{ field: 'taxIds', message: 'must hold at most 1000 items', code: 'validation_failed' }]);
      // Before the limit the validators spent 10 s on the first and 2 s on the second.
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('a form nested too deep is a 400, not a 500', async () => {
      const web = await webLogin(t);
      const res = await postForm(web, '/customers/new?type=normal', '/customers', { [`a${'[b]'.repeat(40)}`]: '1' });
      expect(res.status).toBe(400);
    });
  });

  describe('2. prototype keys are refused like any unknown property', () => {
    it.each([
      ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}}}', 'constructor'],
      ['__proto__', '{"__proto__":{"isAdmin":true}}', '__proto__'],
      ['prototype', '{"prototype":1}', 'prototype'],
      ['__proto__ in a nested object', '{"billingAddress":{"__proto__":{"x":1}}}', 'billingAddress.__proto__'],
    ])('%s', async (_, extra, field) => {
      const before = await count('customers');
      const valid = JSON.stringify(await customerInput(t));
      const res = await rawPost('/api/v1/customers', 'application/json', `${valid.slice(0, -1)},${extra.slice(1)}`);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 400, 'validation_failed');
      expect(res.body.details).toContainEqual({ field, message: 'should not exist', code: 'validation_failed' });
      expect(await count('customers')).toBe(before);
    });

    it('in the query string too', async () => {
      const res = await http.get('/api/v1/customers?__proto__=1').set(t.auth);
      expect(res.status).toBe(400);
      expect(res.body.details).toContainEqual({ field: '__proto__', message: 'should not exist', code: 'validation_failed' });
    });
  });

  describe('3. media types', () => {
    let id: number;
    beforeAll(async () => {
      id = (await createCustomer(t, t.auth, { name: 'Media Co' })).id as number;
    });
    const nameOf = async (): Promise<string> => {
      const [row] = (await t.dataSource.query('SELECT name FROM customers WHERE id = ?', [id])) as Array<{ name: string }>;
      return row.name;
    };

    it.each([
      ['JSON sent as text/plain', 'text/plain', '{"name":"Changed"}'],
      ['XML', 'application/xml', '<customer><name>Changed</name></customer>'],
      ['a form', 'application/x-www-form-urlencoded', 'name=Changed'],
      ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nChanged\r\n--x--\r\n'],
    ])('a PATCH with %s is a 415 naming application/json, and changes nothing', async (_, type, payload) => {
      const res = await http.patch(`/api/v1/customers/${id}`).set(t.auth).set('Content-Type', type).send(payload);
      expect(res.status).toBe(415);
      expectErrorBody(res.body, 415, 'unsupported_media_type');
      expect(res.body.message).toContain('application/json');
      expect(await nameOf()).toBe('Media Co');
    });

    it('a body without a Content-Type is a 415 too', async () => {
      const res = await http.patch(`/api/v1/customers/${id}`).set(t.auth).set('Content-Type', '').send(Buffer.from('{"name":"Changed"}'));
      expect(res.status).toBe(415);
      expect(await nameOf()).toBe('Media Co');
    });

    it('an empty body where one is required is a 400', async () => {
      const before = await count('customers');
      for (const res of [
        await http.post('/api/v1/customers').set(t.auth),
        await http.patch(`/api/v1/customers/${id}`).set(t.auth).set('Content-Type', 'application/json'),
      ]) {
        expect(res.status).toBe(400);
        expectErrorBody(res.body, 400, 'malformed_body');
      }
      expect(await count('customers')).toBe(before);
    });

    it('a PATCH with an empty JSON object is a 200 that changes nothing (nothing asked)', async () => {
      const res = await http.patch(`/api/v1/customers/${id}`).set(t.auth).send({});
      expect(res.status).toBe(200);
      expect(await nameOf()).toBe('Media Co');
    });

    it('a JSON body with fields where the endpoint takes none is refused; `{}` there is harmless', async () => {
      const refused = await http.post(`/api/v1/customers/${id}/undelete`).set(t.auth).send({ name: 'x' });
      expect(refused.status).toBe(400);
      expect(refused.body.details).toEqual([{ field: 'name', message: 'should not exist', code: 'validation_failed' }]);
      const csv = await http.post(`/api/v1/customers/${id}/undelete`).set(t.auth).set('Content-Type', 'text/csv').send('a,b\n');
      expect(csv.status).toBe(415);
    });

    it('a top-level JSON array or scalar where an object is expected is a 400', async () => {
      for (const payload of ['[]', '[{"name":"x"}]', '"x"', '5', 'null']) {
        const res = await http.patch(`/api/v1/customers/${id}`).set(t.auth).set('Content-Type', 'application/json').send(payload);
        expect([res.status, payload]).toEqual([400, payload]);
      }
      expect(await nameOf()).toBe('Media Co');
    });

    it('the rate-deck import still takes text/csv, and answers 415 naming it for JSON', async () => {
      const plan = await http.post('/api/v1/rate-plans').set(t.auth).send({ name: 'Media plan', currency: 'EUR' });
      expect(plan.status).toBe(201);
      const deck =
        'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction\n49,Germany,0,0,0.012,1,1,0,outbound\n';
      const ok = await http.put(`/api/v1/rate-plans/${plan.body.id}/rates`).set(t.auth).set('Content-Type', 'text/csv').send(deck);
      expect(ok.status).toBe(200);
      const json = await http.put(`/api/v1/rate-plans/${plan.body.id}/rates`).set(t.auth).send({ deck });
      expect(json.status).toBe(415);
      expect(json.body.message).toContain('text/csv');
    });
  });

  describe('4. text: well-formed Unicode, no control characters', () => {
    it.each([
      ['a lone high surrogate', { name: 'Bad \ud800 name' }, 'name', /well-formed Unicode/],
      ['a lone low surrogate', { name: '\udc00' }, 'name', /well-formed Unicode/],
      ['a NUL', { name: 'a\u0000b' }, 'name', /control characters \(U\+0000\)/],
      ['a bell', { name: 'a\u0007b' }, 'name', /control characters/],
      ['a line feed in a one-line field', { name: 'a\nb' }, 'name', /control characters/],
      ['a tab in a one-line field', { email: 'a\tb@example.com' }, 'email', /control characters/],
      ['a C1 control', { name: 'a\u0085b' }, 'name', /control characters/],
      ['a NUL in a multi-line field', { description: 'line 1\n\u0000' }, 'description', /control characters/],
      ['a nested field', { billingAddress: { line1: 'x', city: 'Ber\u0001lin', country: 'DE' } }, 'billingAddress.city', /control/],
    ])('%s is a 400 naming the field, and stores nothing', async (_, fields, field, message) => {
      const before = await count('customers');
      const res = await http
        .post('/api/v1/customers')
        .set(t.auth)
        .send(await customerInput(t, fields));
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 400, 'validation_failed');
      expect(res.body.details).toContainEqual({ field, message: expect.stringMatching(message), code: 'validation_failed' });
      expect(await count('customers')).toBe(before);
    });

    it('a multi-line field takes tab, line feed and CR LF, and they read back as sent', async () => {
      const description = 'first\tline\r\nsecond line\nthird 😀';
      const created = await createCustomer(t, t.auth, { description });
      const res = await http.get(`/api/v1/customers/${created.id}`).set(t.auth);
      expect(res.body.description).toBe(description);
    });

    it('bytes that are not UTF-8 are a 400 malformed_body, not replacement characters', async () => {
      const valid = Buffer.from(JSON.stringify(await customerInput(t, { name: 'NAME' })));
      const bad = Buffer.from(valid.toString().replace('NAME', '\u0000\u0000'));
      bad[bad.indexOf(0)] = 0xff;
      bad[bad.indexOf(0)] = 0xfe;
      const res = await rawPost('/api/v1/customers', 'application/json', bad);
      expect(res.status).toBe(400);
      expectErrorBody(res.body, 400, 'malformed_body');
      expect(res.body.message).toMatch(/UTF-8/);
    });

    it('query values: an encoded surrogate, a non-UTF-8 byte and a control character are 400s', async () => {
      for (const q of ['search=%ED%A0%80', 'search=%FF', 'search=a%00b', 'search=a%0Ab']) {
        const res = await http.get(`/api/v1/customers?${q}`).set(t.auth);
        expect([q, res.status]).toEqual([q, 400]);
        expectErrorBody(res.body, 400, 'validation_failed');
        expect(res.body.details[0].field).toBe('search');
      }
    });

    it('a request line over 16 KB (a 20,000-character search) is a 431 with the error body', async () => {
      const res = await http.get(`/api/v1/customers?search=${'x'.repeat(20_000)}`).set(t.auth);
      expect(res.status).toBe(431);
      expectErrorBody(res.body, 431, 'payload_too_large');
    });

    it('path values: a control character or broken encoding is a 400', async () => {
      for (const path of ['/api/v1/customers/%00', '/api/v1/customers/%FF', '/api/v1/customers/%ED%A0%80']) {
        const res = await http.get(path).set(t.auth);
        expect([path, res.status]).toEqual([path, 400]);
        expect(res.body).toMatchObject({ statusCode: 400, code: expect.any(String) });
      }
    });

    it('the pages show the same refusal inline, with status 400, and create nothing', async () => {
      const web = await webLogin(t);
      const before = await count('customers');
      const res = await postForm(web, '/customers/new?type=normal', '/customers', {
        type: 'normal',
        name: 'Bell\u0007Co',
        email: 'bell@example.com',
        ratePlanId: String(await defaultPlanId(t)),
        timezone: 'UTC',
        billingType: 'prepaid',
        paymentType: 'none',
        creditLimit: '0.00',
        lowBalanceThreshold: '0.00',
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="f-name"[^>]*aria-invalid="true"/);
      expect(textOf(res.text)).toContain('Must not contain control characters (U+0007).');
      expect(await count('customers')).toBe(before);
    });
  });

  describe('7. request ids', () => {
    it('every answer carries a generated X-Request-Id, errors included', async () => {
      const ok = await http.get('/api/v1/customers').set(t.auth);
      const bad = await http.get('/api/v1/customers?search=%00').set(t.auth);
      for (const res of [ok, bad]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(ok.headers['x-request-id']).not.toBe(bad.headers['x-request-id']);
    });

    it("a trusted proxy's id is kept; one that does not look like an id is replaced", async () => {
      const kept = await http.get('/api/v1/customers').set(t.auth).set('X-Request-Id', 'lb-7f3a.42');
      expect(kept.headers['x-request-id']).toBe('lb-7f3a.42');
      const replaced = await http.get('/api/v1/customers').set(t.auth).set('X-Request-Id', 'x'.repeat(200));
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });
});
