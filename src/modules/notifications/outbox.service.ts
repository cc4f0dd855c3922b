import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { insertRow } from '../../database/insert-row';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { Page, pageParams } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { isSystemOwnerAdmin } from '../../shared/system-owner';
import { errorText } from './domain/delivery';
import { OUTBOX_SORTS, OutboxEmailDto, OutboxQuery } from './dto/outbox.dto';
import { sortOrder, textCell } from '../../shared/http/list-query';
import { EmailRenderer } from './email-renderer';
import { OutboxEmailEntity } from './entities/outbox-email.entity';
import { KICK_AFTER_COMMIT, OutboxDispatcher } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';

export interface OutgoingEmail {
  /** The customer the mail concerns (scopes the outbox pages). */
  customerId: number | null;
  to: string;
  subject: string;
  /** A template name under templates/emails (without .hbs). */
  template: string;
  context: Record<string, unknown>;
}

export const toOutboxDto = (o: OutboxEmailEntity): OutboxEmailDto => ({
  id: o.id,
  customerId: o.customerId,
  to: o.toAddress,
  subject: o.subject,
  template: o.template,
  status: o.status,
  attempts: o.attempts,
  nextAttemptAt: o.status === 'pending' ? o.nextAttemptAt.toISOString() : null,
  createdAt: o.createdAt.toISOString(),
  sentAt: o.sentAt?.toISOString() ?? null,
  lastError: o.lastError,
  bodyText: o.bodyText,
});

/**
 * The transactional outbox: `enqueue` writes the mail in the caller's transaction, so it exists if and
 * only if the change that caused it committed. Delivery happens after commit (OutboxDispatcher), which
 * is kicked automatically when that transaction commits.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly renderer: EmailRenderer,
    private readonly repo: OutboxRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  async enqueue(em: EntityManager, mail: OutgoingEmail): Promise<number> {
    // A misspelt template is a programming error: fail the caller's transaction (and its tests) at once.
    if (!this.renderer.exists(mail.template)) throw new Error(`unknown email template "${mail.template}"`);
    const now = this.clock.now();
    const context = JSON.stringify(mail.context);
    let bodyText: string | null = null;
    try {
      // Rendered now so the outbox pages show the mail at once; the dispatcher retries if this fails.
      bodyText = this.renderer.renderText(mail.template, JSON.parse(context) as Record<string, unknown>);
    } catch (err) {
      this.logger.warn(`could not render ${mail.template}: ${errorText(err)}`);
    }
    const id = await insertRow(em, OutboxEmailEntity, {
      customerId: mail.customerId,
      toAddress: mail.to.slice(0, 254),
      subject: mail.subject.slice(0, 300),
      template: mail.template,
      context,
      bodyText,
      // Without SMTP the mail is kept in the local outbox that the admin pages show.
      status: this.config.smtpUrl ? 'pending' : 'kept',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      sentAt: null,
      lastError: null,
      createdAt: now,
    });
    if (em.queryRunner?.isTransactionActive) (em.queryRunner.data as Record<string, unknown>)[KICK_AFTER_COMMIT] = true;
    else this.dispatcher.kickDelivery();
    return id;
  }

  /**
   * Mails concerning the acting customer's subtree, newest first. Administrators only: login-details
   * mails carry set-password links. The system owner's administrators (not switched) also see mails
   * that concern no customer.
   */
  async list(scope: Scope, query: OutboxQuery): Promise<Page<OutboxEmailDto>> {
    assertAdministrator(scope);
    const { page, pageSize, skip } = pageParams(query);
    const sort = sortOrder(query.sort, OUTBOX_SORTS, '-createdAt');
    const [rows, total] = await this.repo.list(scope, isSystemOwnerAdmin(scope), { status: query.status, search: query.search, sort }, skip, pageSize);
    return { items: rows.map(toOutboxDto), page, pageSize, total };
  }

  async get(scope: Scope, id: number): Promise<OutboxEmailDto> {
    assertAdministrator(scope);
    const row = await this.repo.findInScope(this.repo.manager, scope, isSystemOwnerAdmin(scope), id);
    if (!row) throw new NotFoundError('email');
    return toOutboxDto(row);
  }

  /**
   * The mail as its recipient sees it (HTML and text), rendered from its stored context with the current
   * templates, for the outbox page. Null when it cannot be rendered (a template gone since, a bad context).
   */
  async preview(scope: Scope, id: number): Promise<{ html: string; text: string } | null> {
    assertAdministrator(scope);
    const row = await this.repo.findInScope(this.repo.manager, scope, isSystemOwnerAdmin(scope), id);
    if (!row) throw new NotFoundError('email');
    try {
      return this.renderer.render(row.template, JSON.parse(row.context) as Record<string, unknown>, row.subject);
    } catch (err) {
      this.logger.warn(`could not render ${row.template} #${row.id} for the outbox page: ${errorText(err)}`);
      return null;
    }
  }

  /** A failed mail goes back to the queue with a fresh set of attempts (kept, when SMTP is off now). */
  async retry(scope: Scope, id: number): Promise<OutboxEmailDto> {
    assertAdministrator(scope);
    const row = await this.tx.run(async (em) => {
      const found = await this.repo.findInScope(em, scope, isSystemOwnerAdmin(scope), id);
      if (!found) throw new NotFoundError('email');
      if (found.status !== 'failed') throw new ConflictError(`only a failed email can be retried; this one is ${found.status}`);
      if (!(await this.repo.requeue(em, id, this.config.smtpUrl ? 'pending' : 'kept', this.clock.now()))) {
        throw new ConflictError('the email changed meanwhile; reload and try again');
      }
      await this.audit.record(
        scope,
        { action: 'email_retried', entityType: 'outbox_email', entityId: id, customerId: found.customerId },
        em,
      );
      return (await this.repo.find(em, id))!;
    });
    this.dispatcher.kick();
    return toOutboxDto(row);
  }
}

function assertAdministrator(scope: Scope): void {
  if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
}

/** The columns of an outbox list exported as CSV (no bodies), in this order. */
export const OUTBOX_CSV_HEADER = ['id', 'customer_id', 'to', 'subject', 'template', 'status', 'attempts', 'created_at', 'sent_at', 'last_error'];
export function outboxCsvRow(m: OutboxEmailDto): string[] {
  return [
    String(m.id),
    m.customerId === null ? '' : String(m.customerId),
    textCell(m.to),
    textCell(m.subject),
    m.template,
    m.status,
    String(m.attempts),
    m.createdAt,
    m.sentAt ?? '',
    textCell(m.lastError),
  ];
}
