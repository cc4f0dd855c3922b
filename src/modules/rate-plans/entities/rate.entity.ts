import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type { Direction } from '../domain/rate';
import { RateDeckEntity } from './rate-deck.entity';

/**
 * One rate (domain RateDefinition) of a deck. Bulk paths (import, export, index building) use raw SQL
 * through RatesRepository for speed; this entity describes the table for the schema check and CRUD.
 */
@Entity('rates')
@Index('IDX_rates_deck_prefix', ['deckId', 'prefix'])
@Index('IDX_rates_plan', ['planId'])
export class RateEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) deckId: number;
  @ManyToOne(() => RateDeckEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'deck_id' })
  deck?: RateDeckEntity;
  /** Denormalised from the deck: scoping checks need no join. */
  @Column({ type: 'int' }) planId: number;
  @Column({ type: 'varchar', length: 20 }) prefix: string;
  @Column({ type: 'varchar', length: 100 }) destination: string;
  @Column({ type: 'varchar', length: 8 }) direction: Direction;
  @MoneyColumn() connectFee: Money;
  @Column({ type: 'int' }) includedSeconds: number;
  @MoneyColumn() perMinute: Money;
  @Column({ type: 'int' }) firstBlock: number;
  @Column({ type: 'int' }) increment: number;
  @MoneyColumn() minimumCharge: Money;
  @MoneyColumn() perMessage: Money;
  @Column({ type: 'varchar', length: 7, nullable: true }) days: string | null;
  @Column({ type: 'varchar', length: 5, nullable: true }) startTime: string | null;
  @Column({ type: 'varchar', length: 5, nullable: true }) endTime: string | null;
  @Column({ type: 'int' }) priority: number;
  @TimestampColumn({ nullable: true }) validFrom: Date | null;
  @TimestampColumn({ nullable: true }) validUntil: Date | null;
}
