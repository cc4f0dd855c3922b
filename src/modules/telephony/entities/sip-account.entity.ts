import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/**
 * A telephone line. The SIP secret is kept readable because SIP digest authentication needs it (or its
 * HA1) on the switch side; it is shown to administrators only.
 */
@Entity('sip_accounts')
// Unique ignoring case: MariaDB's collation; on SQLite the migration builds it on (username COLLATE NOCASE).
@Index('IDX_sip_accounts_username', ['username'], { unique: true })
@Index('IDX_sip_accounts_customer', ['customerId'])
export class SipAccountEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'varchar', length: 64 }) username: string;
  @Column({ type: 'varchar', length: 64 }) secret: string;
  @Column({ type: 'varchar', length: 100 }) displayName: string;
  @Column({ type: 'int', nullable: true }) maxConcurrentCalls: number | null;
  @TimestampColumn({ nullable: true }) deletedAt: Date | null;
  @TimestampColumn() createdAt: Date;
}
