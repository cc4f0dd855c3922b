import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { AdminModule } from '../admin/admin.module';
import { SystemModule } from '../system/system.module';
import { DeckStaging } from './deck-staging';
import { PriceLookupAdminController } from './price-lookup.admin.controller';
import { RatePlansAdminController } from './rate-plans.admin.controller';
import { PlanPriceController, PriceController, RATE_DECK_MAX_BYTES, RatePlansController } from './rate-plans.controller';
import { RatePlansApi } from './rate-plans.api';
import { RatePlansRepository } from './rate-plans.repository';
import { RatePlansService } from './rate-plans.service';
import { RateIndexCache } from './rate-index-cache';
import { RatesAdminController } from './rates.admin.controller';
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
  // The admin pages keep the route order of the single controller they were split from (Nest matches in
  // registration order): rate-plans/new is declared before rate-plans/:id in RatePlansAdminController.
  controllers: [RatePlansController, PriceController, PlanPriceController, RatePlansAdminController, RatesAdminController, PriceLookupAdminController],
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
