import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { IdentityModule } from '../identity/identity.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RatePlansModule } from '../rate-plans/rate-plans.module';
import { SystemModule } from '../system/system.module';
import { TaxesModule } from '../taxes/taxes.module';
import { TelephonyModule } from '../telephony/telephony.module';
import { AuditLogAdminController } from './audit-log.admin.controller';
import { AuditLogService } from './audit-log.service';
import { BootstrapService } from './bootstrap.service';
import { CustomerFormOptionsService } from './customer-form-options';
import { CustomerViews } from './customer-views';
import { CustomersAdminController } from './customers.admin.controller';
import { CustomersApi } from './customers.api';
import { CustomersController } from './customers.controller';
import { CustomersRepository } from './customers.repository';
import { InvoiceProfiles } from './invoice-profiles';
import { CustomerListService } from './customer-list.service';
import { CustomersService } from './customers.service';
import { DashboardAdminController } from './dashboard.admin.controller';
import { OwnDetailsAdminController } from './own-details.admin.controller';

/**
 * The customer tree: the JSON API, the pages, the first start (system owner) and CustomersApi, through
 * which every other module reads the tree (bound to the kernel's CustomerDirectory by the composition root).
 */
@Module({
  imports: [AdminModule, SystemModule, NotificationsModule, TaxesModule, IdentityModule, TelephonyModule, RatePlansModule],
  controllers: [CustomersController, CustomersAdminController, DashboardAdminController, OwnDetailsAdminController, AuditLogAdminController],
  providers: [CustomersRepository, CustomersService, CustomerListService, CustomerViews, CustomerFormOptionsService, CustomersApi, BootstrapService, InvoiceProfiles, AuditLogService],
  exports: [CustomersApi, BootstrapService, InvoiceProfiles],
})
export class CustomersModule {}
