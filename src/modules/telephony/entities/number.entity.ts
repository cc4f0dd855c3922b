import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';

/**
 * A telephone number in an owner's inventory. Free while `customerId` is null; assigned to a customer
 * (a child of the owner, or the owner itself) and optionally routed to one of its SIP accounts.
 */
@Entity('numbers')
@Index('IDX_numbers_number', ['number'], { unique: true })
@Index('IDX_numbers_owner_customer', ['ownerCustomerId', 'customerId'])
@Index('IDX_numbers_customer', ['customerId'])
export class NumberEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 32 }) number: string;
  /** Customers (customers module), by id: foreign keys by entity name, not relations into that module. */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  ownerCustomerId: number;
  @Column({ type: 'int', nullable: true })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number | null;
  @Column({ type: 'int', nullable: true }) sipAccountId: number | null;
  /** null = use the customer's directory setting. */
  @Column({ type: 'boolean', nullable: true }) directory: boolean | null;
  @TimestampColumn() createdAt: Date;
}
