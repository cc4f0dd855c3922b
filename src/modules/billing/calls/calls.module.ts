import { Module } from '@nestjs/common';
import { CustomersModule } from '../../customers/customers.module';
import { NotificationsModule } from '../../notifications/notifications.api';
import { RatePlansModule } from '../../rate-plans/rate-plans.module';
import { SystemModule } from '../../system/system.module';
import { TelephonyModule } from '../../telephony/telephony.module';
import { LedgerModule } from '../ledger.module';
import { CallControlService } from './call-control.service';
import { CallsController } from './calls.controller';
import { CallsRepository } from './calls.repository';

/** Real-time call control inside billing: authorize, CDRs, reservations and their expiry, the daily spend limit. */
@Module({
  imports: [CustomersModule, RatePlansModule, SystemModule, TelephonyModule, NotificationsModule, LedgerModule],
  controllers: [CallsController],
  providers: [CallsRepository, CallControlService],
  exports: [CallControlService, CallsRepository],
})
export class CallsModule {}
