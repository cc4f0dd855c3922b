import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BalanceDirectory } from '../../shared/balance-directory';
import { Money } from '../../shared/money';
import { ledgerDifferences, readBalances, type LedgerDifference } from './ledger.repository';

/**
 * Billing's balances for readers outside the module: the kernel port BalanceDirectory (the customers
 * module shows balances through it) and the ledger check of `npm run cli -- verify-ledger`. Depends on
 * nothing, so the composition root can bind it and the CLI can make one.
 */
@Injectable()
export class BillingBalances extends BalanceDirectory {
  async balancesOf(em: EntityManager, customerIds: readonly number[], options?: { lock?: boolean }): Promise<Map<number, Money>> {
    const found = await readBalances(em, customerIds, !!options?.lock);
    return new Map(customerIds.map((id) => [id, found.get(id) ?? Money.ZERO]));
  }

  balanceMicrosSql(customerIdSql: string): string {
    // One primary-key lookup per customer.
    return `COALESCE((SELECT b.balance FROM balances b WHERE b.customer_id = ${customerIdSql}), 0)`;
  }

  /**
   * Checks the whole ledger in one statement: every customer whose balance is not the sum of its
   * transactions (or that has transactions but no balance row). Empty when the ledger is in order.
   */
  verify(em: EntityManager): Promise<LedgerDifference[]> {
    return ledgerDifferences(em);
  }
}
