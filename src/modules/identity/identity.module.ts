import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { IdentityController } from './identity.controller';
import { IdentityRepository } from './identity.repository';
import { IdentityService } from './identity.service';
import { PeopleController } from './people.controller';
import { PeopleService } from './people.service';

@Global()
@Module({
  controllers: [IdentityController, PeopleController],
  providers: [IdentityRepository, IdentityService, PeopleService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [IdentityService, PeopleService],
})
export class IdentityModule {}
