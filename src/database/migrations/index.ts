import { InitialSchema1764100000000 } from './1764100000000-initial-schema';
import { CustomerRetiredIdentifiers1764200000000 } from './1764200000000-customer-retired-identifiers';
import { RateDecks1764305000000 } from './1764305000000-rate-decks';
import { OutboxUnrenderedIndex1764400000000 } from './1764400000000-outbox-unrendered-index';
import { CustomerListSearch1764410000000 } from './1764410000000-customer-list-search';
import { LoginNamesNocase1764500000000 } from './1764500000000-login-names-nocase';
import { JobLeases1764600000000 } from './1764600000000-job-leases';
import { Ledger1764700000000 } from './1764700000000-ledger';
import { Vouchers1764800000000 } from './1764800000000-vouchers';
import { TopUpRequests1764810000000 } from './1764810000000-topup-requests';
import { Calls1764820000000 } from './1764820000000-calls';
import { ThrottleSlots1764830000000 } from './1764830000000-throttle-slots';
import { CallLevelDestination1764900000000 } from './1764900000000-call-level-destination';
import { Invoicing1764910000000 } from './1764910000000-invoicing';
import { FeePeriods1764920000000 } from './1764920000000-fee-periods';
import { CustomerCharges1764930000000 } from './1764930000000-customer-charges';
import { IncludedSeconds1764940000000 } from './1764940000000-included-seconds';
import { InvoiceDocuments1764950000000 } from './1764950000000-invoice-documents';
import { CustomerLogoUrl1764960000000 } from './1764960000000-customer-logo-url';

/** The one migration history, in order, for MariaDB/MySQL and SQLite alike. */
export const MIGRATIONS = [
  InitialSchema1764100000000,
  CustomerRetiredIdentifiers1764200000000,
  RateDecks1764305000000,
  OutboxUnrenderedIndex1764400000000,
  CustomerListSearch1764410000000,
  LoginNamesNocase1764500000000,
  JobLeases1764600000000,
  Ledger1764700000000,
  Vouchers1764800000000,
  TopUpRequests1764810000000,
  Calls1764820000000,
  ThrottleSlots1764830000000,
  CallLevelDestination1764900000000,
  Invoicing1764910000000,
  FeePeriods1764920000000,
  CustomerCharges1764930000000,
  IncludedSeconds1764940000000,
  InvoiceDocuments1764950000000,
  CustomerLogoUrl1764960000000,
];
