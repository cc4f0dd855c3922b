import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/**
 * A billing period whose recurring fees were posted for a customer (period_start 'signup': the sign-up
 * fee). The primary key makes each posting happen once; lines and numbers are the counts that were billed.
 */
@Entity('fee_periods')
export class FeePeriodEntity {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @PrimaryColumn({ type: 'varchar', length: 10 }) periodStart: string;
  @Column({ type: 'int', default: 0 }) lines: number;
  @Column({ type: 'int', default: 0 }) numbers: number;
  @TimestampColumn() postedAt: Date;
}
