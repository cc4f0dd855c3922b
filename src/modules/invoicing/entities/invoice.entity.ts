import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DateStringColumn, MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type { InvoiceStatus } from '../domain/invoice-status';

export type InvoiceDocumentType = 'invoice' | 'credit_note';

/**
 * An issued invoice or credit note. Amounts are in the customer's currency, rounded to its minor unit.
 * Never edited once issued, except its status and `paidAmount`; corrections are credit notes.
 * `parties` keeps the issuer's and customer's names, addresses and tax references as they were when it
 * was issued (JSON), so a later address change does not rewrite an issued document.
 */
@Entity('invoices')
@Index('UQ_invoices_period', ['customerId', 'documentType', 'periodStart'], { unique: true })
@Index('UQ_invoices_number', ['issuerCustomerId', 'number'], { unique: true })
@Index('IDX_invoices_issuer', ['issuerCustomerId', 'status', 'id'])
@Index('IDX_invoices_customer', ['customerId', 'id'])
export class InvoiceEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'varchar', length: 12 }) documentType: InvoiceDocumentType;
  @Column({ type: 'varchar', length: 40 }) number: string;
  /** The customer's parent, who bills it. */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  issuerCustomerId: number;
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'int', nullable: true }) runId: number | null;
  @DateStringColumn({ nullable: true }) periodStart: string | null;
  /** Exclusive: the first day of the next period. */
  @DateStringColumn({ nullable: true }) periodEnd: string | null;
  @DateStringColumn() issueDate: string;
  @DateStringColumn({ nullable: true }) dueDate: string | null;
  @Column({ type: 'varchar', length: 3 }) currency: string;
  @Column({ type: 'varchar', length: 16 }) status: InvoiceStatus;
  @Column({ type: 'varchar', length: 16 }) detail: string;
  @Column({ type: 'varchar', length: 8 }) format: string;
  @MoneyColumn() netAmount: Money;
  @MoneyColumn() taxAmount: Money;
  @MoneyColumn() totalAmount: Money;
  @MoneyColumn({ default: 0 }) paidAmount: Money;
  @Column({ type: 'int', nullable: true }) creditedInvoiceId: number | null;
  @Column({ type: 'text' }) parties: string;
  @TimestampColumn() createdAt: Date;
  @TimestampColumn() updatedAt: Date;
}
