import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { MoneyColumn, TimestampColumn } from '../../../database/columns';
import type { Money } from '../../../shared/money';

/**
 * A customer's balance: how much the parent owes it, in its currency. Always the sum of its ledger
 * transactions (`npm run cli -- verify-ledger` checks it); changed only by LedgerService.post, in the
 * same transaction as the transaction row. A customer without a row has the balance 0.
 */
@Entity('balances')
export class BalanceEntity {
  /** The customer (customers module), by id: a foreign key by entity name, not a relation into that module. */
  @PrimaryColumn({ type: 'int' })
  @ForeignKey('CustomerEntity', { onDelete: 'RESTRICT' })
  customerId: number;
  @MoneyColumn() balance: Money;
  @TimestampColumn() updatedAt: Date;
  /** Call control: what calls in progress have reserved of this balance (their maximum cost at this level). */
  @MoneyColumn({ default: 0 }) reserved: Money;
  /** Call control: calls in progress counted against this customer's concurrent-call limit (its own and its subtree's). */
  @Column({ type: 'int', default: 0 }) activeCalls: number;
  /** Call charges at this level on `spentDay` (the customer's local date, YYYY-MM-DD): the daily spend limit's count. */
  @MoneyColumn({ default: 0 }) spentToday: Money;
  @Column({ type: 'varchar', length: 10, nullable: true }) spentDay: string | null;
  /** Included call seconds this customer's calls used in the billing period starting `includedPeriod` (YYYY-MM-DD). */
  @Column({ type: 'int', default: 0 }) includedUsed: number;
  @Column({ type: 'varchar', length: 10, nullable: true }) includedPeriod: string | null;
}
