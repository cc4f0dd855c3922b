import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** The single row (id = 1) of platform-wide settings. */
@Entity('system_settings')
export class SystemSettingsEntity {
  @PrimaryColumn({ type: 'int' }) id: number;
  @Column({ type: 'boolean', default: false }) customerPrefixes: boolean;
  @Column({ type: 'boolean', default: false }) regions: boolean;
  @Column({ type: 'int', nullable: true }) costPlanId: number | null;
  @Column({ type: 'varchar', length: 64 }) timezone: string;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  /** Signs CSRF tokens; made on first start and kept so forms survive restarts. */
  @Column({ type: 'varchar', length: 128 }) csrfSecret: string;
  @TimestampColumn() updatedAt: Date;
}
