import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { Clock } from './clock';
import { IdempotencyService } from './idempotency/idempotency.service';
import { ThrottleService } from './throttle.service';

/** The shared kernel: clock, audit log, throttling, idempotency keys. */
@Global()
@Module({
  providers: [Clock, AuditService, ThrottleService, IdempotencyService],
  exports: [Clock, AuditService, ThrottleService, IdempotencyService],
})
export class SharedModule {}
