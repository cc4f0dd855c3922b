import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { TransactionRunner } from '../../../database/transaction-runner';
import { AuditService } from '../../../shared/audit.service';
import { Clock } from '../../../shared/clock';
import { JobRunner } from '../../../shared/jobs/job-runner';
import { CustomersApi } from '../../customers/customers.api';
import { CARD_PAYMENT_PROVIDER, type CardChargeResult, type CardPaymentProvider } from './card-payment-provider';
import type { TopUpRequestEntity } from './entities/topup-request.entity';
import { CHARGE_CARDS_AFTER_COMMIT } from './low-balance.service';
import { TopUpRequestsRepository } from './topup-requests.repository';
import { TopUpsService } from './topups.service';

export const CARD_JOB = 'topup-card-charges';
const CARD_JOB_EVERY_MS = 15_000;
const CARD_JOB_LEASE_MS = 60_000;
/** Charges that got no answer (network, timeout) are tried this many times, then the request fails. */
export const MAX_CARD_ATTEMPTS = 5;
const BATCH = 20;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 300);

/**
 * Charges automatic top-ups to the customer's card, after the transaction that raised them committed:
 * never inside a database transaction, so no posting waits on the payment network. Runs as a job with a
 * database lease (one instance at a time), kicked after every commit that raised a card request and
 * on a timer for the rest (a kick lost in a crash, a charge that got no answer).
 *
 * Per request: count the attempt (a conditional UPDATE, only while pending), charge the card with the
 * idempotency key `topup-request-<id>` (a charge repeated after a crash is answered, not charged again),
 * then in one transaction either mark it paid and credit a `topup` transaction (LedgerService.post; its
 * watcher raises nothing for a credit), or mark it failed; the customer is emailed the outcome either way.
 */
@Injectable()
export class CardTopUpProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CardTopUps');
  private running: Promise<void> | null = null;
  /** A drain is going on in this instance (kicked or on the timer). */
  private draining = false;
  private again = false;
  private stopped = false;
  private readonly commitHook: EntitySubscriberInterface = {
    afterTransactionCommit: (event: TransactionCommitEvent) => this.afterTransactionEnd(event, true),
    afterTransactionRollback: (event: TransactionRollbackEvent) => this.afterTransactionEnd(event, false),
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly jobs: JobRunner,
    private readonly repo: TopUpRequestsRepository,
    private readonly topups: TopUpsService,
    private readonly customers: CustomersApi,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(CARD_PAYMENT_PROVIDER) private readonly cards: CardPaymentProvider | null,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this.commitHook);
    this.jobs.register({
      name: CARD_JOB,
      everyMs: CARD_JOB_EVERY_MS,
      leaseMs: CARD_JOB_LEASE_MS,
      run: async () => {
        await this.drain();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const i = this.dataSource.subscribers.indexOf(this.commitHook);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
    await this.whenIdle();
  }

  /** Runs the job now, in the background (never throws); a kick during a run makes that run look again. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining || this.running) {
      this.again = true;
      return;
    }
    this.running = this.jobs
      .runNow(CARD_JOB)
      .then(() => undefined)
      .finally(() => (this.running = null));
  }

  /** Resolves when no kicked run is going on (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Charges every pending card request; looks again while kicks arrive meanwhile. Returns how many it decided. */
  async drain(): Promise<number> {
    let decided = 0;
    this.draining = true;
    try {
      do {
        this.again = false;
        // Each request once per look: one that got no answer waits for the next look (or tick).
        const ids = await this.tx.run((em) => this.repo.pendingCardIds(em, BATCH));
        let now = 0;
        for (const id of ids) if (!this.stopped && (await this.process(id))) now++;
        decided += now;
        if (ids.length === BATCH && now > 0) this.again = true;
      } while (this.again && !this.stopped);
    } finally {
      this.draining = false;
    }
    return decided;
  }

  private afterTransactionEnd(event: TransactionCommitEvent | TransactionRollbackEvent, committed: boolean): void {
    const runner = event.queryRunner;
    if (runner.isTransactionActive) return;
    const data = runner.data as Record<string, unknown> | undefined;
    if (!data?.[CHARGE_CARDS_AFTER_COMMIT]) return;
    delete data[CHARGE_CARDS_AFTER_COMMIT];
    if (committed) this.kick();
  }

  /** One request: true when it was decided (paid or failed) now. */
  private async process(id: number): Promise<boolean> {
    const row = await this.tx.run(async (em) => ((await this.repo.countAttempt(em, id)) ? this.repo.find(em, id) : null));
    if (!row) return false;
    if (!this.cards) return this.fail(row, null, 'no card payment provider is configured');
    const customer = (await this.customers.billingProfiles(this.repo.reader, [row.customerId])).get(row.customerId);
    let result: CardChargeResult;
    try {
      result = await this.cards.charge({
        idempotencyKey: `topup-request-${row.id}`,
        customerId: row.customerId,
        cardReference: customer?.accountNumber ?? String(row.customerId),
        amount: row.amount,
        currency: row.currency,
        description: `Automatic top-up #${row.id} of ${row.customerName}`,
      });
    } catch (err) {
      this.logger.warn(`top-up request ${row.id}: the card payment provider did not answer (attempt ${row.attempts}): ${errorText(err)}`);
      if (row.attempts < MAX_CARD_ATTEMPTS) return false;
      return this.fail(row, null, `the card payment provider did not answer after ${row.attempts} attempts`);
    }
    if (result.outcome === 'declined') return this.fail(row, result.reference, result.reason);
    const reference = result.reference;
    return this.tx.run(async (em) => {
      const now = this.clock.now();
      const decision = { status: 'paid' as const, decidedAt: now, provider: this.cards!.name, providerReference: reference };
      if (!(await this.repo.decide(em, row.id, decision, 'card'))) return false;
      const credited = await this.topups.credit(em, { ...row, ...decision }, null, `Automatic top-up #${row.id} by card`, reference);
      await this.audit.record(
        null,
        {
          action: 'topup_paid',
          entityType: 'topup_request',
          entityId: row.id,
          customerId: row.customerId,
          details: {
            amount: row.amount.toString(),
            currency: row.currency,
            provider: decision.provider,
            reference,
            transactionId: credited.request.ledgerTransactionId,
          },
        },
        em,
      );
      return true;
    });
  }

  /** Marks the request failed (nothing moves) and emails the customer why. */
  private fail(row: TopUpRequestEntity, reference: string | null, reason: string): Promise<boolean> {
    return this.tx.run(async (em) => {
      const now = this.clock.now();
      const decision = {
        status: 'failed' as const,
        decidedAt: now,
        provider: this.cards?.name ?? row.provider,
        providerReference: reference,
        reason: reason.slice(0, 500),
      };
      if (!(await this.repo.decide(em, row.id, decision, 'card'))) return false;
      await this.topups.notifyOutcome(em, { ...row, ...decision }, null);
      await this.audit.record(
        null,
        {
          action: 'topup_failed',
          entityType: 'topup_request',
          entityId: row.id,
          customerId: row.customerId,
          details: { amount: row.amount.toString(), currency: row.currency, provider: decision.provider, reason: decision.reason },
        },
        em,
      );
      return true;
    });
  }
}
