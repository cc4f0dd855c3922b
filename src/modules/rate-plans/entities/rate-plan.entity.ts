import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DecimalColumn, MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type Decimal from 'decimal.js';

export const SHARING_MODES = ['private', 'children', 'recursive'] as const;
export type Sharing = (typeof SHARING_MODES)[number];
export const BILLING_PERIODS = ['monthly', 'quarterly', 'annually', 'indefinite'] as const;
export type BillingPeriod = (typeof BILLING_PERIODS)[number];

/**
 * A rate plan. Every nullable setting means "inherit": from the plan named by `inheritsFromId`, or the
 * platform default when there is none. Customer-setting defaults apply to customers that leave the
 * setting unset.
 */
@Entity('rate_plans')
@Index('IDX_rate_plans_owner', ['ownerCustomerId'])
export class RatePlanEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) ownerCustomerId: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  @Column({ type: 'varchar', length: 10 }) sharing: Sharing;
  @Column({ type: 'int', nullable: true }) inheritsFromId: number | null;
  /** Decimal places of call prices. */
  @Column({ type: 'int', nullable: true }) precision: number | null;

  @MoneyColumn({ nullable: true }) signupFee: Money | null;
  @MoneyColumn({ nullable: true }) accountFee: Money | null;
  @MoneyColumn({ nullable: true }) lineFee: Money | null;
  @MoneyColumn({ nullable: true }) numberFee: Money | null;
  @Column({ type: 'int', nullable: true }) includedSeconds: number | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) billingPeriod: BillingPeriod | null;
  @Column({ type: 'int', nullable: true }) dueDays: number | null;
  @Column({ type: 'int', nullable: true }) overdueDays: number | null;
  @Column({ type: 'boolean', nullable: true }) deferBilling: boolean | null;
  @Column({ type: 'int', nullable: true }) minimumContractMonths: number | null;

  @DecimalColumn({ nullable: true }) markupOutboundConnect: Decimal | null;
  @DecimalColumn({ nullable: true }) markupOutboundPerMinute: Decimal | null;
  @DecimalColumn({ nullable: true }) markupOutboundMessage: Decimal | null;
  @DecimalColumn({ nullable: true }) markupInboundConnect: Decimal | null;
  @DecimalColumn({ nullable: true }) markupInboundPerMinute: Decimal | null;

  // Defaults for customers that leave these unset. dailySpendLimitMicros / maxConcurrentCalls use -1 for unlimited.
  @Column({ type: 'bigint', nullable: true }) dailySpendLimitMicros: string | number | null;
  @Column({ type: 'int', nullable: true }) maxConcurrentCalls: number | null;
  @Column({ type: 'boolean', nullable: true }) externalCallerId: boolean | null;
  @Column({ type: 'int', nullable: true }) dialPlanId: number | null;
  @Column({ type: 'int', nullable: true }) invoiceDueDays: number | null;
  @Column({ type: 'boolean', nullable: true }) sendInvoices: boolean | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) invoiceFormat: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) invoiceDetail: string | null;

  /** Changes with every change of the plan's rates or decks: rate caches compare it to stay fresh. */
  @Column({ type: 'int', default: 0 }) ratesVersion: number;

  @TimestampColumn({ nullable: true }) deletedAt: Date | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;
}
