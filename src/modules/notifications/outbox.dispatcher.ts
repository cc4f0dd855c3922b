import { MailerService } from '@nestjs-modules/mailer';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Attachment } from 'nodemailer/lib/mailer';
import { DataSource, EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../../shared/clock';
import { JobRunner } from '../../shared/jobs/job-runner';
import { afterFailure, errorText, isPermanentFailure, LEASE_MS } from './domain/delivery';
import { EmailRenderer, UnknownTemplateError } from './email-renderer';
import type { OutboxEmailEntity } from './entities/outbox-email.entity';
import { MAIL_FROM } from './mail.config';
import { OutboxRepository } from './outbox.repository';

export const POLL_INTERVAL_MS = 5_000;
/** The timer's job lease: one instance runs the timer's passes; if it dies, another takes over after this. */
const DISPATCH_JOB_LEASE_MS = 30_000;
const BATCH = 20;
/** Kept mails read per render batch, and at most rendered per background pass (the rest: next tick). */
const RENDER_BATCH = 100;
const RENDER_PER_PASS = 500;
/** Set on a transaction's QueryRunner by OutboxService.enqueue: kick the dispatcher after its commit. */
export const KICK_AFTER_COMMIT = 'outboxKickAfterCommit';

/** Given the row (context already parsed), returns files to attach, e.g. the invoice PDF. */
export type AttachmentProvider = (mail: {
  id: number;
  customerId: number | null;
  template: string;
  context: Record<string, unknown>;
}) => Promise<Attachment[]>;

export interface DeliveryReport {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Delivers outbox rows after their transaction committed. Runs on a timer (every POLL_INTERVAL_MS) and
 * by itself after any transaction that enqueued a mail commits; that after-commit pass only delivers,
 * so without SMTP it does nothing at all (the mail is kept with the text `enqueue` rendered). Kept mails
 * still without text (a failed render, rows of another instance or an older version) are rendered by
 * the timer's passes, a limited number per pass, through an index that holds only such rows. Each row is
 * claimed with a conditional UPDATE (pending → sending with a lease), so two instances never send the
 * same row; a sender that dies leaves a lease that expires and the row is taken over. The one window
 * left is a crash after the SMTP server accepted the mail and before "sent" was written: that mail is
 * sent again, with the same Message-ID so that mail systems can recognise the duplicate.
 */
@Injectable()
export class OutboxDispatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Outbox');
  private loop: Promise<void> | null = null;
  private rerun = false;
  /** The next pass also renders kept mails without text (timer and explicit kicks; not after commits). */
  private renderWanted = false;
  private paused = false;
  private stopped = false;
  private readonly attachmentProviders = new Map<string, AttachmentProvider>();
  private readonly commitHook: EntitySubscriberInterface = {
    afterTransactionCommit: (event: TransactionCommitEvent) => this.afterTransactionEnd(event, true),
    afterTransactionRollback: (event: TransactionRollbackEvent) => this.afterTransactionEnd(event, false),
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly repo: OutboxRepository,
    private readonly clock: Clock,
    private readonly renderer: EmailRenderer,
    private readonly mailer: MailerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MAIL_FROM) private readonly from: string,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    // A subscriber added at run time: TypeORM's broadcaster reads this list on every event.
    this.dataSource.subscribers.push(this.commitHook);
    // The timer's passes run under a job lease (one instance at a time); rows are still claimed one by one.
    this.jobs.register({
      name: 'outbox-dispatch',
      everyMs: POLL_INTERVAL_MS,
      leaseMs: DISPATCH_JOB_LEASE_MS,
      run: async () => {
        this.poll();
        await this.whenIdle();
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const i = this.dataSource.subscribers.indexOf(this.commitHook);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
    await this.whenIdle();
  }

  /** Files to attach to mails of one template (the invoicing module registers the invoice document). */
  registerAttachments(template: string, provider: AttachmentProvider): void {
    this.attachmentProviders.set(template, provider);
  }

  /** The timer's pass (job `outbox-dispatch`, every POLL_INTERVAL_MS); the same as kick(). */
  poll(): void {
    this.kick();
  }

  /**
   * Starts a full dispatch pass now (render kept mails without text, deliver due ones), in the
   * background (never throws, never waits), e.g. after a mail was put back in the queue.
   */
  kick(): void {
    this.start(true);
  }

  /**
   * Delivers due mails now, in the background: what OutboxService.enqueue arranges after the enqueuing
   * transaction commits. Without SMTP there is nothing to deliver and it sends no query.
   */
  kickDelivery(): void {
    if (!this.config.smtpUrl) return;
    this.start(false);
  }

  private start(render: boolean): void {
    if (this.stopped || this.paused) return;
    if (render) this.renderWanted = true;
    if (this.loop) {
      this.rerun = true;
      return;
    }
    this.loop = this.runLoop().finally(() => {
      this.loop = null;
    });
  }

  /** Stops automatic passes (timer and kicks), e.g. for maintenance or a test; explicit calls still work. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  /** Resolves when no background pass is running. */
  async whenIdle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async runLoop(): Promise<void> {
    do {
      this.rerun = false;
      const render = this.renderWanted;
      this.renderWanted = false;
      try {
        await this.pass(render ? RENDER_PER_PASS : 0);
      } catch (err) {
        this.logger.error(`dispatch pass failed: ${errorText(err)}`);
      }
    } while (this.rerun && !this.stopped && !this.paused);
  }

  private afterTransactionEnd(event: TransactionCommitEvent | TransactionRollbackEvent, committed: boolean): void {
    const runner = event.queryRunner;
    // Savepoints of nested transactions fire too: only the outermost commit counts.
    if (runner.isTransactionActive) return;
    const data = runner.data as Record<string, unknown> | undefined;
    if (!data?.[KICK_AFTER_COMMIT]) return;
    delete data[KICK_AFTER_COMMIT];
    if (committed) this.kickDelivery();
  }

  /** One full pass: renders every kept mail that has no text yet, then delivers every due row. */
  dispatchOnce(): Promise<DeliveryReport & { rendered: number }> {
    return this.pass(Infinity);
  }

  /** Renders up to `renderLimit` kept mails without text (0: none), then delivers every due row. */
  private async pass(renderLimit: number): Promise<DeliveryReport & { rendered: number }> {
    const total = { claimed: 0, sent: 0, retrying: 0, failed: 0, rendered: renderLimit > 0 ? await this.renderKept(renderLimit) : 0 };
    if (!this.config.smtpUrl) return total;
    while (!this.stopped) {
      const r = await this.deliverDue(BATCH);
      total.claimed += r.claimed;
      total.sent += r.sent;
      total.retrying += r.retrying;
      total.failed += r.failed;
      if (r.claimed === 0) break;
    }
    return total;
  }

  /**
   * Claims up to `limit` due rows and delivers those it won. Safe to run any number of times at once,
   * in one process or many: a row is sent by the one caller whose claim changed it.
   */
  async deliverDue(limit = BATCH): Promise<DeliveryReport> {
    const report: DeliveryReport = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
    if (!this.config.smtpUrl) return report;
    const now = this.clock.now();
    const ids = await this.tx.run((em) => this.repo.dueIds(em, now, limit));
    const leaseUntil = new Date(now.getTime() + LEASE_MS);
    for (const id of ids) {
      if (!(await this.tx.run((em) => this.repo.claim(em, id, now, leaseUntil)))) continue;
      report.claimed++;
      report[await this.deliver(id)]++;
    }
    return report;
  }

  private async deliver(id: number): Promise<'sent' | 'retrying' | 'failed'> {
    const row = await this.tx.run((em) => this.repo.find(em, id));
    if (!row) return 'failed';
    let text = row.bodyText;
    try {
      const context = JSON.parse(row.context) as Record<string, unknown>;
      const rendered = this.renderer.render(row.template, context, row.subject);
      text ??= rendered.text;
      const provider = this.attachmentProviders.get(row.template);
      const attachments = provider
        ? await provider({ id: row.id, customerId: row.customerId, template: row.template, context })
        : undefined;
      await this.mailer.sendMail({
        from: this.from,
        to: row.toAddress,
        subject: row.subject,
        html: rendered.html,
        text,
        attachments,
        messageId: this.messageId(row),
      });
    } catch (err) {
      const permanent = err instanceof UnknownTemplateError || err instanceof SyntaxError || isPermanentFailure(err);
      const outcome = afterFailure(row.attempts, this.clock.now(), permanent);
      const message = errorText(err);
      await this.tx.run((em) => this.repo.markFailure(em, id, outcome, message, text));
      this.logger.warn(`mail ${id} (${row.template}) ${outcome.status === 'failed' ? 'failed for good' : 'will be retried'}: ${message}`);
      return outcome.status === 'failed' ? 'failed' : 'retrying';
    }
    await this.tx.run((em) => this.repo.markSent(em, id, this.clock.now(), row.attempts + 1, text));
    return 'sent';
  }

  /** Stable per row, so a duplicate after a crash is recognisable as the same message. */
  private messageId(row: OutboxEmailEntity): string {
    const domain = /@([^>\s]+)>?\s*$/.exec(this.from)?.[1] ?? 'localhost';
    return `<outbox.${row.id}.${row.createdAt.getTime()}@${domain}>`;
  }

  /**
   * Without SMTP, mails are only kept: render the text of those that have none yet (at most `limit`), so
   * the outbox pages can show them. Cheap when there are none: IDX_outbox_unrendered holds only those.
   */
  async renderKept(limit = Infinity): Promise<number> {
    let rendered = 0;
    while (!this.stopped && rendered < limit) {
      const rows = await this.tx.run((em) => this.repo.keptWithoutBody(em, Math.min(RENDER_BATCH, limit - rendered)));
      for (const row of rows) {
        let text: string;
        let lastError: string | null = null;
        try {
          text = this.renderer.renderText(row.template, JSON.parse(row.context) as Record<string, unknown>);
        } catch (err) {
          lastError = errorText(err);
          text = `(this mail could not be rendered: ${lastError})`;
        }
        await this.tx.run((em) => this.repo.setBodyText(em, row.id, text, lastError));
        rendered++;
      }
      if (rows.length < RENDER_BATCH) break;
    }
    return rendered;
  }
}
