import { Module } from '@nestjs/common';
import { AdminModule } from '../../admin/admin.module';
import { CustomersModule } from '../../customers/customers.module';
import { NotificationsModule } from '../../notifications/notifications.api';
import { RatePlansModule } from '../../rate-plans/rate-plans.module';
import { SystemModule } from '../../system/system.module';
import { TelephonyModule } from '../../telephony/telephony.module';
import { LedgerModule } from '../ledger.module';
import { CallControlService } from './call-control.service';
import { CallHistoryService } from './call-history.service';
import { CallsAdminController } from './calls.admin.controller';
import { CallsController } from './calls.controller';
import { CallsRepository } from './calls.repository';

/** Real-time call control inside billing: authorize, CDRs, reservations and their expiry, the daily spend limit; the call history and active calls (API and pages). */
@Module({
  imports: [AdminModule, CustomersModule, RatePlansModule, SystemModule, TelephonyModule, NotificationsModule, LedgerModule],
  controllers: [CallsController, CallsAdminController],
  providers: [CallsRepository, CallControlService, CallHistoryService],
  exports: [CallControlService, CallsRepository],
})
export class CallsModule {}
