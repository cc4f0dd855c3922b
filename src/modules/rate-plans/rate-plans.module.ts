import { Global, Module } from '@nestjs/common';
import { DeckStaging } from './deck-staging';
import { APP_CONFIG, type AppConfig } from '../../config/config';
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
 * Rate plans, rates and the rating engine. Global so that customers (plan assignment) and billing (call
 * rating) can inject RatePlansApi and RatingService without import cycles.
 */
@Global()
@Module({
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
  exports: [RatePlansApi, RatingService, RatePlansService],
})
export class RatePlansModule {}
