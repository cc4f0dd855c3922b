import type { MailerOptions } from '@nestjs-modules/mailer';
import type { AppConfig } from '../../config/config';

/** The sender address (config.mailFrom, from MAIL_FROM). */
export const MAIL_FROM = Symbol('MAIL_FROM');

/** A send gives up well before its 60 s claim lease runs out, so no second sender takes over mid-send. */
export const SEND_TIMEOUT_MS = 45_000;

/**
 * Nodemailer through @nestjs-modules/mailer. With SMTP_URL the transport is that URL (options such as
 * `?connectionTimeout=10000` may be added to it); without it a JSON transport that never sends
 * anything (the dispatcher does not deliver in that mode either: mails stay `kept`).
 * Templates are rendered by EmailRenderer, not by the mailer's adapter, so that the text stored in the
 * outbox is exactly the text sent and no context value is ever interpolated into a subject.
 */
export function mailerOptions(config: AppConfig, from: string): MailerOptions {
  return {
    transport: config.smtpUrl ?? { jsonTransport: true },
    defaults: { from },
    sendTimeout: SEND_TIMEOUT_MS,
  };
}
