import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isSqlite } from '../database/dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { Clock } from './clock';
import { ThrottleBucketEntity } from './entities/throttle-bucket.entity';
import { ThrottledError } from './errors';

/** A UTC instant as `datetime` columns hold it ("2026-01-01 00:00:00.000"), for raw SQL on both databases. */
const sqlInstant = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

export interface ThrottlePolicy {
  /** Failures allowed within the window before the key is blocked. */
  maxFailures: number;
  windowSeconds: number;
  blockSeconds: number;
}

/** Per username: a handful of tries. */
export const LOGIN_USER_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowSeconds: 900, blockSeconds: 900 };
/** Per client address: more, since offices share one address. */
export const LOGIN_IP_THROTTLE: ThrottlePolicy = { maxFailures: 30, windowSeconds: 900, blockSeconds: 900 };

/**
 * Counts failed attempts per key (e.g. "login:user:alice", "login:ip:1.2.3.4") in the database so every
 * instance shares them. Successful attempts do not count; a blocked key answers 429 until it expires.
 */
@Injectable()
export class ThrottleService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async assertAllowed(keys: string[]): Promise<void> {
    const now = this.clock.now();
    const repo = this.dataSource.getRepository(ThrottleBucketEntity);
    for (const key of keys) {
      const bucket = await repo.findOneBy({ bucketKey: key });
      if (bucket?.blockedUntil && bucket.blockedUntil > now) {
        const seconds = Math.ceil((bucket.blockedUntil.getTime() - now.getTime()) / 1000);
        throw new ThrottledError(`too many failed attempts; try again in ${seconds} seconds`, seconds);
      }
    }
  }

  /**
   * Counts one failure on each bucket, atomically: one upsert per bucket that inserts it with 1, or adds 1
   * to it (starting again at 1 when its window has passed) and sets the block when the count reaches the
   * policy's maximum, all in the one statement. Parallel failures therefore each count (a read-then-write
   * here lost updates: issue #13). The SET list is ordered so that MariaDB, which applies assignments
   * left to right, and SQLite, which reads the old row in every expression, compute the same thing:
   * `blocked_until` and `failures` read the old `failures`/`window_start`, `window_start` changes last.
   * Answers the buckets' failure counts after this one.
   */
  async recordFailure(buckets: Array<{ key: string; policy: ThrottlePolicy }>): Promise<number[]> {
    const now = this.clock.now();
    return this.tx.run(async (em) => {
      const counts: number[] = [];
      for (const { key, policy } of buckets) {
        const at = sqlInstant(now);
        const windowOpenedBefore = sqlInstant(new Date(now.getTime() - policy.windowSeconds * 1000));
        const blockUntil = sqlInstant(new Date(now.getTime() + policy.blockSeconds * 1000));
        const firstBlock = policy.maxFailures <= 1 ? blockUntil : null;
        const set =
          'blocked_until = CASE WHEN window_start < ? THEN ? WHEN failures + 1 >= ? THEN ? ELSE NULL END, ' +
          'failures = CASE WHEN window_start < ? THEN 1 ELSE failures + 1 END, ' +
          'window_start = CASE WHEN window_start < ? THEN ? ELSE window_start END';
        const setParams = [windowOpenedBefore, firstBlock, policy.maxFailures, blockUntil, windowOpenedBefore, windowOpenedBefore, at];
        await em.query(
          'INSERT INTO throttle_buckets (bucket_key, failures, window_start, blocked_until) VALUES (?, 1, ?, ?) ' +
            (isSqlite(em) ? `ON CONFLICT (bucket_key) DO UPDATE SET ${set}` : `ON DUPLICATE KEY UPDATE ${set}`),
          [key, at, firstBlock, ...setParams],
        );
        // Our own row version (the upsert locked it on MariaDB; SQLite runs one transaction at a time).
        const [row] = (await em.query('SELECT failures FROM throttle_buckets WHERE bucket_key = ?', [key])) as Array<{ failures: unknown }>;
        counts.push(Number(row?.failures ?? 0));
      }
      return counts;
    });
  }

  async reset(keys: string[]): Promise<void> {
    await this.tx.run((em) => em.delete(ThrottleBucketEntity, keys.map((bucketKey) => ({ bucketKey }))));
  }
}
