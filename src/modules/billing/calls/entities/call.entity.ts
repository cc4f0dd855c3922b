import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../../database/columns';

export const CALL_STATUSES = ['active', 'ended', 'expired'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/**
 * One call of one customer, by the switch's call id: authorised (`active`, holding reservations on the
 * balances of its levels), then `ended` by its CDR, or `expired` when no CDR came within its maximum
 * duration plus the grace period (a CDR arriving later still charges it). The unique (customer, call id)
 * makes a CDR count once even when two copies race.
 */
@Entity('calls')
@Index('IDX_calls_customer_ref', ['customerId', 'callRef'], { unique: true })
@Index('IDX_calls_status_expires', ['status', 'expiresAt'])
@Index('IDX_calls_customer_started', ['customerId', 'startedAt'])
export class CallEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  /** The switch's call id. */
  @Column({ type: 'varchar', length: 128 }) callRef: string;
  /** The customer whose API key reported the call (the switch's owner). */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  switchCustomerId: number;
  @Column({ type: 'varchar', length: 8 }) direction: 'outbound' | 'inbound';
  @Column({ type: 'varchar', length: 40 }) caller: string;
  @Column({ type: 'varchar', length: 32 }) called: string;
  @Column({ type: 'varchar', length: 10 }) status: CallStatus;
  @TimestampColumn({ nullable: true }) authorizedAt: Date | null;
  @TimestampColumn({ nullable: true }) expiresAt: Date | null;
  @Column({ type: 'int', nullable: true }) maxDuration: number | null;
  @TimestampColumn({ nullable: true }) startedAt: Date | null;
  @TimestampColumn({ nullable: true }) answeredAt: Date | null;
  @TimestampColumn({ nullable: true }) endedAt: Date | null;
  /** Answered seconds (0 for an unanswered call). */
  @Column({ type: 'int', nullable: true }) duration: number | null;
  /** The customer's billing reference when the call was charged. */
  @Column({ type: 'varchar', length: 100, nullable: true }) billingReference: string | null;
  /** Hashes of the authorize request and of the CDR: a repeat must carry the same data, else 409. */
  @Column({ type: 'varchar', length: 64, nullable: true }) authorizeHash: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) cdrHash: string | null;
  /** The CDR's answer as JSON, given again to a replay. */
  @Column({ type: 'text', nullable: true }) result: string | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;
}
