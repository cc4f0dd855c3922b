import { Injectable } from '@nestjs/common';
import { AuditService } from '../../../shared/audit.service';
import { Clock } from '../../../shared/clock';
import { BusinessRuleError, DomainError, NotFoundError, ValidationError, type ErrorCode } from '../../../shared/errors';
import { IdempotencyService, principalOf, type IdempotentResult } from '../../../shared/idempotency/idempotency.service';
import { isInSubtree, type Scope } from '../../../shared/scope';
import { ThrottleService } from '../../../shared/throttle.service';
import { CustomersApi } from '../../customers/customers.api';
import { SystemApi } from '../../system/system.api';
import type { EntityManager } from 'typeorm';
import { LedgerService } from '../ledger.service';
import type { RedeemVoucherDto, VoucherRedeemedDto } from './dto/voucher.dto';
import {
  accountBucket,
  addressBucket,
  exchangeRateText,
  INVALID_VOUCHER_MESSAGE,
  mayRedeemVouchers,
  throttleParent,
  unavailability,
  UNAVAILABLE_MESSAGES,
  VOUCHER_ACCOUNT_THROTTLE,
  VOUCHER_IP_THROTTLE,
} from './redemption-rules';
import { maskSerial, normalizeSerial, SERIAL_MAX_LENGTH, SERIAL_MIN_LENGTH } from './serials';
import { VouchersRepository } from './vouchers.repository';

/**
 * The refusals that count as failed attempts for the throttle: those that could be a guess (an unknown
 * serial, or an account number that does not go with it). A voucher that is used, locked or expired, or a
 * customer that may not redeem, is only ever answered for a right pair of account number and serial, so
 * they do not count: a double click must not lock a customer out.
 */
const COUNTED: readonly ErrorCode[] = ['voucher_invalid'];

const invalid = () => new BusinessRuleError(INVALID_VOUCHER_MESSAGE, [], 'voucher_invalid');

/**
 * Redeeming a voucher (DOMAIN.md §6): a customer's account number and a serial credit the customer with
 * the voucher's value, converted to its currency at the rates in force now.
 *
 * Who may: any logged-in person (administrator or user) or API key whose tree contains the customer: the
 * customer itself, or an ancestor's. The voucher must be of a batch issued by the customer's parent.
 *
 * Exactly once: inside one transaction the batch is read with a shared lock (a lock change waits), the
 * voucher is claimed with a conditional UPDATE (`redeemed_at IS NULL`, one row or a refusal), and the
 * ledger posting, the voucher's link to it and the audit entry are written; any refusal rolls all back.
 *
 * Throttled per account (the parent and the account number) and per client address with
 * ThrottleService.guard: every attempt takes a slot on both buckets before the redemption is tried (none
 * free: 429, nothing tried), an attempt refused as `voucher_invalid` keeps its slots as failures, any other
 * outcome gives them back. So at most the limit of guesses is ever tried, however many arrive at once.
 */
@Injectable()
export class RedemptionService {
  constructor(
    private readonly repo: VouchersRepository,
    private readonly customers: CustomersApi,
    private readonly system: SystemApi,
    private readonly ledger: LedgerService,
    private readonly idempotency: IdempotencyService,
    private readonly throttle: ThrottleService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async redeem(
    scope: Scope,
    dto: RedeemVoucherDto,
    clientIp: string,
    idempotencyKey?: string,
  ): Promise<IdempotentResult<VoucherRedeemedDto>> {
    const serial = normalizeSerial(dto.serial);
    if (!serial) throw ValidationError.field('serial', `must be ${SERIAL_MIN_LENGTH} to ${SERIAL_MAX_LENGTH} digits`);
    const accountNumber = dto.accountNumber.trim();
    if (!accountNumber) throw ValidationError.field('accountNumber', 'must not be empty');

    // The buckets this attempt counts against, known before anything is decided.
    const found = await this.repo.findBySerial(this.repo.reader, serial);
    const caller = (await this.customers.billingProfiles(this.repo.reader, [scope.customerId])).get(scope.customerId);
    if (!caller) throw new NotFoundError('customer');
    const parentId = throttleParent(found?.ownerCustomerId ?? null, { customerId: caller.id, ...caller }, accountNumber);
    const buckets = [
      { key: accountBucket(parentId, accountNumber), policy: VOUCHER_ACCOUNT_THROTTLE },
      { key: addressBucket(clientIp), policy: VOUCHER_IP_THROTTLE },
    ];
    const request = { operation: 'POST /api/v1/vouchers/redeem', body: { accountNumber, serial } };
    return this.throttle.guard(
      buckets,
      () =>
        this.idempotency.run(principalOf(scope), idempotencyKey, request, async (em) => ({
          status: 201,
          body: await this.redeemIn(em, scope, serial, accountNumber),
        })),
      (err) => err instanceof DomainError && COUNTED.includes(err.code),
    );
  }

  private async redeemIn(em: EntityManager, scope: Scope, serial: string, accountNumber: string): Promise<VoucherRedeemedDto> {
    const voucher = await this.repo.findBySerial(em, serial);
    if (!voucher) throw invalid();
    const customer = await this.customers.findByAccountNumber(em, voucher.ownerCustomerId, accountNumber);
    // Unknown serial, an account number of another parent, a customer outside the caller's tree: one answer.
    if (!customer || !isInSubtree(scope.customerPath, customer.path)) throw invalid();
    if (!mayRedeemVouchers(customer.billingType)) {
      throw new BusinessRuleError(
        `customers billed "${customer.billingType}" cannot redeem vouchers; only prepaid, prepaid_calls and prepaid_invoices can`,
        [],
        'voucher_not_allowed',
      );
    }
    const batch = await this.repo.findBatch(em, voucher.batchId, { shared: true });
    if (!batch) throw invalid();
    const now = this.clock.now();
    const unavailable = unavailability(voucher, { locked: !!batch.locked, expiresAt: batch.expiresAt }, now);
    if (unavailable) throw new BusinessRuleError(UNAVAILABLE_MESSAGES[unavailable], [], 'voucher_unavailable');
    // The claim: of concurrent attempts on this voucher exactly one changes the row.
    if (!(await this.repo.claim(em, voucher.id, customer.id, now))) {
      throw new BusinessRuleError(UNAVAILABLE_MESSAGES.redeemed, [], 'voucher_unavailable');
    }
    const conversion = await this.system.convert(em, batch.value, batch.currency, customer.currency, now);
    const converted = batch.currency !== customer.currency;
    const masked = maskSerial(serial);
    const posted = await this.ledger.post(em, {
      customerId: customer.id,
      type: 'voucher',
      amount: conversion.amount,
      description: `Voucher ${masked}`,
      reference: masked,
      actorPersonId: scope.personId,
      original: converted ? { amount: batch.value, currency: batch.currency, exchangeRate: exchangeRateText(conversion.rate) } : null,
    });
    const t = posted.transaction;
    await this.repo.setLedgerTransaction(em, voucher.id, t.id);
    await this.audit.record(
      scope,
      {
        action: 'voucher_redeemed',
        entityType: 'voucher',
        entityId: voucher.id,
        customerId: customer.id,
        details: {
          batchId: batch.id,
          serial: masked,
          transactionId: t.id,
          amount: t.amount.toString(),
          currency: t.currency,
          originalAmount: t.originalAmount?.toString() ?? null,
          originalCurrency: t.originalCurrency,
          exchangeRate: t.exchangeRate,
        },
      },
      em,
    );
    return {
      amount: t.amount.toString(),
      currency: t.currency,
      balance: posted.balance.toString(),
      customerId: customer.id,
      transactionId: t.id,
    };
  }
}
