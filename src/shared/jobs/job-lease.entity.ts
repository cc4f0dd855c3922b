import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/**
 * One row per background job: who runs it now (`holder` until `leaseUntil`) and how its last run went.
 * An instance may run a job only while it holds the lease; a holder that dies loses it when
 * `leaseUntil` passes, so another instance takes over.
 */
@Entity('job_leases')
export class JobLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 }) name: string;
  /** Instance id of the runner holding the lease; null when nobody runs the job. */
  @Column({ type: 'varchar', length: 200, nullable: true }) holder: string | null;
  @TimestampColumn({ nullable: true }) leaseUntil: Date | null;
  @TimestampColumn({ nullable: true }) heartbeatAt: Date | null;
  @TimestampColumn({ nullable: true }) lastStartedAt: Date | null;
  @TimestampColumn({ nullable: true }) lastFinishedAt: Date | null;
  /** Error of the last run; null when it succeeded. */
  @Column({ type: 'varchar', length: 1000, nullable: true }) lastError: string | null;
  /** Runs started, by any instance. */
  @Column({ type: 'int', default: 0 }) runs: number;
}
