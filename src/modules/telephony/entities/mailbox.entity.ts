import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/** A voicemail box. The PIN is stored hashed; purge and per-folder limit fall back to the customer's. */
@Entity('mailboxes')
@Index('IDX_mailboxes_mailbox', ['mailbox'], { unique: true })
@Index('IDX_mailboxes_customer', ['customerId'])
export class MailboxEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'varchar', length: 32 }) mailbox: string;
  @Column({ type: 'varchar', length: 255 }) pinHash: string;
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  @Column({ type: 'boolean', nullable: true }) purge: boolean | null;
  @Column({ type: 'int', nullable: true }) maxPerFolder: number | null;
  @TimestampColumn({ nullable: true }) deletedAt: Date | null;
  @TimestampColumn() createdAt: Date;
}
