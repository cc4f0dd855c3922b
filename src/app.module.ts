import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { loadConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './modules/admin/admin.api';
import { BillingBalances } from './modules/billing/billing.api';
import { BillingModule } from './modules/billing/billing.module';
import { InvoicingModule } from './modules/invoicing/invoicing.module';
import { CustomersApi } from './modules/customers/customers.api';
import { CustomersModule } from './modules/customers/customers.module';
import { IdentityModule } from './modules/identity/identity.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { RatePlansApi } from './modules/rate-plans/rate-plans.api';
import { RatePlansModule } from './modules/rate-plans/rate-plans.module';
import { TelephonyModule } from './modules/telephony/telephony.module';
import { SystemSecrets } from './modules/system/system.api';
import { SystemModule } from './modules/system/system.module';
import { TaxesModule } from './modules/taxes/taxes.module';
import { httpLogOptions } from './shared/http/request-log';
import { PortsModule } from './shared/ports.module';
import { SharedModule } from './shared/shared.module';
import { JobsModule } from './shared/jobs/jobs.module';

@Module({
  imports: [
    ConfigModule,
    // pino-http itself is applied first of all middleware by configureApp (app.factory.ts).
    LoggerModule.forRoot({ pinoHttp: httpLogOptions(loadConfig().logLevel, loadConfig().logFormat), useExisting: true }),
    ScheduleModule.forRoot(),
    DatabaseModule,
    SharedModule,
    JobsModule,
    // The kernel's ports, answered by the modules that own the rows (see src/shared/ports.module.ts).
    PortsModule.forRoot({
      customerDirectory: CustomersApi,
      ratePlanDirectory: RatePlansApi,
      appSecrets: SystemSecrets,
      balanceDirectory: BillingBalances,
    }),
    // Feature modules, lowest layer first (docs/ARCHITECTURE.md); each imports what it uses.
    AdminModule,
    SystemModule,
    NotificationsModule,
    TaxesModule,
    IdentityModule,
    TelephonyModule,
    RatePlansModule,
    CustomersModule,
    BillingModule,
    InvoicingModule,
  ],
})
export class AppModule {}
