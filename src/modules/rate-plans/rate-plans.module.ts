import { Global, Module } from '@nestjs/common';
import { RatePlansApi } from './rate-plans.api';

@Global()
@Module({
  providers: [RatePlansApi],
  exports: [RatePlansApi],
})
export class RatePlansModule {}
