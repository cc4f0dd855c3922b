import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Money } from '../../shared/money';
import { BillingBalances } from './billing-balances';
import type { LedgerDifference } from './ledger.repository';
import { InvoiceUsage, type InvoicedCall, type InvoicedDestination, type UsageGroup } from './invoice-usage';
import { LedgerService, type LedgerPost, type PostedTransaction } from './ledger.service';

export { BillingBalances } from './billing-balances';
export type { LedgerDifference } from './ledger.repository';
export type { LedgerPost, LedgerTransaction, PostedTransaction } from './ledger.service';
export { INVOICED_TYPES, type InvoicedCall, type InvoicedDestination, type InvoicedType, type UsageGroup } from './invoice-usage';

/**
 * What other modules (invoicing, vouchers, CDRs to come) and the composition root may use of billing:
 * posting to the ledger inside the caller's transaction, balances, and the ledger check.
 */
@Injectable()
export class BillingApi {
  constructor(
    private readonly ledger: LedgerService,
    private readonly balances: BillingBalances,
    private readonly usage: InvoiceUsage,
  ) {}

  /** Posts one transaction and changes the balance by its amount, inside the caller's transaction (LedgerService.post). */
  post(em: EntityManager, input: LedgerPost): Promise<PostedTransaction> {
    return this.ledger.post(em, input);
  }

  /** Balances by customer id (0 without a row); `lock` reads the latest committed value and holds it (BalanceDirectory). */
  balancesOf(em: EntityManager, customerIds: readonly number[], options?: { lock?: boolean }): Promise<Map<number, Money>> {
    return this.balances.balancesOf(em, customerIds, options);
  }

  /** Customers whose balance is not the sum of their transactions; empty when the ledger is in order. */
  verifyLedger(em: EntityManager): Promise<LedgerDifference[]> {
    return this.balances.verify(em);
  }

  /** A customer's not yet invoiced ledger transactions posted in [from, to), summed per type and call destination. */
  invoiceUsage(em: EntityManager, customerId: number, from: Date, to: Date): Promise<UsageGroup[]> {
    return this.usage.groups(em, customerId, from, to);
  }

  /** Marks what `invoiceUsage` summed as invoiced on `invoiceId`, inside the invoice's transaction. */
  markInvoiced(em: EntityManager, customerId: number, from: Date, to: Date, invoiceId: number): Promise<number> {
    return this.usage.markInvoiced(em, customerId, from, to, invoiceId);
  }

  /** The calls charged on an invoice (its 'calls' detail). */
  invoicedCalls(em: EntityManager, customerId: number, invoiceId: number): Promise<InvoicedCall[]> {
    return this.usage.invoicedCalls(em, customerId, invoiceId);
  }

  /** An invoice's calls per destination (its 'destinations' detail). */
  invoicedDestinations(em: EntityManager, customerId: number, invoiceId: number): Promise<InvoicedDestination[]> {
    return this.usage.invoicedDestinations(em, customerId, invoiceId);
  }
}
