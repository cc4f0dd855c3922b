import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../../config/config';
import { AuditService } from '../../../shared/audit.service';
import { Clock } from '../../../shared/clock';
import type { Money } from '../../../shared/money';
import { currencyMinorUnits } from '../../../shared/validation';
import { CustomersApi, type BillingProfile } from '../../customers/customers.api';
import { OutboxService } from '../../notifications/notifications.api';
import { crossesBelow, mayCrossAnyThreshold, topUpAmount } from '../domain/low-balance';
import type { TopUpChannel } from '../domain/topup-requests';
import { CARD_PAYMENT_PROVIDER, type CardPaymentProvider } from './card-payment-provider';
import { TopUpRequestsRepository } from './topup-requests.repository';

/** One balance change as the ledger made it (see BalanceWatcher). */
export interface WatchedChange {
  customerId: number;
  before: Money;
  after: Money;
  currency: string;
}

/**
 * Set on a transaction's QueryRunner when it raised a card top-up: the card processor charges it once
 * that transaction has committed (never inside it: no network call inside a database transaction).
 */
export const CHARGE_CARDS_AFTER_COMMIT = 'topupChargeCardsAfterCommit';

/** Where the parent's administrators decide requests. */
export const REQUESTS_PATH = '/requests';

/**
 * Low balance and automatic top-up, inside the ledger's posting transaction (BalanceWatcher hands every
 * change here). Depends on nothing of the ledger, so the ledger can depend on it.
 *
 * For a change that crosses the customer's threshold downwards (domain/low-balance.ts: once per
 * crossing) it queues the low-balance email to the customer and, with automatic top-up, raises a
 * top-up request at the same moment: to be charged to the card after commit (payment type credit card
 * and a card provider configured) or, otherwise, sent to the parent, whose contact is emailed.
 * Changes that cannot cross any threshold (credits, balances already at or below zero) cost no query;
 * the others cost one query for all of them.
 */
@Injectable()
export class LowBalanceService {
  constructor(
    private readonly customers: CustomersApi,
    private readonly outbox: OutboxService,
    private readonly requests: TopUpRequestsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CARD_PAYMENT_PROVIDER) private readonly cards: CardPaymentProvider | null,
  ) {}

  async afterChange(em: EntityManager, changes: readonly WatchedChange[]): Promise<void> {
    const candidates = changes.filter((c) => mayCrossAnyThreshold(c.before, c.after));
    if (!candidates.length) return;
    const profiles = await this.customers.billingProfiles(
      em,
      candidates.map((c) => c.customerId),
    );
    for (const change of candidates) {
      const customer = profiles.get(change.customerId);
      if (!customer || customer.deleted) continue;
      // The ledger posts in the customer's currency; a change in another one (a currency change under way) is not compared.
      if (change.currency !== customer.currency) continue;
      if (!crossesBelow(change.before, change.after, customer.lowBalanceThreshold)) continue;
      await this.crossed(em, customer, change.after);
    }
  }

  private async crossed(em: EntityManager, customer: BillingProfile, balance: Money): Promise<void> {
    const threshold = customer.lowBalanceThreshold;
    const raised = customer.autoTopUp ? await this.raise(em, customer, balance) : null;
    await this.outbox.enqueue(em, {
      customerId: customer.id,
      to: customer.email,
      subject: `Low balance: ${customer.name}`,
      template: 'low-balance',
      context: {
        customerName: customer.name,
        balance: balance.toString(),
        threshold: threshold.toString(),
        currency: customer.currency,
        autoTopUp: raised !== null,
        topUpAmount: raised?.amount.toString() ?? null,
      },
    });
  }

  /**
   * Raises the automatic top-up request, unless the customer already has an open one (then that one
   * stands and is returned) or has nobody to ask (the system owner without a card provider: null).
   */
  private async raise(em: EntityManager, customer: BillingProfile, balance: Money): Promise<{ id: number; amount: Money } | null> {
    const channel: TopUpChannel = customer.paymentType === 'credit_card' && this.cards ? 'card' : 'parent';
    if (channel === 'parent' && customer.parentId === null) return null;
    const amount = topUpAmount(balance, customer.lowBalanceThreshold, currencyMinorUnits(customer.currency));
    const now = this.clock.now();
    const id = await this.requests.insertOpen(em, {
      customerId: customer.id,
      parentId: customer.parentId,
      customerName: customer.name.slice(0, 200),
      accountNumber: customer.accountNumber,
      amount,
      currency: customer.currency,
      balanceAtRequest: balance,
      status: 'pending',
      channel,
      automatic: true,
      provider: channel === 'card' ? this.cards!.name : null,
      providerReference: null,
      attempts: 0,
      reason: null,
      decidedByPersonId: null,
      ledgerTransactionId: null,
      createdAt: now,
      decidedAt: null,
    });
    if (id === null) {
      // One is open already: it stands (and the email says so).
      const open = await this.requests.findOpen(em, customer.id);
      return open ? { id: open.id, amount: open.amount } : null;
    }
    await this.audit.record(
      null,
      {
        action: 'topup_requested',
        entityType: 'topup_request',
        entityId: id,
        customerId: customer.id,
        details: { amount: amount.toString(), currency: customer.currency, channel, balance: balance.toString(), automatic: true },
      },
      em,
    );
    if (channel === 'card') {
      const runner = em.queryRunner;
      if (runner?.isTransactionActive) (runner.data as Record<string, unknown>)[CHARGE_CARDS_AFTER_COMMIT] = true;
      return { id, amount };
    }
    const parent = (await this.customers.billingProfiles(em, [customer.parentId!])).get(customer.parentId!);
    if (parent && !parent.deleted) {
      await this.outbox.enqueue(em, {
        customerId: parent.id,
        to: parent.email,
        subject: `Top-up request from ${customer.name}`,
        template: 'topup-request',
        context: {
          customerName: customer.name,
          accountNumber: customer.accountNumber,
          amount: amount.toString(),
          currency: customer.currency,
          automatic: true,
          requestedAt: now.toISOString(),
          reviewUrl: `${this.config.publicUrl}${REQUESTS_PATH}?status=pending`,
        },
      });
    }
    return { id, amount };
  }
}
