import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/** Samples process.memoryUsage().rss every `everyMs` while running. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  readonly startRss: number;
  readonly startHeap: number;
  peakRss: number;
  peakHeap: number;
  samples = 0;

  constructor(private readonly everyMs = 100) {
    const m = process.memoryUsage();
    this.startRss = m.rss;
    this.startHeap = m.heapUsed;
    this.peakRss = m.rss;
    this.peakHeap = m.heapUsed;
  }

  start(): this {
    this.timer = setInterval(() => this.sample(), this.everyMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.samples++;
    if (rss > this.peakRss) this.peakRss = rss;
    if (heapUsed > this.peakHeap) this.peakHeap = heapUsed;
  }

  stop(): { startMb: number; peakMb: number; deltaMb: number; samples: number; startHeapMb: number; peakHeapMb: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return {
      startMb: mb(this.startRss),
      peakMb: mb(this.peakRss),
      deltaMb: mb(this.peakRss - this.startRss),
      samples: this.samples,
      startHeapMb: mb(this.startHeap),
      peakHeapMb: mb(this.peakHeap),
    };
  }
}

export const mb = (bytes: number): number => bytes / (1024 * 1024);

/** The kernel's RSS high-water mark of this process (VmHWM), in MB: a cross-check of the sampler. */
export function kernelPeakRssMb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Full GC when available (the children run with --expose-gc; otherwise it is enabled here). */
export function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}
