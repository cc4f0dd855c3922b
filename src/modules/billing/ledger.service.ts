import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../shared/clock';
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { Money } from '../../shared/money';
import { CustomersApi } from '../customers/customers.api';
import { DESCRIPTION_MAX, isTransactionType, REFERENCE_MAX, type TransactionType } from './domain/ledger';
import type { LedgerTransactionEntity } from './entities/ledger-transaction.entity';
import { LedgerRepository } from './ledger.repository';
import { BalanceWatcher } from './balance-watcher';

/** A balance change to post (LedgerService.post). */
export interface LedgerPost {
  customerId: number;
  type: TransactionType;
  /** Signed, in the customer's currency: positive raises the balance, negative lowers it. */
  amount: Money;
  description: string;
  reference?: string | null;
  /** The person who posted it by hand (the real person, also while switched); null for the platform's own postings. */
  actorPersonId?: number | null;
  /** When `amount` was converted from another currency: the amount before, its currency, and the rate used (exact text). */
  original?: { amount: Money; currency: string; exchangeRate: string } | null;
  /** The rated call it charges (CDRs, to come). */
  callId?: number | null;
  /** The invoice it is already part of (invoicing's rounding adjustment when it issues an invoice). */
  invoiceId?: number | null;
}

/** A ledger transaction as the rest of the platform sees it. */
export type LedgerTransaction = LedgerTransactionEntity;

export interface PostedTransaction {
  transaction: LedgerTransaction;
  /** The customer's balance right after this transaction. */
  balance: Money;
}

/**
 * Posting to the ledger: the one way a balance changes. Every posting is a transaction row and the same
 * amount added to the balance row, both inside the caller's database transaction, so they commit or
 * roll back together and the balance is always the sum of the transactions.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly repo: LedgerRepository,
    private readonly customers: CustomersApi,
    private readonly clock: Clock,
    private readonly watcher: BalanceWatcher,
  ) {}

  /**
   * Posts one transaction inside the caller's transaction `em`. The customer is read with a shared lock
   * (its currency and deletion cannot change until the caller commits; a currency change reads the
   * balance with a lock too, so neither can slip past the other), then the balance is changed with one
   * upsert that locks its row, and the transaction is appended. Does not check who may post: callers do.
   */
  async post(em: EntityManager, input: LedgerPost): Promise<PostedTransaction> {
    if (!isTransactionType(input.type)) throw ValidationError.field('type', `is not a transaction type: ${String(input.type)}`);
    if (!input.amount.inStorableRange()) throw ValidationError.field('amount', 'is outside the storable range');
    const description = input.description.trim();
    if (!description || description.length > DESCRIPTION_MAX)
      throw ValidationError.field('description', `must be 1 to ${DESCRIPTION_MAX} characters`);
    const reference = input.reference?.trim() || null;
    if (reference !== null && reference.length > REFERENCE_MAX)
      throw ValidationError.field('reference', `must be at most ${REFERENCE_MAX} characters`);

    const customer = await this.customers.findShared(em, input.customerId);
    if (!customer) throw new NotFoundError('customer');
    const now = this.clock.now();
    const balance = await this.repo.addToBalance(em, customer.id, input.amount, now);
    const row: Omit<LedgerTransactionEntity, 'id'> = {
      customerId: customer.id,
      type: input.type,
      amount: input.amount,
      currency: customer.currency,
      originalAmount: input.original?.amount ?? null,
      originalCurrency: input.original?.currency ?? null,
      exchangeRate: input.original?.exchangeRate ?? null,
      description,
      reference,
      actorPersonId: input.actorPersonId ?? null,
      callId: input.callId ?? null,
      invoiceId: input.invoiceId ?? null,
      createdAt: now,
    };
    const id = await this.repo.insertTransaction(em, row);
    await this.watcher.afterChange(em, [
      { customerId: customer.id, before: balance.minus(input.amount), after: balance, currency: customer.currency },
    ]);
    return { transaction: { id, ...row }, balance };
  }
}
