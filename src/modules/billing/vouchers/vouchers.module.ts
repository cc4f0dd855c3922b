import { Module } from '@nestjs/common';
import { AdminModule } from '../../admin/admin.module';
import { CustomersModule } from '../../customers/customers.module';
import { SystemModule } from '../../system/system.module';
import { LedgerModule } from '../ledger.module';
import { RedemptionService } from './redemption.service';
import { VoucherBatchesService } from './voucher-batches.service';
import { VouchersAdminController } from './vouchers.admin.controller';
import { VouchersController } from './vouchers.controller';
import { VouchersRepository } from './vouchers.repository';

/**
 * Vouchers, inside billing (tables `voucher_batches`, `vouchers`): batches issued by resellers, their
 * serials and CSV export, and redemption, which credits a customer through the ledger. Imported by
 * BillingModule; uses the ledger (LedgerModule), the customer tree and the system's exchange rates.
 */
@Module({
  imports: [AdminModule, CustomersModule, SystemModule, LedgerModule],
  controllers: [VouchersController, VouchersAdminController],
  providers: [VouchersRepository, VoucherBatchesService, RedemptionService],
})
export class VouchersModule {}
