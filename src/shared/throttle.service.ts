import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isSqlite } from '../database/dialect';
import { sqlInstant } from '../database/sql-instant';
import { TransactionRunner } from '../database/transaction-runner';
import { Clock } from './clock';
import { ThrottleBucketEntity } from './entities/throttle-bucket.entity';
import { ThrottledError } from './errors';
import { JobRunner } from './jobs/job-runner';
import { sha256 } from './secrets';

export interface ThrottlePolicy {
  /** Attempts allowed within the window (failed ones, and those still being checked); then the key is refused. */
  maxFailures: number;
  windowSeconds: number;
  /** How long a key stays blocked once `maxFailures` attempts of a window have failed. */
  blockSeconds: number;
}

export interface ThrottleBucket {
  key: string;
  policy: ThrottlePolicy;
}

/** Per username: a handful of tries. */
export const LOGIN_USER_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowSeconds: 900, blockSeconds: 900 };
/** Per client address: more, since offices share one address. */
export const LOGIN_IP_THROTTLE: ThrottlePolicy = { maxFailures: 30, windowSeconds: 900, blockSeconds: 900 };
/** Set-password links per client address (the page and the API): a link is only ever mistyped, never guessed. */
export const SET_PASSWORD_IP_THROTTLE: ThrottlePolicy = { maxFailures: 10, windowSeconds: 900, blockSeconds: 900 };
/** Unknown or revoked API keys per client address. */
export const API_KEY_IP_THROTTLE: ThrottlePolicy = { maxFailures: 30, windowSeconds: 900, blockSeconds: 900 };

/** How long an attempt waits for a slot held by attempts still being checked before it is refused. */
const BUSY_WAIT_MS = 5_000;

/** Internal: no free slot, but only because attempts hold them that have not failed (yet). */
class AllSlotsBusy extends Error {}

/** The job that deletes buckets whose window and block have both passed. */
export const THROTTLE_PRUNE_JOB = 'throttle-prune';

/** `bucket_key` is VARCHAR(200): keys this long or shorter, in plain ASCII, are stored as they are. */
const KEY_PLAIN_MAX = 120;

/**
 * The stored form of a key: as given when it is short printable ASCII (readable in the table); otherwise
 * its namespace ("login:user") and a SHA-256 of the whole key, so that any input fits the column (a long
 * username made the insert fail: issue #15) and no collation folds two different keys into one (MariaDB
 * compares `Ä` and `a`, or `x` and `x `, as equal).
 */
export function throttleKey(key: string): string {
  if (key.length <= KEY_PLAIN_MAX && /^[\x21-\x7e]*$/.test(key)) return key;
  const namespace = /^[a-z0-9_-]{1,30}(:[a-z0-9_-]{1,30})?/.exec(key)?.[0] ?? 'key';
  return `${namespace}:#${sha256(key)}`;
}

interface Reserved {
  key: string;
  policy: ThrottlePolicy;
  /** The window the slot was taken in, as the driver returned it (a release in a later window changes nothing). */
  windowStart: unknown;
}

/**
 * One attempt holding a slot on each of its buckets. Exactly one of `failed` or `succeeded` should follow;
 * an attempt that never reports keeps its slots until the window passes (it counts as a failure).
 */
export class ThrottleAttempt {
  private settled = false;

  constructor(
    private readonly throttle: ThrottleService,
    readonly slots: readonly Reserved[],
  ) {}

  /** The check failed: the slots stay taken, and a bucket whose slots are all failures is blocked. */
  async failed(): Promise<void> {
    if (this.settle()) await this.throttle.fail(this.slots);
  }

  /** The check passed: the slots are given back; the buckets in `reset` are forgotten altogether. */
  async succeeded(reset: readonly string[] = []): Promise<void> {
    if (this.settle()) await this.throttle.release(this.slots, reset);
  }

  private settle(): boolean {
    const first = !this.settled;
    this.settled = true;
    return first;
  }
}

/**
 * Counts attempts at guessable secrets (passwords, set-password links, API keys, voucher serials) per key,
 * e.g. "login:user:alice" or "login:ip:1.2.3.4", in the database so every instance shares them.
 *
 * An attempt takes a slot on each of its buckets *before* the secret is checked (`reserve`, or `guard`
 * around the check), in one transaction with one conditional UPDATE per bucket (`failures + pending <
 * maxFailures`). A blocked bucket, or one whose window already holds `maxFailures` failures, refuses the
 * attempt with 429 and nothing is checked; a bucket whose free slots are held by attempts still being
 * checked makes it wait (up to BUSY_WAIT_MS) for them to settle. So at most `maxFailures` attempts per
 * key and window are ever checked, however many arrive at once (issue #13: a read-then-count let 40
 * parallel guesses all be checked). A success gives its slot back; a failure keeps it as a failure, and
 * the failure that reaches `maxFailures` blocks the key for `blockSeconds`. Buckets whose window and
 * block have both passed are deleted by a job (THROTTLE_PRUNE_JOB).
 */
@Injectable()
export class ThrottleService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    this.jobs.register({ name: THROTTLE_PRUNE_JOB, everyMs: 900_000, leaseMs: 300_000, run: async () => void (await this.prune()) });
  }

  /**
   * Runs `check` holding a slot on every bucket: a refusal (429) comes before `check` runs. When `check`
   * throws an error for which `isFailure` is true the attempt counts as failed; any other outcome gives
   * the slots back (`resetOnSuccess`: these buckets are forgotten on success, e.g. a username's).
   */
  async guard<T>(
    buckets: readonly ThrottleBucket[],
    check: () => Promise<T>,
    isFailure: (err: unknown) => boolean,
    resetOnSuccess: readonly string[] = [],
  ): Promise<T> {
    const attempt = await this.reserve(buckets);
    let result: T;
    try {
      result = await check();
    } catch (err) {
      if (isFailure(err)) await attempt.failed();
      else await attempt.succeeded();
      throw err;
    }
    await attempt.succeeded(resetOnSuccess);
    return result;
  }

  /**
   * Takes one slot on every bucket, all or none (one transaction, buckets in key order so that two
   * attempts never wait for each other in opposite orders). Throws ThrottledError (429) when a bucket
   * is blocked or holds `maxFailures` failures; waits while its slots are held by attempts being checked.
   *
   * Per bucket: one upsert makes sure the row exists and starts it again when its window (or its block)
   * has passed; then `UPDATE ... SET pending = pending + 1 WHERE blocked_until IS NULL AND failures +
   * pending < max` takes a slot or changes nothing. On MariaDB the upsert locks the row until commit; SQLite runs one
   * transaction at a time. The upsert's SET list is ordered so that MariaDB (assignments left to right,
   * later ones reading earlier results) and SQLite (every expression reads the old row) agree:
   * `window_start` is the only assigned column the later `blocked_until` expression reads, and it
   * changes only when the whole condition held, which then still holds through `blocked_until`.
   */
  async reserve(buckets: readonly ThrottleBucket[]): Promise<ThrottleAttempt> {
    const sorted = dedupe(buckets).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const started = performance.now();
    for (;;) {
      try {
        return new ThrottleAttempt(this, await this.takeSlots(sorted));
      } catch (err) {
        if (!(err instanceof AllSlotsBusy)) throw err;
        // Every slot is held by an attempt still being checked (a double click, or a burst of guesses):
        // wait for them to settle rather than answer 429 for failures that may never happen.
        if (performance.now() - started > BUSY_WAIT_MS) {
          throw new ThrottledError('too many attempts at once; try again in 1 second', 1);
        }
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30));
      }
    }
  }

  private async takeSlots(sorted: readonly ThrottleBucket[]): Promise<Reserved[]> {
    const now = this.clock.now();
    return this.tx.run(async (em) => {
      const taken: Reserved[] = [];
      for (const { key, policy } of sorted) {
        assertPolicy(policy);
        const at = sqlInstant(now);
        const opened = sqlInstant(new Date(now.getTime() - policy.windowSeconds * 1000));
        const windowEnd = sqlInstant(new Date(now.getTime() + policy.windowSeconds * 1000));
        const restart = '((blocked_until IS NULL AND window_start <= ?) OR blocked_until <= ?)';
        const set =
          `failures = CASE WHEN ${restart} THEN 0 ELSE failures END, ` +
          `pending = CASE WHEN ${restart} THEN 0 ELSE pending END, ` +
          `expires_at = CASE WHEN ${restart} THEN ? ELSE expires_at END, ` +
          `window_start = CASE WHEN ${restart} THEN ? ELSE window_start END, ` +
          `blocked_until = CASE WHEN ${restart} THEN NULL ELSE blocked_until END`;
        const r = [opened, at];
        await em.query(
          'INSERT INTO throttle_buckets (bucket_key, failures, pending, window_start, blocked_until, expires_at) VALUES (?, 0, 0, ?, NULL, ?) ' +
            (isSqlite(em) ? `ON CONFLICT (bucket_key) DO UPDATE SET ${set}` : `ON DUPLICATE KEY UPDATE ${set}`),
          [key, at, windowEnd, ...r, ...r, ...r, windowEnd, ...r, at, ...r],
        );
        const took = await em
          .createQueryBuilder()
          .update(ThrottleBucketEntity)
          .set({ pending: () => 'pending + 1' })
          .where('bucket_key = :key AND blocked_until IS NULL AND failures + pending < :max', { key, max: policy.maxFailures })
          .execute();
        const [row] = (await em.query('SELECT window_start, blocked_until, failures FROM throttle_buckets WHERE bucket_key = ?', [
          key,
        ])) as Array<BucketTimes & { failures: unknown }>;
        // No row: the prune job deleted it between the statements (MariaDB's upsert then changes nothing); again.
        if (!row) throw new AllSlotsBusy();
        if ((took.affected ?? 0) !== 1) {
          // Rolls back the slots taken on the other buckets.
          throw row.blocked_until === null && Number(row.failures) < policy.maxFailures ? new AllSlotsBusy() : refusal(row, policy, now);
        }
        taken.push({ key, policy, windowStart: row.window_start });
      }
      return taken;
    });
  }

  /** Counts a failure that has already happened (a slot taken and failed at once); 429 when there was no slot. */
  async recordFailure(buckets: readonly ThrottleBucket[]): Promise<void> {
    await (await this.reserve(buckets)).failed();
  }

  /**
   * @internal ThrottleAttempt.failed: each slot becomes a failure (in its own window only); the failure
   * that reaches `maxFailures` blocks the key (and keeps the row until the block ends). `failures` is
   * assigned last, so every expression reads the old row on both databases.
   */
  async fail(slots: readonly Reserved[]): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async (em) => {
      for (const s of slots) {
        const until = sqlInstant(new Date(now.getTime() + s.policy.blockSeconds * 1000));
        const blocks = '(blocked_until IS NULL AND failures + 1 >= ?)';
        await em.query(
          'UPDATE throttle_buckets SET ' +
            `expires_at = CASE WHEN ${blocks} AND expires_at < ? THEN ? ELSE expires_at END, ` +
            `blocked_until = CASE WHEN ${blocks} THEN ? ELSE blocked_until END, ` +
            'failures = failures + 1, pending = pending - 1 ' +
            'WHERE bucket_key = ? AND window_start = ? AND pending > 0',
          [s.policy.maxFailures, until, until, s.policy.maxFailures, until, s.key, s.windowStart],
        );
      }
    });
  }

  /**
   * @internal ThrottleAttempt.succeeded: gives the slots back (in their own window only); the buckets in
   * `reset` also forget their failures. Rows are never deleted here: a DELETE racing MariaDB's upsert of
   * the same key makes the upsert change nothing (only the prune job deletes, and `reserve` copes).
   */
  async release(slots: readonly Reserved[], reset: readonly string[]): Promise<void> {
    const forget = new Set(reset.map(throttleKey));
    await this.tx.run(async (em) => {
      for (const s of slots) {
        const also = forget.has(s.key) ? ', failures = 0, blocked_until = NULL' : '';
        await em.query(
          `UPDATE throttle_buckets SET pending = CASE WHEN window_start = ? AND pending > 0 THEN pending - 1 ELSE pending END${also} WHERE bucket_key = ?`,
          [s.windowStart, s.key],
        );
      }
    });
  }

  /**
   * SQL of one column answering 1 when a bucket is blocked now, for a caller that reads it in a statement
   * of its own (the auth guard's API-key lookup: a blocked address is refused without a second statement).
   * Two `?`: the stored key (`throttleKey(...)`) and `nowSql()`.
   */
  blockedSql(): string {
    return '(SELECT 1 FROM throttle_buckets tb WHERE tb.bucket_key = ? AND tb.blocked_until > ?)';
  }

  /** The clock's now, as `blockedSql` compares it. */
  nowSql(): string {
    return sqlInstant(this.clock.now());
  }

  /** A ThrottledError for a bucket found blocked by `blockedSql` (Retry-After from its row). */
  async refused(key: string, policy: ThrottlePolicy): Promise<ThrottledError> {
    const [row] = (await this.dataSource.query('SELECT window_start, blocked_until FROM throttle_buckets WHERE bucket_key = ?', [
      throttleKey(key),
    ])) as BucketTimes[];
    return refusal(row, policy, this.clock.now());
  }

  /** Forgets the failures and block of buckets (attempts being checked keep their slots). */
  async reset(keys: readonly string[]): Promise<void> {
    if (!keys.length) return;
    await this.tx.run(async (em) => {
      for (const key of keys)
        await em.query('UPDATE throttle_buckets SET failures = 0, blocked_until = NULL WHERE bucket_key = ?', [throttleKey(key)]);
    });
  }

  /** Deletes the buckets whose window and block have both passed; answers how many. */
  async prune(): Promise<number> {
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .delete()
      .from(ThrottleBucketEntity)
      .where('expires_at <= :now', { now: sqlInstant(this.clock.now()) })
      .execute();
    return result.affected ?? 0;
  }
}

interface BucketTimes {
  window_start: unknown;
  blocked_until: unknown;
}

/** A raw datetime as the drivers return it: a Date (mysql2, time zone Z) or "YYYY-MM-DD HH:MM:SS.mmm" (SQLite, UTC). */
function instant(raw: unknown): Date | null {
  if (raw === null || raw === undefined) return null;
  return raw instanceof Date ? raw : new Date(`${String(raw).replace(' ', 'T')}Z`);
}

/** The 429 for a bucket without a free slot: blocked, until the block ends; full of attempts being checked, at most until the window ends. */
function refusal(row: BucketTimes | undefined, policy: ThrottlePolicy, now: Date): ThrottledError {
  const blockedUntil = instant(row?.blocked_until);
  const windowStart = instant(row?.window_start) ?? now;
  const until = blockedUntil ?? new Date(windowStart.getTime() + policy.windowSeconds * 1000);
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new ThrottledError(`too many failed attempts; try again in ${seconds} seconds`, seconds);
}

/** One slot per key even if a caller names a bucket twice (a username equal to an address...). */
function dedupe(buckets: readonly ThrottleBucket[]): ThrottleBucket[] {
  const byKey = new Map<string, ThrottleBucket>();
  for (const b of buckets) {
    const key = throttleKey(b.key);
    if (!byKey.has(key)) byKey.set(key, { key, policy: b.policy });
  }
  return [...byKey.values()];
}

function assertPolicy(p: ThrottlePolicy): void {
  const ok = (n: number) => Number.isInteger(n) && n >= 1;
  if (!ok(p.maxFailures) || !ok(p.windowSeconds) || !ok(p.blockSeconds)) throw new Error(`invalid throttle policy ${JSON.stringify(p)}`);
}
