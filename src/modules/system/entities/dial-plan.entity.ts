import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** A dial plan, owned by a reseller (or the system owner) and usable in its subtree. */
@Entity('dial_plans')
@Index('IDX_dial_plans_owner_name', ['ownerCustomerId', 'name'], { unique: true })
export class DialPlanEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) ownerCustomerId: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  @TimestampColumn() createdAt: Date;
}
