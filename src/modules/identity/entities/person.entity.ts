import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';

export const ROLES = ['administrator', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** A person who can log in for a customer. Usernames are unique platform-wide (one login form). */
@Entity('people')
// Unique ignoring case: MariaDB's collation; on SQLite the migration builds it on (username COLLATE NOCASE).
@Index('IDX_people_username', ['username'], { unique: true })
@Index('IDX_people_customer', ['customerId'])
export class PersonEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' }) customerId: number;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer?: CustomerEntity;
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
