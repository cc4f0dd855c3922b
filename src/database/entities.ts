import { BalanceEntity } from '../modules/billing/entities/balance.entity';
import { CallEntity } from '../modules/billing/calls/entities/call.entity';
import { CallLevelEntity } from '../modules/billing/calls/entities/call-level.entity';
import { DailyLimitLockEntity } from '../modules/billing/calls/entities/daily-limit-lock.entity';
import { LedgerTransactionEntity } from '../modules/billing/entities/ledger-transaction.entity';
import { TopUpRequestEntity } from '../modules/billing/topups/entities/topup-request.entity';
import { VoucherBatchEntity } from '../modules/billing/vouchers/entities/voucher-batch.entity';
import { VoucherEntity } from '../modules/billing/vouchers/entities/voucher.entity';
import { ChargePostingEntity, CustomerChargeEntity } from '../modules/invoicing/entities/customer-charge.entity';
import { FeePeriodEntity } from '../modules/invoicing/entities/fee-period.entity';
import { InvoiceLineEntity } from '../modules/invoicing/entities/invoice-line.entity';
import { InvoiceNumberCounterEntity } from '../modules/invoicing/entities/invoice-number-counter.entity';
import { InvoiceRunEntity } from '../modules/invoicing/entities/invoice-run.entity';
import { InvoiceEntity } from '../modules/invoicing/entities/invoice.entity';
import { CustomerEntity, CustomerTaxEntity } from '../modules/customers/entities/customer.entity';
import { ApiKeyEntity } from '../modules/identity/entities/api-key.entity';
import { PasswordTokenEntity } from '../modules/identity/entities/password-token.entity';
import { PersonEntity } from '../modules/identity/entities/person.entity';
import { SessionEntity } from '../modules/identity/entities/session.entity';
import { OutboxEmailEntity } from '../modules/notifications/entities/outbox-email.entity';
import { RateDeckEntity } from '../modules/rate-plans/entities/rate-deck.entity';
import { RateEntity } from '../modules/rate-plans/entities/rate.entity';
import { RatePlanEntity } from '../modules/rate-plans/entities/rate-plan.entity';
import { DialPlanEntity } from '../modules/system/entities/dial-plan.entity';
import { ExchangeRateEntity } from '../modules/system/entities/exchange-rate.entity';
import { RegionEntity } from '../modules/system/entities/region.entity';
import { SystemSettingsEntity } from '../modules/system/entities/system-settings.entity';
import { TaxEntity } from '../modules/taxes/entities/tax.entity';
import { MailboxEntity } from '../modules/telephony/entities/mailbox.entity';
import { NumberEntity } from '../modules/telephony/entities/number.entity';
import { SipAccountEntity } from '../modules/telephony/entities/sip-account.entity';
import { AuditEntryEntity } from '../shared/entities/audit-entry.entity';
import { ThrottleBucketEntity } from '../shared/entities/throttle-bucket.entity';
import { IdempotencyKeyEntity } from '../shared/idempotency/idempotency-key.entity';
import { JobLeaseEntity } from '../shared/jobs/job-lease.entity';

/** Every entity, listed explicitly (no globs: they break between ts-jest and compiled dist). */
export const ENTITIES = [
  SystemSettingsEntity,
  RegionEntity,
  DialPlanEntity,
  ExchangeRateEntity,
  CustomerEntity,
  CustomerTaxEntity,
  RatePlanEntity,
  RateDeckEntity,
  RateEntity,
  TaxEntity,
  PersonEntity,
  SessionEntity,
  ApiKeyEntity,
  PasswordTokenEntity,
  NumberEntity,
  SipAccountEntity,
  MailboxEntity,
  OutboxEmailEntity,
  AuditEntryEntity,
  ThrottleBucketEntity,
  JobLeaseEntity,
  BalanceEntity,
  CallEntity,
  CallLevelEntity,
  DailyLimitLockEntity,
  LedgerTransactionEntity,
  TopUpRequestEntity,
  VoucherBatchEntity,
  VoucherEntity,
  IdempotencyKeyEntity,
  InvoiceRunEntity,
  InvoiceEntity,
  InvoiceLineEntity,
  InvoiceNumberCounterEntity,
  FeePeriodEntity,
  CustomerChargeEntity,
  ChargePostingEntity,
];
