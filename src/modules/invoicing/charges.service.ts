import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { isUniqueViolation } from '../../database/dialect';
import { insertRow } from '../../database/insert-row';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { Money } from '../../shared/money';
import type { Scope } from '../../shared/scope';
import { BillingApi } from '../billing/billing.api';
import { RatePlansApi } from '../rate-plans/rate-plans.api';
import { localDateOf, nextPeriod, periodContaining, type BillingPeriodDates, type PeriodKind } from './domain/billing-period';
import type { ChargeDto, CreateChargeDto } from './dto/charges.dto';
import { ChargePostingEntity, CustomerChargeEntity } from './entities/customer-charge.entity';

const ONCE = 'once';

/** A recurring charge and the start of the last period it was debited for (null: none yet). */
export interface RecurringCharge {
  charge: CustomerChargeEntity;
  lastPeriodStart: string | null;
}
/** Periods of one recurring charge posted in one go at most (catching up after a long stop). */
const MAX_PERIODS = 24;

/**
 * Charges on a customer (DOMAIN.md §7 "one-off and recurring charges"): added by an administrator of an
 * ancestor, debited to the customer's balance as ledger type `charge` (so they reach the invoice of the
 * period they were debited in). A one-off charge is debited when added; a recurring one at once for the
 * current billing period and then at the start of every following period (the recurring-fees job), until
 * ended. Each debit happens once: `charge_postings` has one row per charge and period.
 */
@Injectable()
export class ChargesService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly customers: CustomerDirectory,
    private readonly ratePlans: RatePlansApi,
    private readonly billing: BillingApi,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(scope: Scope, customerId: number, dto: CreateChargeDto): Promise<ChargeDto> {
    const amount = Money.parse(dto.amount)!;
    const cost = dto.cost === undefined ? Money.ZERO : Money.parse(dto.cost)!;
    const recurring = dto.recurring ?? false;
    const id = await this.tx.run(async (em) => {
      const customer = await this.customers.lockLiveInScope(em, scope, customerId);
      assertMayCharge(scope, customer);
      const kind = recurring ? await this.periodKind(em, customer) : null;
      if (recurring && kind === 'indefinite')
        throw new BusinessRuleError("the customer's rate plan has no billing periods (indefinite): a recurring charge would never be charged");
      const now = this.clock.now();
      const row: Omit<CustomerChargeEntity, 'id'> = {
        customerId: customer.id,
        description: dto.description.trim(),
        amount,
        cost,
        currency: customer.currency,
        recurring,
        createdByPersonId: scope.personId,
        createdAt: now,
        endedAt: null,
      };
      const chargeId = await insertRow(em, CustomerChargeEntity, row);
      const charge = { id: chargeId, ...row };
      if (kind) await this.postPeriod(em, charge, periodContaining(kind, localDateOf(now, customer.timezone))!);
      else await this.postPeriod(em, charge, null);
      await this.audit.record(
        scope,
        { action: 'charge_added', entityType: 'customer_charge', entityId: chargeId, customerId: customer.id, details: { amount: amount.toString(), recurring } },
        em,
      );
      return chargeId;
    });
    return this.get(scope, customerId, id);
  }

  async list(scope: Scope, customerId: number): Promise<ChargeDto[]> {
    const customer = await this.customers.findInScope(this.dataSource.manager, scope, customerId, { includeDeleted: true });
    const rows = await this.dataSource.manager.find(CustomerChargeEntity, { where: { customerId: customer.id }, order: { id: 'DESC' } });
    const counts = await this.postingCounts(rows.map((r) => r.id));
    return rows.map((r) => toChargeDto(r, counts.get(r.id) ?? 0));
  }

  async get(scope: Scope, customerId: number, chargeId: number): Promise<ChargeDto> {
    const customer = await this.customers.findInScope(this.dataSource.manager, scope, customerId, { includeDeleted: true });
    const row = await this.dataSource.manager.findOneBy(CustomerChargeEntity, { id: chargeId, customerId: customer.id });
    if (!row) throw new NotFoundError('charge');
    return toChargeDto(row, (await this.postingCounts([row.id])).get(row.id) ?? 0);
  }

  /** Ends a recurring charge: periods starting from now on are not charged (what was debited stays). */
  async end(scope: Scope, customerId: number, chargeId: number): Promise<ChargeDto> {
    await this.tx.run(async (em) => {
      const customer = await this.customers.lockLiveInScope(em, scope, customerId);
      assertMayCharge(scope, customer);
      const row = await em.findOneBy(CustomerChargeEntity, { id: chargeId, customerId: customer.id });
      if (!row) throw new NotFoundError('charge');
      if (!row.recurring) throw new ConflictError('a one-off charge was debited when it was added; correct it with a credit note');
      if (row.endedAt) throw new ConflictError('the charge has already ended');
      await em.update(CustomerChargeEntity, { id: row.id }, { endedAt: this.clock.now() });
      await this.audit.record(scope, { action: 'charge_ended', entityType: 'customer_charge', entityId: row.id, customerId: customer.id }, em);
    });
    return this.get(scope, customerId, chargeId);
  }

  /**
   * The running recurring charges of some customers with the periods each was already debited for, in
   * two statements: what the recurring-fees job reads once per page of customers.
   */
  async recurringOf(customerIds: readonly number[]): Promise<Map<number, RecurringCharge[]>> {
    const out = new Map<number, RecurringCharge[]>();
    if (!customerIds.length) return out;
    const charges = await this.dataSource.manager.find(CustomerChargeEntity, { where: { customerId: In([...customerIds]), recurring: true } });
    if (!charges.length) return out;
    const postings = await this.dataSource.manager.find(ChargePostingEntity, {
      where: { chargeId: In(charges.map((c) => c.id)) },
      select: { chargeId: true, periodStart: true },
    });
    const last = new Map<number, string>();
    for (const p of postings) if ((last.get(p.chargeId) ?? '') < p.periodStart) last.set(p.chargeId, p.periodStart);
    for (const charge of charges) {
      out.set(charge.customerId, [...(out.get(charge.customerId) ?? []), { charge, lastPeriodStart: last.get(charge.id) ?? null }]);
    }
    return out;
  }

  /**
   * The recurring-fees job's part: debits each of the customer's recurring charges for every period that
   * has started by today (in its zone) and is not charged yet, oldest first, up to the charge's end.
   * Answers how many it debited; a period another instance debited meanwhile is skipped (primary key).
   */
  async postDue(charges: readonly RecurringCharge[], kind: PeriodKind, timezone: string): Promise<number> {
    if (kind === 'indefinite') return 0;
    const today = localDateOf(this.clock.now(), timezone);
    let posted = 0;
    for (const { charge, lastPeriodStart } of charges) {
      let period = lastPeriodStart
        ? nextPeriod(kind, periodContaining(kind, lastPeriodStart)!)
        : periodContaining(kind, localDateOf(charge.createdAt, timezone));
      const endedOn = charge.endedAt ? localDateOf(charge.endedAt, timezone) : null;
      for (let n = 0; period && period.start <= today && n < MAX_PERIODS; n++) {
        if (endedOn !== null && period.start > endedOn) break;
        const p = period;
        try {
          await this.tx.run((em) => this.postPeriod(em, charge, p));
          posted++;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
        period = nextPeriod(kind, period);
      }
    }
    return posted;
  }

  private async postPeriod(em: EntityManager, charge: CustomerChargeEntity, period: BillingPeriodDates | null): Promise<void> {
    const posting: ChargePostingEntity = { chargeId: charge.id, periodStart: period?.start ?? ONCE, ledgerTransactionId: null, postedAt: this.clock.now() };
    await em.insert(ChargePostingEntity, posting);
    const span = period ? ` ${period.start} to ${period.end}` : '';
    const posted = await this.billing.post(em, {
      customerId: charge.customerId,
      type: 'charge',
      amount: charge.amount.negated(),
      description: `${charge.description}${span}`.slice(0, 500),
      reference: `charge ${charge.id}`,
      actorPersonId: charge.createdByPersonId,
    });
    await em.update(ChargePostingEntity, { chargeId: charge.id, periodStart: posting.periodStart }, { ledgerTransactionId: posted.transaction.id });
  }

  private async periodKind(em: EntityManager, customer: CustomerRef): Promise<PeriodKind> {
    return (await this.ratePlans.planSettingsOrDefaults(em, customer.ratePlanId)).billingPeriod;
  }

  private async postingCounts(chargeIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (!chargeIds.length) return out;
    const rows = await this.dataSource.manager.find(ChargePostingEntity, { where: { chargeId: In(chargeIds) }, select: { chargeId: true } });
    for (const r of rows) out.set(r.chargeId, (out.get(r.chargeId) ?? 0) + 1);
    return out;
  }
}

/** Charges are put on a customer by an administrator above it, never by the customer itself. */
function assertMayCharge(scope: Scope, customer: CustomerRef): void {
  if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
  if (customer.id === scope.customerId || customer.parentId === null)
    throw new ForbiddenError("a customer's charges are added by its parent (or a customer above it), not by itself");
}

function toChargeDto(r: CustomerChargeEntity, postings: number): ChargeDto {
  return {
    id: r.id,
    customerId: r.customerId,
    description: r.description,
    amount: r.amount.toString(),
    cost: r.cost.toString(),
    currency: r.currency,
    recurring: !!r.recurring,
    createdAt: r.createdAt.toISOString(),
    endedAt: r.endedAt ? r.endedAt.toISOString() : null,
    postings,
  };
}
