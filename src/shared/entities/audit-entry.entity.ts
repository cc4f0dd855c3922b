import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../database/columns';

/** Append-only audit log. `actorPersonId` is always the real person, also while switched to a customer. */
@Entity('audit_log')
@Index('IDX_audit_log_customer', ['customerId', 'at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn() id: number;
  @TimestampColumn() at: Date;
  @Column({ type: 'int', nullable: true }) actorPersonId: number | null;
  /** The actor's own customer (where they logged in). */
  @Column({ type: 'int', nullable: true }) actorCustomerId: number | null;
  /** The customer the change concerns (for scoping the log to a subtree). */
  @Column({ type: 'int', nullable: true }) customerId: number | null;
  /** The customer the actor was switched to, if any. */
  @Column({ type: 'int', nullable: true }) actingAsCustomerId: number | null;
  @Column({ type: 'varchar', length: 64 }) action: string;
  @Column({ type: 'varchar', length: 32 }) entityType: string;
  @Column({ type: 'varchar', length: 64, nullable: true }) entityId: string | null;
  @Column({ type: 'text', nullable: true }) details: string | null;
}
