import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { CustomersModule } from '../customers/customers.module';
import { BalancesService } from './balances.service';
import { BillingAdminController } from './billing.admin.controller';
import { InvoiceUsage } from './invoice-usage';
import { BillingApi } from './billing.api';
import { BillingBalances } from './billing-balances';
import { BillingController } from './billing.controller';
import { CallsModule } from './calls/calls.module';
import { LedgerModule } from './ledger.module';
import { TopUpsModule } from './topups/topups.module';
import { VouchersModule } from './vouchers/vouchers.module';

/**
 * Billing (layer 9): the ledger and balances (tables `balances`, `ledger_transactions`), the balance API
 * and page under a customer, and BillingApi for the modules above. The kernel port BalanceDirectory is
 * answered by BillingBalances (bound by the composition root).
 */
@Module({
  imports: [AdminModule, CustomersModule, LedgerModule, CallsModule, VouchersModule, TopUpsModule],
  controllers: [BillingController, BillingAdminController],
  providers: [BillingBalances, BalancesService, BillingApi, InvoiceUsage],
  exports: [BillingApi],
})
export class BillingModule {}
