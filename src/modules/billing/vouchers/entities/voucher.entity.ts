import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../../database/columns';

/**
 * One voucher of a batch. The serial is kept in plain text (its owner exports it as CSV) and shown only to
 * the batch owner's administrators; it is unique across all batches. Redeemed at most once: the
 * redemption is a conditional UPDATE (`redeemed_at IS NULL`) in the same transaction as its ledger posting.
 */
@Entity('vouchers')
@Index('IDX_vouchers_serial', ['serial'], { unique: true })
// A batch's vouchers in order (the list, the CSV), and how many of them are redeemed (a range of the second).
@Index('IDX_vouchers_batch', ['batchId', 'id'])
@Index('IDX_vouchers_batch_redeemed', ['batchId', 'redeemedAt'])
export class VoucherEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' })
  @ForeignKey('VoucherBatchEntity', { onDelete: 'RESTRICT' })
  batchId: number;
  @Column({ type: 'varchar', length: 32 }) serial: string;
  @TimestampColumn({ nullable: true }) redeemedAt: Date | null;
  /** The customer it was credited to (customers module), by id. */
  @Column({ type: 'int', nullable: true })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  redeemedByCustomerId: number | null;
  /** The ledger transaction that credited it. */
  @Column({ type: 'int', nullable: true })
  @ForeignKey('LedgerTransactionEntity', { onDelete: 'RESTRICT' })
  ledgerTransactionId: number | null;
}
