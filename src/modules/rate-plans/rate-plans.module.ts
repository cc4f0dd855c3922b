import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AdminModule } from '../admin/admin.module';
import { SystemModule } from '../system/system.module';
import { DeckStaging } from './deck-staging';
import { RatePlansAdminController } from './rate-plans.admin.controller';
import { PriceController, RATE_DECK_MAX_BYTES, RatePlansController } from './rate-plans.controller';
import { RatePlansApi } from './rate-plans.api';
import { RatePlansRepository } from './rate-plans.repository';
import { RatePlansService } from './rate-plans.service';
import { RateIndexCache } from './rate-index-cache';
import { RatesRepository } from './rates.repository';
import { RatesService } from './rates.service';
import { RatingService } from './rating.service';

/**
 * Rate plans, rates and the rating engine. Other modules use RatePlansApi (customers: plan assignment)
 * and RatingService (billing: call rating); the modules below reach plans through the kernel port
 * RatePlanDirectory, which RatePlansApi implements.
 */
@Module({
  imports: [AdminModule, SystemModule],
  controllers: [RatePlansController, PriceController, RatePlansAdminController],
  providers: [
    RatePlansApi,
    RatePlansRepository,
    RatesRepository,
    RateIndexCache,
    RatePlansService,
    RatesService,
    RatingService,
    DeckStaging,
    { provide: RATE_DECK_MAX_BYTES, inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.rateDeckMaxBytes },
  ],
  exports: [RatePlansApi, RatingService],
})
export class RatePlansModule {}
