import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed', 'kept'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * An email, written in the same transaction as the change that causes it and delivered after commit.
 * `kept` = no SMTP configured: the mail stays here and the admin pages show it.
 */
@Entity('outbox_emails')
@Index('IDX_outbox_status_next', ['status', 'nextAttemptAt'])
@Index('IDX_outbox_customer', ['customerId'])
/** Kept rows without text; partial (SQLite) or prefix (MariaDB) index made by migration 1764400000000. */
@Index('IDX_outbox_unrendered', { synchronize: false })
export class OutboxEmailEntity {
  @PrimaryGeneratedColumn() id: number;
  /** The customer the mail concerns, for scoping the outbox pages. */
  @Column({ type: 'int', nullable: true }) customerId: number | null;
  @Column({ type: 'varchar', length: 254 }) toAddress: string;
  @Column({ type: 'varchar', length: 300 }) subject: string;
  @Column({ type: 'varchar', length: 64 }) template: string;
  /** JSON of the template's context. */
  @Column({ type: 'text' }) context: string;
  /** Rendered text body, kept for the outbox pages. */
  @Column({ type: 'text', nullable: true }) bodyText: string | null;
  @Column({ type: 'varchar', length: 10 }) status: OutboxStatus;
  @Column({ type: 'int', default: 0 }) attempts: number;
  @TimestampColumn() nextAttemptAt: Date;
  /** Claim lease: a sender owns a `sending` row until then; after it another may retry. */
  @TimestampColumn({ nullable: true }) leaseUntil: Date | null;
  @TimestampColumn({ nullable: true }) sentAt: Date | null;
  @Column({ type: 'varchar', length: 1000, nullable: true }) lastError: string | null;
  @TimestampColumn() createdAt: Date;
}
