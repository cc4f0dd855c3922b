import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';
import type { TransactionType } from '../domain/ledger';

/**
 * One balance change, append-only: no code path updates or deletes a row (a mistake is corrected by
 * another transaction, e.g. an adjustment). A customer's balance is the sum of its `amount`s.
 */
@Entity('ledger_transactions')
// A customer's transactions, newest first (the list), and its sum (verify-ledger).
@Index('IDX_ledger_transactions_customer', ['customerId', 'id'])
export class LedgerTransactionEntity {
  @PrimaryGeneratedColumn() id: number;
  /** The customer (customers module), by id: a foreign key by entity name. */
  @Column({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @Column({ type: 'varchar', length: 20 }) type: TransactionType;
  /** Signed, in `currency`: positive raises the balance (credit, top-up, payment), negative lowers it (charges). */
  @MoneyColumn() amount: Money;
  /** The customer's currency when it was posted. */
  @Column({ type: 'varchar', length: 3 }) currency: string;
  /** When converted from another currency (a plan's or a voucher's): the amount before, its currency, and the rate used. */
  @MoneyColumn({ nullable: true }) originalAmount: Money | null;
  @Column({ type: 'varchar', length: 3, nullable: true }) originalCurrency: string | null;
  /** Exact decimal text, as the exchange rate was given. */
  @Column({ type: 'varchar', length: 40, nullable: true }) exchangeRate: string | null;
  @Column({ type: 'varchar', length: 500 }) description: string;
  /** The caller's reference (a payment's bank reference, a voucher serial...). */
  @Column({ type: 'varchar', length: 100, nullable: true }) reference: string | null;
  /** The person who posted it by hand (always the real person, also while switched); null for the platform's own postings. */
  @Column({ type: 'int', nullable: true }) actorPersonId: number | null;
  /** The rated call it charges (billing's CDRs, to come). */
  @Column({ type: 'int', nullable: true }) callId: number | null;
  /** The invoice it was invoiced on (invoicing, to come). */
  @Column({ type: 'int', nullable: true }) invoiceId: number | null;
  @TimestampColumn() createdAt: Date;
}
