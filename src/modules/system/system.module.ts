import { Global, Module } from '@nestjs/common';
import { BootstrapService } from './bootstrap.service';
import { DialPlansService } from './dial-plans.service';
import { ExchangeRatesService } from './exchange-rates.service';
import { RegionsService } from './regions.service';
import { SystemApi } from './system.api';
import { HealthController } from './system.controller';
import { SystemRepository } from './system.repository';
import {
  DialPlansController,
  ExchangeRatesController,
  ReferenceDataController,
  RegionsController,
  SystemSettingsController,
} from './system-settings.controller';
import { SystemSettingsService } from './system-settings.service';
import { TestClockController } from './test-clock.controller';

/** Global so other modules can inject SystemApi (settings, regions, dial plans, currency conversion). */
@Global()
@Module({
  controllers: [
    HealthController,
    TestClockController,
    SystemSettingsController,
    ReferenceDataController,
    RegionsController,
    DialPlansController,
    ExchangeRatesController,
  ],
  providers: [BootstrapService, SystemRepository, SystemApi, SystemSettingsService, RegionsService, DialPlansService, ExchangeRatesService],
  exports: [BootstrapService, SystemApi, SystemSettingsService, RegionsService, DialPlansService, ExchangeRatesService],
})
export class SystemModule {}
