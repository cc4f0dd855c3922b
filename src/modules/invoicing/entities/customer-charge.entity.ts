import { Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';

/**
 * A charge the parent puts on a customer: one-off (debited when added) or recurring (debited at the start
 * of each billing period, in advance, until ended). `amount` is what the customer pays, `cost` what it
 * costs the parent (for profit: affiliate fees on the profit basis), both in the customer's currency.
 */
@Entity('customer_charges')
@Index('IDX_customer_charges_customer', ['customerId', 'id'])
export class CustomerChargeEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'varchar', length: 200 }) description: string;
  @MoneyColumn() amount: Money;
  @MoneyColumn({ default: 0 }) cost: Money;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  @Column({ type: 'boolean', default: false }) recurring: boolean;
  @Column({ type: 'int', nullable: true }) createdByPersonId: number | null;
  @TimestampColumn() createdAt: Date;
  /** A recurring charge ended: no period starting after this is charged. */
  @TimestampColumn({ nullable: true }) endedAt: Date | null;
}

/** One period of a recurring charge (or the one posting of a one-off, period_start 'once'), posted once. */
@Entity('charge_postings')
export class ChargePostingEntity {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CustomerChargeEntity', { onDelete: 'CASCADE' })
  chargeId: number;
  @PrimaryColumn({ type: 'varchar', length: 10 }) periodStart: string;
  @Column({ type: 'int', nullable: true }) ledgerTransactionId: number | null;
  @TimestampColumn() postedAt: Date;
}
