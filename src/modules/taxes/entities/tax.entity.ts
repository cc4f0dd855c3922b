import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DecimalColumn, MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type Decimal from 'decimal.js';

export const TAX_APPLIES_TO = ['calls', 'messages', 'account_fees', 'line_fees', 'number_fees', 'charges', 'signup_fees'] as const;
export const TAX_LIABILITY = ['none', 'new', 'all'] as const;

@Entity('taxes')
@Index('IDX_taxes_owner', ['ownerCustomerId'])
export class TaxEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) ownerCustomerId: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @DecimalColumn({ nullable: true }) percentage: Decimal | null;
  @MoneyColumn({ nullable: true }) flatAmount: Money | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) currency: string | null;
  /** Comma-separated TAX_APPLIES_TO values. */
  @Column({ type: 'varchar', length: 200 }) appliesTo: string;
  @Column({ type: 'varchar', length: 8 }) defaultLiability: string;
  /** EN 16931 VAT category code (S, Z, E, AE, K, G, O, L, M). */
  @Column({ type: 'varchar', length: 4 }) categoryCode: string;
  @Column({ type: 'boolean', default: false }) shared: boolean;
  @TimestampColumn({ nullable: true }) deletedAt: Date | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;
}
