import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/**
 * The next invoice number of one issuing customer. Moved in the same transaction as the invoice it numbers
 * (a row lock held to COMMIT), so numbers have no gaps and never repeat, on one database or a cluster.
 */
@Entity('invoice_number_counters')
export class InvoiceNumberCounterEntity {
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  issuerCustomerId: number;
  @Column({ type: 'varchar', length: 20 }) prefix: string;
  @Column({ type: 'int' }) nextNumber: number;
}
