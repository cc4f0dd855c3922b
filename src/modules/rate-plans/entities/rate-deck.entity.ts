import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';
import { RatePlanEntity } from './rate-plan.entity';

export const DECK_SOURCES = ['import', 'manual'] as const;
export type DeckSource = (typeof DECK_SOURCES)[number];

/**
 * One complete set of a plan's rates. The deck in force at time T is the plan's deck with the latest
 * `effectiveFrom` <= T (ties: the later id), so an import can be loaded now and take effect later.
 */
@Entity('rate_decks')
@Index('IDX_rate_decks_plan_from', ['planId', 'effectiveFrom'])
export class RateDeckEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) planId: number;
  @ManyToOne(() => RatePlanEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id' })
  plan?: RatePlanEntity;
  @TimestampColumn() effectiveFrom: Date;
  @Column({ type: 'int', default: 0 }) rateCount: number;
  /** Changes with every edit of one of the deck's rates (imports make a new deck instead). */
  @Column({ type: 'int', default: 0 }) version: number;
  @Column({ type: 'varchar', length: 10 }) source: DeckSource;
  @Column({ type: 'int', nullable: true }) createdByPersonId: number | null;
  @TimestampColumn() createdAt: Date;
}
