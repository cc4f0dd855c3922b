import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Money } from '../../shared/money';
import { LowBalanceService } from './topups/low-balance.service';

/** One balance change as the ledger made it: the balance right before and right after, in `currency`. */
export interface BalanceChange {
  customerId: number;
  before: Money;
  after: Money;
  currency: string;
}

/**
 * Reacts to balance changes inside the posting transaction: the low-balance email (once per crossing of
 * the customer's threshold) and the automatic top-up request raised at the same moment
 * (topups/low-balance.service.ts). The before/after values come from the ledger under the balance row's
 * lock, so a crossing is seen exactly once even when postings to one customer race.
 *
 * Re-entry is harmless: a top-up credited later (approval, card charge) goes through LedgerService.post
 * and comes back here, but a credit never crosses a threshold downwards, so it raises nothing.
 */
@Injectable()
export class BalanceWatcher {
  constructor(private readonly lowBalance: LowBalanceService) {}

  /** Called by the ledger after every balance change, inside the posting transaction `em`. */
  afterChange(em: EntityManager, changes: readonly BalanceChange[]): Promise<void> {
    return this.lowBalance.afterChange(em, changes);
  }
}
