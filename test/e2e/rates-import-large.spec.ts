import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { testDatabaseKind } from '../helpers/database';
import { startTestApp, TestApp } from '../helpers/app';
import { addCustomer, costPlanId, FULL_HEADER, putDeckChunked, setCustomerPlan } from './rate-plans.fixtures';

const ROWS = 100_000;

/** A full garbage collection, to tell memory still in use from garbage V8 has not collected yet. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** The deck, generated piece by piece so the client side holds no copy of it either. */
function* deckChunks(): Generator<string> {
  yield `${FULL_HEADER}\n`;
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const prefix = String(10_000_000 + i);
    chunk += `${prefix},"Destination ${i % 500}, mobile",0.0${i % 10},${i % 3 ? 0 : 30},0.${String(i % 1000).padStart(3, '0')}123,${i % 4 ? 1 : 60},${i % 4 ? 1 : 60},0.01,${i % 2 ? 'inbound' : 'outbound'},0.05,${i % 5 ? '' : '12345'},${i % 5 ? '' : '08:00'},${i % 5 ? '' : '18:00'},${i % 7},,\n`;
    if (chunk.length > 64_000) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

describe(`rates: a ${ROWS.toLocaleString('en')}-row deck on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('imports, prices from and exports a 100,000-row deck with flat memory', async () => {
    const planId = await costPlanId(t);
    collectGarbage();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakLive = baseline.heapUsed;
    let ticks = 0;
    // RSS every 20 ms; every 500 ms also the live heap (after a forced collection).
    const sampler = setInterval(() => {
      if (++ticks % 25 === 0) {
        collectGarbage();
        peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const started = Date.now();
    const { status, body } = await putDeckChunked(t, port, planId, (req) => {
      const chunks = deckChunks();
      const pump = () => {
        for (let next = chunks.next(); !next.done; next = chunks.next()) {
          if (!req.write(next.value)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    const importMs = Date.now() - started;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    collectGarbage();
    const liveAfter = process.memoryUsage().heapUsed - baseline.heapUsed;
    expect(status).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ applied: true, rows: ROWS, deck: { rateCount: ROWS, status: 'active' } });
    const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM rates');
    expect(Number(n)).toBe(ROWS);

    // The first lookup builds the in-memory index of the deck; later ones use it.
    const customer = await addCustomer(t, { reseller: false, login: false });
    const plan = await t.http
      .post('/api/v1/rate-plans')
      .set(t.auth)
      .send({ name: 'Resale', markups: { outboundPerMinute: '10' } });
    await setCustomerPlan(t, customer.id, plan.body.id);
    let t0 = Date.now();
    const first = await t.http.get(`/api/v1/customers/${customer.id}/price?number=%2B1005000299&duration=60`).set(t.auth);
    const firstMs = Date.now() - t0;
    expect(first.status).toBe(200);
    // Row 50002 (prefix 10050002, outbound, all day): per minute 0.002123, connect 0.02; the plan adds 10%.
    expect(first.body.levels.map((l: any) => [l.prefix, l.perMinute, l.source])).toEqual([
      ['10050002', '0.002335', 'markup'],
      ['10050002', '0.002123', 'own'],
    ]);
    t0 = Date.now();
    for (let i = 0; i < 50; i++) {
      const res = await t.http.get(`/api/v1/customers/${customer.id}/price?number=${10_000_002 + i * 2000}123`).set(t.auth);
      expect(res.status).toBe(200);
    }
    const lookupMs = (Date.now() - t0) / 50;

    t0 = Date.now();
    const exported = await t.http.get(`/api/v1/rate-plans/${planId}/rates.csv`).set(t.auth);
    const exportMs = Date.now() - t0;
    expect(exported.status).toBe(200);
    expect(exported.text.split('\n').filter(Boolean)).toHaveLength(ROWS + 1);

    const mb = (n: number) => `${Math.round(n / 1048576)} MB`;
    process.stdout.write(
      `\n[${testDatabaseKind()}] ${ROWS} rows: import ${importMs} ms; peak RSS +${mb(peakRss - baseline.rss)} (baseline ${mb(baseline.rss)}), ` +
        `peak live heap +${mb(peakLive - baseline.heapUsed)}, live heap after +${mb(liveAfter)}; ` +
        `first lookup (index build) ${firstMs} ms, later lookups ${lookupMs.toFixed(1)} ms over HTTP; export ${exportMs} ms\n`,
    );
    // Flat: what stays in use while importing is the duplicate-key set (a short key per row) and one
    // batch, far below the deck itself as objects (~100k rates x ~1 KB); nothing stays afterwards.
    expect(peakLive - baseline.heapUsed).toBeLessThan(60 * 1048576);
    expect(liveAfter).toBeLessThan(20 * 1048576);
  }, 120_000);
});
