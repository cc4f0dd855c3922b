import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** Failed-attempt counters (login, voucher redemption), in the database so every instance sees them. */
@Entity('throttle_buckets')
export class ThrottleBucketEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) bucketKey: string;
  @Column({ type: 'int' }) failures: number;
  @TimestampColumn() windowStart: Date;
  @TimestampColumn({ nullable: true }) blockedUntil: Date | null;
}
