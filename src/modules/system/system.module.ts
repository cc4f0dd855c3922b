import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { DialPlansAdminController } from './dial-plans.admin.controller';
import { DialPlansService } from './dial-plans.service';
import { ExchangeRatesAdminController } from './exchange-rates.admin.controller';
import { ExchangeRatesService } from './exchange-rates.service';
import { RegionsAdminController } from './regions.admin.controller';
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
import { SystemSettingsAdminController } from './system-settings.admin.controller';
import { SystemSettingsService } from './system-settings.service';
import { TestClockController } from './test-clock.controller';

/** Platform settings, regions, dial plans, currencies and exchange rates; other modules use SystemApi. */
@Module({
  imports: [AdminModule],
  controllers: [
    HealthController,
    TestClockController,
    SystemSettingsController,
    ReferenceDataController,
    RegionsController,
    DialPlansController,
    ExchangeRatesController,
    // The admin pages, in the order of the single controller they were split from.
    SystemSettingsAdminController,
    RegionsAdminController,
    ExchangeRatesAdminController,
    DialPlansAdminController,
  ],
  providers: [SystemRepository, SystemApi, SystemSettingsService, RegionsService, DialPlansService, ExchangeRatesService],
  exports: [SystemApi],
})
export class SystemModule {}
