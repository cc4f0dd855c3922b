import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { Clock } from './clock';
import { ThrottleService } from './throttle.service';

/** The shared kernel: clock, audit log, throttling. */
@Global()
@Module({
  providers: [Clock, AuditService, ThrottleService],
  exports: [Clock, AuditService, ThrottleService],
})
export class SharedModule {}
