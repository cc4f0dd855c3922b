import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

@Entity('regions')
@Index('IDX_regions_name', ['name'], { unique: true })
export class RegionEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @TimestampColumn() createdAt: Date;
}
