import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateStringColumn, TimestampColumn } from '../../../database/columns';

export type InvoiceRunStatus = 'running' | 'completed' | 'failed';
export type InvoiceRunTrigger = 'schedule' | 'manual';

/**
 * One invoice run: the nightly job's or one started by hand. Its counters are its progress; a run whose
 * heartbeat stops (the process died) is marked failed by the next run, which then does what is left
 * (every customer and period is invoiced at most once, whichever run gets there).
 */
@Entity('invoice_runs')
@Index('IDX_invoice_runs_status', ['status', 'id'])
export class InvoiceRunEntity {
  @PrimaryGeneratedColumn() id: number;
  /** The day invoiced up to (system time zone): periods that ended on or before it in each customer's zone. */
  @DateStringColumn() runDate: string;
  @Column({ type: 'varchar', length: 10 }) status: InvoiceRunStatus;
  @Column({ type: 'varchar', length: 10 }) trigger: InvoiceRunTrigger;
  @Column({ type: 'int', nullable: true }) startedByPersonId: number | null;
  @Column({ type: 'int', default: 0 }) customersTotal: number;
  @Column({ type: 'int', default: 0 }) customersDone: number;
  @Column({ type: 'int', default: 0 }) invoicesCreated: number;
  /** Periods found already invoiced (by an earlier or a parallel run): skipped, never billed twice. */
  @Column({ type: 'int', default: 0 }) invoicesExisting: number;
  /** Customers whose invoice could not be made (the error of the first is kept); the run goes on. */
  @Column({ type: 'int', default: 0 }) failures: number;
  @Column({ type: 'varchar', length: 500, nullable: true }) error: string | null;
  @TimestampColumn() startedAt: Date;
  @TimestampColumn() heartbeatAt: Date;
  @TimestampColumn({ nullable: true }) finishedAt: Date | null;
}
