import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { AdminPages } from './admin-page';
import { AdminRepository } from './admin.repository';
import { AuthAdminController } from './auth.admin.controller';
import { CsrfMiddleware, CsrfService } from './csrf';
import { CustomersAdminController } from './customers.admin.controller';
import { DashboardAdminController } from './dashboard.admin.controller';
import { OutboxAdminController } from './outbox.admin.controller';
import { TelephonyAdminController } from './telephony.admin.controller';
import { PeopleAdminController } from './people.admin.controller';
import { SystemAdminController } from './system.admin.controller';
import { AccountAdminController } from './account.admin.controller';

/**
 * The server-rendered admin pages: layout, login, dashboard, customers, sent mail; and CSRF protection
 * for every form in the app. Global so that other modules' page controllers can inject AdminPages
 * without importing this module (which would be circular: this one imports theirs).
 */
@Global()
@Module({
  imports: [CustomersModule],
  controllers: [
    AuthAdminController,
    DashboardAdminController,
    CustomersAdminController,
    OutboxAdminController,
    TelephonyAdminController,
    PeopleAdminController,
    SystemAdminController,
    AccountAdminController,
  ],
  providers: [AdminRepository, AdminPages, CsrfService],
  exports: [AdminPages],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every route of the app, API included: the middleware itself decides which requests need a token.
    consumer.apply(CsrfMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
