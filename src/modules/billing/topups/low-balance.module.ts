import { Module } from '@nestjs/common';
import { CustomersModule } from '../../customers/customers.module';
import { NotificationsModule } from '../../notifications/notifications.module';
import { CARD_PAYMENT_PROVIDER, cardPaymentProvider } from './card-payment-provider';
import { LowBalanceService } from './low-balance.service';
import { TopUpRequestsRepository } from './topup-requests.repository';
import { loadTopUpsConfig, TOPUPS_CONFIG, type TopUpsConfig } from './topups.config';

/**
 * The part of top-ups the ledger itself calls (through BalanceWatcher, inside every posting): the
 * low-balance email and raising the automatic top-up request. It depends on nothing of the ledger, so
 * LedgerModule can import it; what needs the ledger (approving, charging cards) is TopUpsModule, which
 * imports LedgerModule in turn.
 */
@Module({
  imports: [CustomersModule, NotificationsModule],
  providers: [
    { provide: TOPUPS_CONFIG, useFactory: () => loadTopUpsConfig() },
    { provide: CARD_PAYMENT_PROVIDER, inject: [TOPUPS_CONFIG], useFactory: (config: TopUpsConfig) => cardPaymentProvider(config) },
    TopUpRequestsRepository,
    LowBalanceService,
  ],
  exports: [TOPUPS_CONFIG, CARD_PAYMENT_PROVIDER, TopUpRequestsRepository, LowBalanceService],
})
export class LowBalanceModule {}
