/**
 * Load generator for the customers bench, in a worker thread of its own: a real client runs on another
 * machine, and its HTTP work (building requests, parsing answers) would otherwise take turns with the
 * server's on the one JavaScript thread the app has. The other core is still shared, as on any 2-core box.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createBody } from '../sections/customer-bodies';
import { HttpClient, runConcurrently } from './http';
import { Random } from './random';

export interface CreateLoad {
  baseUrl: string;
  headers: Record<string, string>;
  count: number;
  concurrency: number;
  /** Index of the first customer (createBody), so that account numbers never collide between loads. */
  firstIndex: number;
  seed: number;
  ratePlanId: number;
}

export interface CreateLoadResult {
  failures: number;
  firstError: string;
  /** Wall-clock instants (ms since the epoch, sub-millisecond) when the load began and each create answered. */
  start: number;
  doneAt: number[];
  rate: number;
}

/** Wall clock with sub-millisecond resolution, comparable between threads (unlike process.hrtime). */
const epochMs = (): number => performance.timeOrigin + performance.now();

async function runLoad(load: CreateLoad): Promise<CreateLoadResult> {
  const client = new HttpClient(load.baseUrl, load.headers, load.concurrency * 2);
  const rnd = new Random(load.seed);
  let failures = 0;
  let firstError = '';
  const doneAt: number[] = [];
  const start = epochMs();
  await runConcurrently(load.count, load.concurrency, async (i) => {
    const res = await client.request('POST', '/api/v1/customers', createBody(load.firstIndex + i, rnd, load.ratePlanId));
    if (res.status !== 201) {
      failures++;
      firstError ||= `${res.status} ${res.body.slice(0, 300)}`;
    }
    doneAt.push(epochMs());
  });
  client.close();
  return { failures, firstError, start, doneAt, rate: (load.count - failures) / ((Math.max(...doneAt) - start) / 1000) };
}

/** Runs `load` in a new worker thread and resolves with its figures. */
export function createCustomersInWorker(load: CreateLoad): Promise<CreateLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: load });
    worker.once('message', (result: CreateLoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load worker exited with ${code}`));
    });
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  void runLoad(workerData as CreateLoad).then((result) => port.postMessage(result));
}
