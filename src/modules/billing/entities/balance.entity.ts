import { Entity, ForeignKey, PrimaryColumn } from 'typeorm';
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
}
