import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { TimestampColumn } from '../../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';

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
  @Column({ type: 'int' }) ownerCustomerId: number;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_customer_id' })
  owner?: CustomerEntity;
  @Column({ type: 'int', nullable: true }) customerId: number | null;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id' })
  customer?: CustomerEntity;
  @Column({ type: 'int', nullable: true }) sipAccountId: number | null;
  /** null = use the customer's directory setting. */
  @Column({ type: 'boolean', nullable: true }) directory: boolean | null;
  @TimestampColumn() createdAt: Date;
}
