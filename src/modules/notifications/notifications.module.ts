import { MailerModule } from '@nestjs-modules/mailer';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EmailRenderer } from './email-renderer';
import { MAIL_FROM, mailerOptions } from './mail.config';
import { OutboxController } from './outbox.controller';
import { OutboxDispatcher } from './outbox.dispatcher';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

@Global()
@Module({
  imports: [
    MailerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => mailerOptions(config, config.mailFrom),
    }),
  ],
  controllers: [OutboxController],
  providers: [{ provide: MAIL_FROM, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.mailFrom }, EmailRenderer, OutboxRepository, OutboxDispatcher, OutboxService],
  exports: [OutboxService, OutboxDispatcher, EmailRenderer],
})
export class NotificationsModule {}
