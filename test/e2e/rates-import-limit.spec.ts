import type { AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../helpers/app';
import { createPlan, HEADER, importDeck, putDeckChunked, rateCounts } from './rate-plans.fixtures';

const LIMIT = 2000;

describe('rates: deck size limit (RATE_DECK_MAX_BYTES)', () => {
  let t: TestApp;
  let planId: number;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ RATE_DECK_MAX_BYTES: String(LIMIT) });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    planId = (await createPlan(t, t.auth)).id;
    await importDeck(t, t.auth, planId, `${HEADER}\n49,Germany,0,0,1.00,1,1,0,outbound`);
  });
  afterAll(async () => {
    // Other test files in this worker must get the default limit again.
    delete process.env.RATE_DECK_MAX_BYTES;
    await t.close();
  });

  const deckOf = (rows: number) => {
    const lines = [HEADER];
    for (let i = 0; i < rows; i++) lines.push(`${1000 + i},Destination ${i},0,0,0.01,1,1,0,outbound`);
    return lines.join('\n');
  };

  it('accepts a deck up to the limit', async () => {
    const csv = deckOf(40);
    expect(Buffer.byteLength(csv)).toBeLessThanOrEqual(LIMIT);
    expect((await importDeck(t, t.auth, planId, csv)).rows).toBe(40);
  });

  it('refuses a larger deck with 413 (Content-Length) and changes nothing', async () => {
    const before = await rateCounts(t);
    const csv = deckOf(200);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(LIMIT);
    const res = await t.http.put(`/api/v1/rate-plans/${planId}/rates`).set(t.auth).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      message: expect.stringContaining('RATE_DECK_MAX_BYTES'),
    });
    expect(await rateCounts(t)).toEqual(before);
  });

  it('refuses a larger deck sent in chunks without a length, once it passes the limit', async () => {
    const before = await rateCounts(t);
    const { status, body } = await putDeckChunked(t, port, planId, (req) => {
      // Far past the limit: the answer comes while the client is still sending.
      const csv = deckOf(20_000);
      for (let i = 0; i < csv.length; i += 4096) req.write(csv.slice(i, i + 4096));
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).statusCode).toBe(413);
    expect(await rateCounts(t)).toEqual(before);
  });
});
