import { loadavg } from 'node:os';

/** Percentile by nearest rank over an unsorted sample (ms). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * Calls `batch` (which returns how many operations it did) in `windows` timed windows of about
 * `totalMs / windows` each and returns the median window's rate: the machine is shared (2 cores,
 * other processes), and the median keeps one disturbed window from moving the figure.
 */
export function opsPerSecond(
  totalMs: number,
  batch: (iteration: number) => number,
  windows = 5,
): { perSecond: number; ops: number; ms: number } {
  const rates: number[] = [];
  let ops = 0;
  let iteration = 0;
  const begin = nowMs();
  for (let w = 0; w < windows; w++) {
    const start = nowMs();
    let windowOps = 0;
    let elapsed = 0;
    do {
      windowOps += batch(iteration++);
      elapsed = nowMs() - start;
    } while (elapsed < totalMs / windows);
    ops += windowOps;
    rates.push((windowOps / elapsed) * 1000);
  }
  rates.sort((a, b) => a - b);
  return { perSecond: rates[Math.floor(rates.length / 2)], ops, ms: nowMs() - begin };
}

/** 1-minute load average (other work on the machine disturbs the figures). */
export function loadAverage(): number {
  return Number(loadavg()[0].toFixed(2));
}
