import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { DialPlansService } from './dial-plans.service';
import { ExchangeRatesService } from './exchange-rates.service';
import { RegionsService } from './regions.service';
import { SystemAdminController } from './system.admin.controller';
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
    SystemAdminController,
  ],
  providers: [SystemRepository, SystemApi, SystemSettingsService, RegionsService, DialPlansService, ExchangeRatesService],
  exports: [SystemApi],
})
export class SystemModule {}
