import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { MailboxesAdminController } from './mailboxes.admin.controller';
import { MailboxesController } from './mailboxes.controller';
import { MailboxesService } from './mailboxes.service';
import { NumbersAdminController } from './numbers.admin.controller';
import { CustomerNumbersController, NumbersController } from './numbers.controller';
import { NumbersService } from './numbers.service';
import { SipAccountsAdminController } from './sip-accounts.admin.controller';
import { SipAccountsController } from './sip-accounts.controller';
import { SipAccountsService } from './sip-accounts.service';
import { PageCustomers } from './telephony.admin-shared';
import { TelephonyApi } from './telephony.api';
import { TelephonyRepository } from './telephony.repository';

/**
 * Numbers (inventory and assignment), telephone lines (SIP accounts) and mailboxes: their API and admin
 * pages. Other modules use TelephonyApi only; the customer tree comes from the kernel's CustomerDirectory.
 */
@Module({
  imports: [AdminModule],
  controllers: [
    NumbersController,
    CustomerNumbersController,
    SipAccountsController,
    MailboxesController,
    SipAccountsAdminController,
    MailboxesAdminController,
    NumbersAdminController,
  ],
  providers: [TelephonyRepository, NumbersService, SipAccountsService, MailboxesService, PageCustomers, TelephonyApi],
  exports: [TelephonyApi],
})
export class TelephonyModule {}
