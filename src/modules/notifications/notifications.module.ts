import { MailerModule } from '@nestjs-modules/mailer';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AdminModule } from '../admin/admin.module';
import { EmailRenderer } from './email-renderer';
import { MAIL_FROM, mailerOptions } from './mail.config';
import { OutboxAdminController } from './outbox.admin.controller';
import { OutboxController } from './outbox.controller';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

/** Email: the outbox (enqueued inside the caller's transaction, sent after commit), templates and the mailer. */
@Module({
  imports: [
    AdminModule,
    MailerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => mailerOptions(config, config.mailFrom),
    }),
  ],
  controllers: [OutboxController, OutboxAdminController],
  providers: [
    { provide: MAIL_FROM, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.mailFrom },
    EmailRenderer,
    OutboxRepository,
    OutboxDispatcher,
    OutboxService,
  ],
  exports: [OutboxService, OutboxDispatcher, EmailRenderer],
})
export class NotificationsModule {}
