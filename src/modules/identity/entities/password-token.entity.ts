import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** One-time, expiring "set your password" link. Only the SHA-256 of the token is stored. */
@Entity('password_tokens')
@Index('IDX_password_tokens_hash', ['tokenHash'], { unique: true })
export class PasswordTokenEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) personId: number;
  @Column({ type: 'varchar', length: 64 }) tokenHash: string;
  @TimestampColumn() expiresAt: Date;
  @TimestampColumn({ nullable: true }) usedAt: Date | null;
  @TimestampColumn() createdAt: Date;
}
