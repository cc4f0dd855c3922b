import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '../../database/dialect';
import { TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../../shared/clock';
import { JobRunner } from '../../shared/jobs/job-runner';
import { Money } from '../../shared/money';
import { BillingApi } from '../billing/billing.api';
import { InvoiceProfiles, type InvoiceProfile } from '../customers/customers.api';
import { RatePlansApi } from '../rate-plans/rate-plans.api';
import { SystemApi } from '../system/system.api';
import { TelephonyApi } from '../telephony/telephony.api';
import { localDateOf, nextPeriod, periodContaining, periodsLeftOnContract, type BillingPeriodDates, type PeriodKind } from './domain/billing-period';
import { ChargesService, type RecurringCharge } from './charges.service';
import { FeePeriodEntity } from './entities/fee-period.entity';
import { DELETED_LOOKBACK_MS, INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';

export const RECURRING_FEES_JOB = 'invoicing-recurring-fees';
const SIGNUP = 'signup';
const PAGE = 500;
/** Periods posted for one customer in one tick at most (a customer back-dated years must not stall the job). */
const MAX_PERIODS_PER_TICK = 24;

interface PlanFees {
  kind: PeriodKind;
  contractMonths: number;
  defer: boolean;
  currency: string;
  signup: Money;
  account: Money;
  perLine: Money;
  perNumber: Money;
}

/**
 * Recurring fees in advance (DOMAIN.md §3, §7): at the start of each billing period in the customer's
 * zone, the account fee, the line fee for each live line and the number fee for each number it has are
 * debited (ledger types `account_fee`, `line_fee`, `number_fee`), so they land on that period's invoice;
 * the sign-up fee once, with the first posting. A plan that defers billing starts with the period after
 * the one the customer joined in. Fees are in the plan's currency and converted to the customer's at the
 * time of posting (the transaction keeps the original amount and rate).
 *
 * Exactly once per customer and period: each posting inserts its `fee_periods` row in the same
 * transaction as the ledger rows; a second instance (or a second tick) meets the primary key and rolls
 * back. Periods missed while the platform was down are posted on the next tick, oldest first.
 */
@Injectable()
export class RecurringFeesService implements OnModuleInit {
  private readonly logger = new Logger('RecurringFees');

  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly profiles: InvoiceProfiles,
    private readonly ratePlans: RatePlansApi,
    private readonly telephony: TelephonyApi,
    private readonly billing: BillingApi,
    private readonly system: SystemApi,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    private readonly charges: ChargesService,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: RECURRING_FEES_JOB,
      everyMs: this.config.checkEveryMs,
      leaseMs: 120_000,
      run: async (ctx) => void (await this.postDueFees(ctx.signal)),
    });
  }

  /**
   * Posts every period's fees that are due by now, and the rest of the minimum contract of customers
   * deleted before it ended; answers how many periods were posted.
   */
  async postDueFees(signal?: AbortSignal): Promise<number> {
    const plans = new Map<number, Promise<PlanFees | null>>();
    const deletedSince = new Date(this.clock.now().getTime() - DELETED_LOOKBACK_MS);
    let posted = 0;
    for (let afterId = 0; !signal?.aborted; ) {
      const page = await this.profiles.page(this.dataSource.manager, afterId, PAGE, deletedSince);
      if (!page.length) break;
      afterId = page[page.length - 1].id;
      // What is already posted, for the whole page at once: a tick with nothing due costs a few statements
      // per page of customers, not per customer.
      const ids = page.map((c) => c.id);
      const [done, charges] = await Promise.all([this.postedPeriods(ids), this.charges.recurringOf(ids)]);
      for (const customer of page) {
        if (customer.ratePlanId === null) continue;
        let plan = plans.get(customer.ratePlanId);
        if (!plan) plans.set(customer.ratePlanId, (plan = this.planFees(customer.ratePlanId)));
        const fees = await plan;
        if (!fees || fees.kind === 'indefinite') continue;
        const postedBefore = done.get(customer.id) ?? new Set<string>();
        try {
          posted += customer.deletedAt
            ? await this.postRestOfContract(customer, fees, postedBefore)
            : await this.postCustomer(customer, fees, postedBefore, charges.get(customer.id) ?? []);
        } catch (err) {
          this.logger.error({ err, customerId: customer.id }, 'recurring fees failed');
        }
      }
    }
    return posted;
  }

  /**
   * Minimum contract (DOMAIN.md §7): a customer deleted before its contract ended is charged the recurring
   * fees of every period that would still have started within the contract (`periodsLeftOnContract`),
   * once each (the same `fee_periods` keys), at the deletion's next tick; they land on its last invoice.
   */
  private async postRestOfContract(customer: InvoiceProfile, fees: PlanFees, done: ReadonlySet<string>): Promise<number> {
    const months = customer.minimumContractMonths ?? fees.contractMonths;
    const joined = localDateOf(customer.createdAt, customer.timezone);
    const left = periodsLeftOnContract(fees.kind, joined, months, localDateOf(customer.deletedAt!, customer.timezone));
    let posted = 0;
    for (const period of left) {
      if (!done.has(period.start) && (await this.post(customer, fees, period.start, period, 'Minimum contract: '))) posted++;
    }
    return posted;
  }

  private async postCustomer(customer: InvoiceProfile, fees: PlanFees, done: ReadonlySet<string>, charges: readonly RecurringCharge[]): Promise<number> {
    const today = localDateOf(this.clock.now(), customer.timezone);
    let posted = charges.length ? await this.charges.postDue(charges, fees.kind, customer.timezone) : 0;
    if (!done.has(SIGNUP) && fees.signup.isPositive()) {
      if (await this.post(customer, fees, SIGNUP, null)) posted++;
    }
    const joined = periodContaining(fees.kind, localDateOf(customer.createdAt, customer.timezone))!;
    let period: BillingPeriodDates | null = fees.defer ? nextPeriod(fees.kind, joined) : joined;
    const lastDone = [...done].filter((p) => p !== SIGNUP).sort().pop();
    if (lastDone && period && lastDone >= period.start) period = nextPeriod(fees.kind, periodContaining(fees.kind, lastDone)!);
    for (let n = 0; period && period.start <= today && n < MAX_PERIODS_PER_TICK; n++) {
      if (await this.post(customer, fees, period.start, period)) posted++;
      period = nextPeriod(fees.kind, period);
    }
    return posted;
  }

  /** One period's (or the sign-up's) postings in one transaction with its marker row; false when already posted. */
  private async post(customer: InvoiceProfile, fees: PlanFees, key: string, period: BillingPeriodDates | null, prefix = ''): Promise<boolean> {
    try {
      return await this.tx.run(async (em) => {
        const counts = period ? await this.telephony.billableCounts(em, customer.id) : { lines: 0, numbers: 0 };
        await em.insert(FeePeriodEntity, { customerId: customer.id, periodStart: key, ...counts, postedAt: this.clock.now() });
        const span = period ? ` ${period.start} to ${period.end}` : '';
        if (!period) await this.debit(em, customer, fees, 'signup_fee', fees.signup, 'Sign-up fee');
        else {
          await this.debit(em, customer, fees, 'account_fee', fees.account, `${prefix}Account fee${span}`);
          await this.debit(em, customer, fees, 'line_fee', fees.perLine.times(counts.lines), `${prefix}Line fees${span} (${counts.lines} lines)`);
          await this.debit(em, customer, fees, 'number_fee', fees.perNumber.times(counts.numbers), `${prefix}Number fees${span} (${counts.numbers} numbers)`);
        }
        return true;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  private async debit(
    em: EntityManager,
    customer: InvoiceProfile,
    fees: PlanFees,
    type: 'signup_fee' | 'account_fee' | 'line_fee' | 'number_fee',
    amount: Money,
    description: string,
  ): Promise<void> {
    if (!amount.isPositive()) return;
    const converted = await this.system.convert(em, amount, fees.currency, customer.currency, this.clock.now());
    await this.billing.post(em, {
      customerId: customer.id,
      type,
      amount: converted.amount.negated(),
      description,
      original:
        fees.currency === customer.currency
          ? null
          : { amount: amount.negated(), currency: fees.currency, exchangeRate: converted.rate.toString() },
    });
  }

  /** The fee periods (and sign-ups) already posted for these customers, by customer: one statement. */
  private async postedPeriods(customerIds: readonly number[]): Promise<Map<number, Set<string>>> {
    const out = new Map<number, Set<string>>();
    if (!customerIds.length) return out;
    const rows = await this.dataSource.manager.find(FeePeriodEntity, {
      where: { customerId: In([...customerIds]) },
      select: { customerId: true, periodStart: true },
    });
    for (const r of rows) {
      let set = out.get(r.customerId);
      if (!set) out.set(r.customerId, (set = new Set()));
      set.add(r.periodStart);
    }
    return out;
  }

  private async planFees(planId: number): Promise<PlanFees | null> {
    const [plan, settings] = await Promise.all([
      this.ratePlans.findPlan(this.dataSource.manager, planId),
      this.ratePlans.effectivePlanSettings(this.dataSource.manager, planId),
    ]);
    if (!plan || !settings) return null;
    return {
      kind: settings.billingPeriod,
      contractMonths: settings.minimumContractMonths,
      defer: settings.deferBilling,
      currency: plan.currency,
      signup: settings.fees.signup,
      account: settings.fees.account,
      perLine: settings.fees.perLine,
      perNumber: settings.fees.perNumber,
    };
  }
}
