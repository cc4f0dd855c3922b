import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';
import { type Role } from '../../../shared/scope';

/** A person who can log in for a customer. Usernames are unique platform-wide (one login form). */
@Entity('people')
// Unique ignoring case: MariaDB's collation; on SQLite the migration builds it on (username COLLATE NOCASE).
@Index('IDX_people_username', ['username'], { unique: true })
@Index('IDX_people_customer', ['customerId'])
export class PersonEntity {
  @PrimaryGeneratedColumn() id: number;
  /** The customer (customers module) the person logs in for: an id only, no relation across modules. */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'varchar', length: 100 }) username: string;
  @Column({ type: 'varchar', length: 100 }) displayName: string;
  @Column({ type: 'varchar', length: 254, nullable: true }) email: string | null;
  @Column({ type: 'varchar', length: 16 }) role: Role;
  /** argon2id; null until the person sets a password through the emailed link. */
  @Column({ type: 'varchar', length: 255, nullable: true }) passwordHash: string | null;
  @TimestampColumn({ nullable: true }) lastLoginAt: Date | null;
  @TimestampColumn({ nullable: true }) deletedAt: Date | null;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;
}
