import { Global, Module } from '@nestjs/common';
import { MailboxesController } from './mailboxes.controller';
import { MailboxesService } from './mailboxes.service';
import { CustomerNumbersController, NumbersController } from './numbers.controller';
import { NumbersService } from './numbers.service';
import { SipAccountsController } from './sip-accounts.controller';
import { SipAccountsService } from './sip-accounts.service';
import { TelephonyRepository } from './telephony.repository';

/** Numbers (inventory and assignment), telephone lines (SIP accounts) and mailboxes. */
@Global()
@Module({
  controllers: [NumbersController, CustomerNumbersController, SipAccountsController, MailboxesController],
  providers: [TelephonyRepository, NumbersService, SipAccountsService, MailboxesService],
  exports: [NumbersService, SipAccountsService, MailboxesService],
})
export class TelephonyModule {}
