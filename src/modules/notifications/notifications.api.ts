/** What other modules may use of notifications: enqueue an email inside their transaction. */
export { OutboxService, type OutgoingEmail } from './outbox.service';
export { OutboxDispatcher } from './outbox.dispatcher';
export { NotificationsModule } from './notifications.module';
