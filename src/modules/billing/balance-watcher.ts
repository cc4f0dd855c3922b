import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Money } from '../../shared/money';

/** One balance change as the ledger made it: the balance right before and right after, in `currency`. */
export interface BalanceChange {
  customerId: number;
  before: Money;
  after: Money;
  currency: string;
}

/**
 * Reacts to balance changes inside the posting transaction: the low-balance email (once per crossing of
 * the customer's threshold) and the automatic top-up request raised at the same moment.
 */
@Injectable()
export class BalanceWatcher {
  /** Called by the ledger after every balance change, inside the posting transaction `em`. */
  async afterChange(_em: EntityManager, _changes: readonly BalanceChange[]): Promise<void> {
    // Filled in by the low-balance work.
  }
}
