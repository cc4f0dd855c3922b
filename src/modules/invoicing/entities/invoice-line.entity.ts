import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DecimalColumn, MoneyColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type Decimal from 'decimal.js';

/** One line of an invoice: a category of the ledger in the period (calls to one destination, account fees...). */
@Entity('invoice_lines')
@Index('IDX_invoice_lines_invoice', ['invoiceId', 'position'])
export class InvoiceLineEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column({ type: 'int' })
  @ForeignKey('InvoiceEntity', { onDelete: 'CASCADE' })
  invoiceId: number;
  @Column({ type: 'int' }) position: number;
  /** The ledger transaction type the line sums (call, account_fee, charge, credit, ...). */
  @Column({ type: 'varchar', length: 20 }) category: string;
  @Column({ type: 'varchar', length: 200 }) description: string;
  /** Calls: their count; fees and charges: the number of transactions. */
  @DecimalColumn() quantity: Decimal;
  /** UN/ECE Recommendation 20 unit code: C62 = one (unit). */
  @Column({ type: 'varchar', length: 3 }) unitCode: string;
  /** Net amount of the line in the invoice currency, rounded to the currency's minor unit; negative for credits. */
  @MoneyColumn() amount: Money;
}
