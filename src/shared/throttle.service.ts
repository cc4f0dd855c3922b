import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { Clock } from './clock';
import { ThrottleBucketEntity } from './entities/throttle-bucket.entity';
import { ThrottledError } from './errors';

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

  async recordFailure(buckets: Array<{ key: string; policy: ThrottlePolicy }>): Promise<void> {
    const now = this.clock.now();
    await this.tx.run(async (em) => {
      for (const { key, policy } of buckets) {
        const bucket = await em.findOneBy(ThrottleBucketEntity, { bucketKey: key });
        const windowExpired = !bucket || now.getTime() - bucket.windowStart.getTime() > policy.windowSeconds * 1000;
        const failures = windowExpired ? 1 : bucket.failures + 1;
        const blockedUntil = failures >= policy.maxFailures ? new Date(now.getTime() + policy.blockSeconds * 1000) : null;
        await em.save(ThrottleBucketEntity, {
          bucketKey: key,
          failures,
          windowStart: windowExpired ? now : bucket.windowStart,
          blockedUntil,
        });
      }
    });
  }

  async reset(keys: string[]): Promise<void> {
    await this.tx.run((em) => em.delete(ThrottleBucketEntity, keys.map((bucketKey) => ({ bucketKey }))));
  }
}
