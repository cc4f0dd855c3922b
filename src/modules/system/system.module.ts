import { Module } from '@nestjs/common';
import { BootstrapService } from './bootstrap.service';
import { HealthController } from './system.controller';
import { TestClockController } from './test-clock.controller';

@Module({
  controllers: [HealthController, TestClockController],
  providers: [BootstrapService],
  exports: [BootstrapService],
})
export class SystemModule {}
