import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdminModule } from '../admin/admin.api';
import { NotificationsModule } from '../notifications/notifications.module';
import { AccountAdminController } from './account.admin.controller';
import { AuthAdminController } from './auth.admin.controller';
import { ErrorPages } from '../../shared/http/error-pages';
import { AuthGuard } from './auth.guard';
import { LayoutErrorPages } from './error-pages';
import { IdentityApi } from './identity.api';
import { IdentityController } from './identity.controller';
import { IdentityRepository } from './identity.repository';
import { IdentityService } from './identity.service';
import { PeopleAdminController } from './people.admin.controller';
import { PeopleController } from './people.controller';
import { PeopleService } from './people.service';

/**
 * People, logins, sessions, API keys, set-password links, and the global AuthGuard. Customers are read
 * through the kernel's CustomerDirectory port (bound by the composition root); other modules use
 * IdentityApi only.
 */
@Module({
  imports: [AdminModule, NotificationsModule],
  controllers: [IdentityController, PeopleController, AuthAdminController, AccountAdminController, PeopleAdminController],
  providers: [
    IdentityRepository,
    IdentityService,
    PeopleService,
    IdentityApi,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: ErrorPages, useClass: LayoutErrorPages },
  ],
  exports: [IdentityApi, ErrorPages],
})
export class IdentityModule {}
