import { Module } from '@nestjs/common';
import { AdminModule } from '../../admin/admin.module';
import { CustomersModule } from '../../customers/customers.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { LedgerModule } from '../ledger.module';
import { CardTopUpProcessor } from './card-topup.processor';
import { LowBalanceModule } from './low-balance.module';
import { TopUpsAdminController } from './topups.admin.controller';
import { TopUpsController } from './topups.controller';
import { TopUpsService } from './topups.service';

/**
 * Top-up requests (table `topup_requests`): Commerce » Requests (page and `/api/v1/topup-requests`), where
 * the parent's administrators approve or reject them, and the processor that charges card top-ups after
 * commit. Raising them (and the low-balance email) happens inside the ledger's postings, in
 * LowBalanceModule, which the ledger imports; this module builds on both.
 */
@Module({
  imports: [AdminModule, CustomersModule, NotificationsModule, LedgerModule, LowBalanceModule],
  controllers: [TopUpsController, TopUpsAdminController],
  providers: [TopUpsService, CardTopUpProcessor],
  exports: [CardTopUpProcessor],
})
export class TopUpsModule {}
