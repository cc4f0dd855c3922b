import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** Long-lived API key: shown once, stored as SHA-256 (keys are 256-bit random, so a fast hash is safe). */
@Entity('api_keys')
@Index('IDX_api_keys_hash', ['secretHash'], { unique: true })
@Index('IDX_api_keys_person', ['personId'])
export class ApiKeyEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) personId: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  /** First characters of the key, to recognise it in lists. */
  @Column({ type: 'varchar', length: 16 }) keyPrefix: string;
  @Column({ type: 'varchar', length: 64 }) secretHash: string;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn({ nullable: true }) lastUsedAt: Date | null;
  @TimestampColumn({ nullable: true }) revokedAt: Date | null;
}
