import type { EntityManager } from 'typeorm';
import { Money } from './money';

/**
 * Customers' balances as the modules below billing see them (the customers module shows a balance and
 * refuses a currency change unless it is 0, but builds below billing, which owns the balances). Declared
 * here in the kernel; the billing module implements it and the composition root binds it.
 *
 * A customer without a balance row (nothing was ever posted to it) has the balance 0.
 */
export abstract class BalanceDirectory {
  /**
   * The balances of these customers, in their own currencies; every id asked for is in the answer.
   * `lock`: read with a shared lock until the transaction ends (MariaDB: LOCK IN SHARE MODE), so the
   * value is the latest committed one and no posting can change it meanwhile (SQLite runs one
   * transaction at a time). For checks that decide on the balance, such as "only while it is 0".
   */
  abstract balancesOf(em: EntityManager, customerIds: readonly number[], options?: { lock?: boolean }): Promise<Map<number, Money>>;

  /**
   * SQL for the balance of the customer whose id is `customerIdSql` (a column of the caller's query), in
   * micro-units (0 without a balance row): for lists that sort or filter customers by balance in one
   * statement. Compare it with micro-units (Money.toMicros()).
   */
  abstract balanceMicrosSql(customerIdSql: string): string;

  /** One customer's balance (see balancesOf). */
  async balanceOf(em: EntityManager, customerId: number, options?: { lock?: boolean }): Promise<Money> {
    return (await this.balancesOf(em, [customerId], options)).get(customerId) ?? Money.ZERO;
  }
}
