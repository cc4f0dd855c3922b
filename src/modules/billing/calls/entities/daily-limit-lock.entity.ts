import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../../../database/columns';

/** A customer the daily spend limit locked from calls on `day` (its local date); unlocked after that day. */
@Entity('daily_limit_locks')
export class DailyLimitLockEntity {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'varchar', length: 10 }) day: string;
  @TimestampColumn() lockedAt: Date;
}
