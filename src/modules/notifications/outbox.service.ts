import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { Clock } from '../../shared/clock';
import { OutboxEmailEntity } from './entities/outbox-email.entity';

export interface OutgoingEmail {
  /** The customer the mail concerns (scopes the outbox pages). */
  customerId: number | null;
  to: string;
  subject: string;
  /** A template name under templates/emails (without .hbs). */
  template: string;
  context: Record<string, unknown>;
}

/**
 * The transactional outbox: `enqueue` writes the mail in the caller's transaction, so it exists if and
 * only if the change that caused it committed. Delivery happens after commit (see the dispatcher).
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async enqueue(em: EntityManager, mail: OutgoingEmail): Promise<number> {
    const now = this.clock.now();
    const result = await em.insert(OutboxEmailEntity, {
      customerId: mail.customerId,
      toAddress: mail.to,
      subject: mail.subject,
      template: mail.template,
      context: JSON.stringify(mail.context),
      bodyText: null,
      // Without SMTP the mail is kept in the local outbox that the admin pages show.
      status: this.config.smtpUrl ? 'pending' : 'kept',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      sentAt: null,
      lastError: null,
      createdAt: now,
    });
    return Number(result.identifiers[0].id);
  }
}
