import { Global, Module } from '@nestjs/common';
import { JobRunner } from './job-runner';

/** Background jobs with a database lease (kernel: any module registers its jobs on the JobRunner). */
@Global()
@Module({
  providers: [JobRunner],
  exports: [JobRunner],
})
export class JobsModule {}
