import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MoneyColumn, TimestampColumn } from '../../../../database/columns';
import type { Money } from '../../../../shared/money';

/**
 * A batch of vouchers issued by a reseller (or the system owner): `count` vouchers of `value` in
 * `currency`, redeemable by the owner's child customers until `expiresAt`, unless locked.
 */
@Entity('voucher_batches')
// The owner's batches, newest first (the list).
@Index('IDX_voucher_batches_owner', ['ownerCustomerId', 'id'])
export class VoucherBatchEntity {
  @PrimaryGeneratedColumn() id: number;
  /** The issuer (customers module), by id: a foreign key by entity name, not a relation into that module. */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  ownerCustomerId: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  /** Each voucher's value, in `currency` (> 0). */
  @MoneyColumn() value: Money;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  @Column({ type: 'int' }) count: number;
  @Column({ type: 'int' }) serialLength: number;
  /** From this instant on, its vouchers cannot be redeemed; null: they never expire. */
  @TimestampColumn({ nullable: true }) expiresAt: Date | null;
  /** A locked batch's vouchers cannot be redeemed (until the owner unlocks it). */
  @Column({ type: 'boolean' }) locked: boolean;
  /** The person who made it (the real person, also while switched). */
  @Column({ type: 'int', nullable: true }) createdByPersonId: number | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;
}
