import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/**
 * Attempt counters at guessable secrets (logins, set-password links, API keys, voucher serials), in the
 * database so every instance sees them. See ThrottleService.
 */
@Entity('throttle_buckets')
export class ThrottleBucketEntity {
  /** Short ASCII keys as given, others hashed (throttleKey), so any input fits. */
  @PrimaryColumn({ type: 'varchar', length: 200 }) bucketKey: string;
  /** Failed attempts in the current window. */
  @Column({ type: 'int' }) failures: number;
  /** Attempts holding a slot while their secret is being checked. */
  @Column({ type: 'int', default: 0 }) pending: number;
  @TimestampColumn() windowStart: Date;
  @TimestampColumn({ nullable: true }) blockedUntil: Date | null;
  /** When the window and the block have both passed: the row means nothing after it (pruned by a job). */
  @Index('IDX_throttle_buckets_expires_at')
  @TimestampColumn()
  expiresAt: Date;
}
