import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MoneyColumn, TimestampColumn } from '../../../../database/columns';
import type { Money } from '../../../../shared/money';
import type { TopUpChannel, TopUpStatus } from '../../domain/topup-requests';

/**
 * A top-up request (domain/topup-requests.ts): raised by the automatic top-up when the customer's balance
 * crossed its low-balance threshold, then paid by card or decided by the parent. The customer's name and
 * account number are kept as they were when it was raised (what the parent was asked about; the list
 * searches them).
 */
@Entity('topup_requests')
// The lists: a parent's requests by status, newest first, and one customer's.
@Index('IDX_topup_requests_parent', ['parentId', 'status', 'id'])
@Index('IDX_topup_requests_customer', ['customerId', 'id'])
// At most one open request per customer: the customer's id while pending, NULL once decided (NULLs never collide).
@Index('UQ_topup_requests_open', ['openCustomerId'], { unique: true })
export class TopUpRequestEntity {
  @PrimaryGeneratedColumn() id: number;
  /** The customer to credit (customers module), by id: a foreign key by entity name. */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  /** Its parent when raised: whose administrators decide a `parent` request. Null for the system owner. */
  @Column({ type: 'int', nullable: true })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  parentId: number | null;
  /** `customerId` while the request is pending, else null: the unique index allows one open request per customer. */
  @Column({ type: 'int', nullable: true }) openCustomerId: number | null;
  @Column({ type: 'varchar', length: 200 }) customerName: string;
  @Column({ type: 'varchar', length: 40, nullable: true }) accountNumber: string | null;
  /** Positive, in `currency` (the customer's). */
  @MoneyColumn() amount: Money;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  /** The balance right after the debit that raised it. */
  @MoneyColumn() balanceAtRequest: Money;
  @Column({ type: 'varchar', length: 10 }) status: TopUpStatus;
  @Column({ type: 'varchar', length: 10 }) channel: TopUpChannel;
  /** True when raised by the automatic top-up on low balance. */
  @Column({ type: 'boolean', default: false }) automatic: boolean;
  /** Card channel: the provider's name and its reference of the charge (or of the decline). */
  @Column({ type: 'varchar', length: 20, nullable: true }) provider: string | null;
  @Column({ type: 'varchar', length: 100, nullable: true }) providerReference: string | null;
  /** Card charges tried so far (the processor gives up after a few errors that are not a decline). */
  @Column({ type: 'int', default: 0 }) attempts: number;
  /** A rejection's note, or why the card charge failed. */
  @Column({ type: 'varchar', length: 500, nullable: true }) reason: string | null;
  /** The administrator who approved or rejected it (the real person, also while switched). */
  @Column({ type: 'int', nullable: true }) decidedByPersonId: number | null;
  /** The top-up transaction that credited it (approved or paid). */
  @Column({ type: 'int', nullable: true }) ledgerTransactionId: number | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn({ nullable: true }) decidedAt: Date | null;
}
