import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { BalanceWatcher } from './balance-watcher';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { LowBalanceModule } from './topups/low-balance.module';

/**
 * The ledger inside billing: LedgerService.post (the one way a balance changes), its repository and the
 * BalanceWatcher it calls (which hands crossings of the low-balance threshold to LowBalanceModule). One
 * instance for the whole billing module: BillingModule and billing's own
 * sub-modules (vouchers, ...) import this module instead of providing these classes again.
 */
@Module({
  imports: [CustomersModule, LowBalanceModule],
  providers: [BalanceWatcher, LedgerRepository, LedgerService],
  exports: [BalanceWatcher, LedgerRepository, LedgerService],
})
export class LedgerModule {}
