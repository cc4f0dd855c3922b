/** Pure rules of the job runner: definitions, heartbeat period, error recognition. No Nest, no TypeORM. */

/** What a job sees while it runs. */
export interface JobContext {
  name: string;
  /** This instance's holder id. */
  holder: string;
  startedAt: Date;
  /**
   * Aborted when the lease was lost (a heartbeat found another holder: this run took longer than the
   * lease without a heartbeat getting through) or the application is shutting down. Long jobs check
   * it between steps and stop.
   */
  signal: AbortSignal;
}

export interface JobDefinition {
  /** Unique name: the lease row's key and the SchedulerRegistry entry. */
  name: string;
  /** Tick every so many milliseconds... */
  everyMs?: number;
  /** ...or on a cron expression (with seconds or without), in `timeZone` (IANA, default UTC). */
  cron?: string;
  timeZone?: string;
  /**
   * How long the lease lasts without a heartbeat: an instance that dies holding it is taken over after
   * at most this long. Heartbeats extend it every leaseMs/3 while the job runs.
   */
  leaseMs: number;
  run(ctx: JobContext): Promise<void>;
}

/** Name length of the `job_leases.name` column. */
export const MAX_JOB_NAME_LENGTH = 100;
/** Below this a lease would need heartbeats more often than a busy database answers them. */
export const MIN_LEASE_MS = 300;
/** `job_leases.last_error` length. */
export const MAX_ERROR_LENGTH = 1000;

/** Throws when a definition cannot work; called by `register`, so a mistake fails at start-up. */
export function validateJobDefinition(def: JobDefinition): void {
  const where = `job ${JSON.stringify(def.name)}`;
  if (!def.name || def.name.length > MAX_JOB_NAME_LENGTH)
    throw new Error(`${where}: name must have 1 to ${MAX_JOB_NAME_LENGTH} characters`);
  if ((def.everyMs === undefined) === (def.cron === undefined)) throw new Error(`${where}: give exactly one of everyMs and cron`);
  if (def.everyMs !== undefined && !(Number.isInteger(def.everyMs) && def.everyMs > 0)) {
    throw new Error(`${where}: everyMs must be a positive whole number of milliseconds`);
  }
  if (def.timeZone !== undefined && def.cron === undefined) throw new Error(`${where}: timeZone applies to cron jobs only`);
  if (!(Number.isInteger(def.leaseMs) && def.leaseMs >= MIN_LEASE_MS)) {
    throw new Error(`${where}: leaseMs must be a whole number of at least ${MIN_LEASE_MS} milliseconds`);
  }
}

/** Three heartbeats per lease: two may be late or lost before another instance could take over. */
export function heartbeatEveryMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

export function leaseUntil(now: Date, leaseMs: number): Date {
  return new Date(now.getTime() + leaseMs);
}

/** One line for `last_error` and the log. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
