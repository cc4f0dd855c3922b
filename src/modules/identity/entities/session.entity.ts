import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** A login: a web cookie session or an API bearer token. Only the SHA-256 of the token is stored. */
@Entity('sessions')
@Index('IDX_sessions_person', ['personId'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) tokenHash: string;
  @Column({ type: 'int' }) personId: number;
  @Column({ type: 'varchar', length: 8 }) kind: 'web' | 'api';
  /** The descendant customer this login acts as ("switch to"); null = the person's own customer. */
  @Column({ type: 'int', nullable: true }) actingCustomerId: number | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() expiresAt: Date;
}
