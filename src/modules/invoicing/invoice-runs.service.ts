import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import { performance } from 'node:perf_hooks';
import { Clock } from '../../shared/clock';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { JobRunner } from '../../shared/jobs/job-runner';
import type { Page } from '../../shared/pagination';
import { InvoiceProfiles, type InvoiceParty, type InvoiceProfile } from '../customers/customers.api';
import { RatePlansApi } from '../rate-plans/rate-plans.api';
import { SystemApi } from '../system/system.api';
import { endedPeriodsSince, localDateOf, type PeriodKind } from './domain/billing-period';
import type { InvoiceRunDto } from './dto/invoicing.dto';
import type { InvoiceRunEntity, InvoiceRunTrigger } from './entities/invoice-run.entity';
import { InvoiceDocumentsService, type IssuedInvoice } from './invoice-documents.service';
import { InvoiceIssuer, type InvoiceTerms } from './invoice-issuer';
import { DELETED_LOOKBACK_MS, INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';
import { InvoicesRepository } from './invoices.repository';

export const NIGHTLY_INVOICE_RUN_JOB = 'invoicing-nightly-run';
/** A run whose heartbeat is older than this died with its process: the next run marks it failed. */
const STALE_RUN_MS = 5 * 60_000;
/** Progress (and heartbeat) is written after this many customers, or this long, whichever comes first. */
const PROGRESS_EVERY_CUSTOMERS = 25;
const PROGRESS_EVERY_MS = 2_000;
const PAGE = 500;


interface PlanInvoicing {
  period: PeriodKind;
  terms: InvoiceTerms;
}

/**
 * Invoice runs (DOMAIN.md §7): every night after INVOICE_RUN_TIME (system time zone), or by hand. A run
 * walks every invoiced customer and, for each, every billing period that has ended by the run's date in
 * the customer's own time zone and has no invoice yet (so missed days are caught up), issuing each in
 * its own short transaction (InvoiceIssuer), INVOICE_RUN_CONCURRENCY customers at a time, then renders
 * and keeps the new invoice's PDF and XML. A failure of one customer is counted and the run goes on.
 *
 * Guarantees: one invoice per customer and period whatever happens (runs twice, killed half way and
 * started again, two instances at once): InvoiceIssuer checks, and the unique index decides a race.
 */
@Injectable()
export class InvoiceRunsService implements OnModuleInit {
  private readonly logger = new Logger('InvoiceRuns');
  /** Runs this process is executing (a manual run goes on after its request has been answered). */
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly repo: InvoicesRepository,
    private readonly issuer: InvoiceIssuer,
    private readonly documents: InvoiceDocumentsService,
    private readonly profiles: InvoiceProfiles,
    private readonly ratePlans: RatePlansApi,
    private readonly system: SystemApi,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: NIGHTLY_INVOICE_RUN_JOB,
      everyMs: this.config.checkEveryMs,
      leaseMs: 120_000,
      run: async () => void (await this.runNightlyIfDue()),
    });
  }

  /**
   * The nightly job's tick: once the system's local time has passed INVOICE_RUN_TIME, runs for today
   * unless a scheduled run for today completed or is under way. Answers the run it made, if any.
   */
  async runNightlyIfDue(): Promise<InvoiceRunEntity | null> {
    const now = this.clock.now();
    const { timezone } = await this.system.settings();
    const local = DateTime.fromJSDate(now, { zone: timezone });
    const { hour, minute } = this.config.runAt;
    if (local.hour * 60 + local.minute < hour * 60 + minute) return null;
    const today = local.toISODate() as string;
    if (await this.repo.scheduledRunExists(today, new Date(now.getTime() - STALE_RUN_MS))) return null;
    const run = await this.createRun(today, 'schedule', null);
    await this.execute(run);
    return this.repo.findRun(run.id);
  }

  /** POST /invoice-runs: starts a run now and answers at once; the run goes on in the background. */
  async start(date: string | undefined, personId: number | null): Promise<InvoiceRunDto> {
    const { timezone } = await this.system.settings();
    const today = localDateOf(this.clock.now(), timezone);
    const runDate = date ?? today;
    if (!DateTime.fromISO(runDate, { zone: 'UTC' }).isValid) throw ValidationError.field('date', 'is not a calendar date');
    if (runDate > today) throw ValidationError.field('date', `must not be after today (${today} in the system time zone)`);
    const run = await this.createRun(runDate, 'manual', personId);
    const work = this.execute(run).finally(() => this.active.delete(work));
    this.active.add(work);
    return toRunDto(run);
  }

  async get(id: number): Promise<InvoiceRunDto> {
    const run = await this.repo.findRun(id);
    if (!run) throw new NotFoundError('invoice run');
    return toRunDto(run);
  }

  async list(page = 1, pageSize = 50): Promise<Page<InvoiceRunDto>> {
    const [rows, total] = await this.repo.listRuns(page, pageSize);
    return { items: rows.map(toRunDto), page, pageSize, total };
  }

  /** Waits for the runs this process is executing (tests, and a clean shutdown). */
  async idle(): Promise<void> {
    while (this.active.size) await Promise.allSettled([...this.active]);
  }

  private async createRun(runDate: string, trigger: InvoiceRunTrigger, personId: number | null): Promise<InvoiceRunEntity> {
    const now = this.clock.now();
    await this.repo.failStaleRuns(new Date(now.getTime() - STALE_RUN_MS), now);
    const row: Omit<InvoiceRunEntity, 'id'> = {
      runDate,
      status: 'running',
      trigger,
      startedByPersonId: personId,
      customersTotal: await this.profiles.count(this.repo.reader, new Date(now.getTime() - DELETED_LOOKBACK_MS)),
      customersDone: 0,
      invoicesCreated: 0,
      invoicesExisting: 0,
      failures: 0,
      error: null,
      startedAt: now,
      heartbeatAt: now,
      finishedAt: null,
    };
    return { id: await this.repo.insertRun(this.repo.reader, row), ...row };
  }

  private async execute(run: InvoiceRunEntity): Promise<void> {
    const progress = { customersDone: 0, invoicesCreated: 0, invoicesExisting: 0, failures: 0, error: null as string | null };
    const plans = new Map<number | null, Promise<PlanInvoicing>>();
    const issuers = new Map<number, InvoiceParty>();
    // Elapsed time between progress writes, on the monotonic clock (not a business date: those come from Clock).
    let lastWrite = performance.now();
    let sinceWrite = 0;
    // Customers are invoiced a few at a time: one progress write at a time, the others skip theirs.
    let writing = false;
    const writeProgress = async (): Promise<void> => {
      if (writing) return;
      writing = true;
      sinceWrite = 0;
      try {
        await this.repo.updateRun(run.id, { ...progress, heartbeatAt: this.clock.now() });
      } finally {
        writing = false;
        lastWrite = performance.now();
      }
    };
    try {
      for (let afterId = 0; ; ) {
        const page = await this.profiles.page(this.repo.reader, afterId, PAGE, new Date(run.startedAt.getTime() - DELETED_LOOKBACK_MS));
        if (!page.length) break;
        afterId = page[page.length - 1].id;
        const missing = [...new Set(page.map((c) => c.parentId))].filter((id) => !issuers.has(id));
        for (const [id, party] of await this.profiles.parties(this.repo.reader, missing)) issuers.set(id, party);
        await forEachConcurrently(page, this.config.runConcurrency, async (customer) => {
          try {
            const counts = await this.invoiceCustomer(run, customer, issuers.get(customer.parentId)!, plans);
            progress.invoicesCreated += counts.created;
            progress.invoicesExisting += counts.existing;
          } catch (err) {
            progress.failures++;
            const message = `customer ${customer.id}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
            progress.error ??= message;
            this.logger.error({ err, runId: run.id, customerId: customer.id }, 'invoice failed');
          }
          progress.customersDone++;
          if (++sinceWrite >= PROGRESS_EVERY_CUSTOMERS || performance.now() - lastWrite >= PROGRESS_EVERY_MS) await writeProgress();
        });
      }
      await this.repo.updateRun(run.id, { ...progress, status: 'completed', heartbeatAt: this.clock.now(), finishedAt: this.clock.now() });
    } catch (err) {
      this.logger.error({ err, runId: run.id }, 'invoice run failed');
      const error = `run stopped: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      await this.repo
        .updateRun(run.id, { ...progress, status: 'failed', error: progress.error ?? error, finishedAt: this.clock.now() })
        .catch(() => undefined);
    }
  }

  private async invoiceCustomer(
    run: InvoiceRunEntity,
    customer: InvoiceProfile,
    issuer: InvoiceParty,
    plans: Map<number | null, Promise<PlanInvoicing>>,
  ): Promise<{ created: number; existing: number }> {
    let plan = plans.get(customer.ratePlanId);
    if (!plan) plans.set(customer.ratePlanId, (plan = this.planInvoicing(customer.ratePlanId)));
    const { period, terms } = await plan;
    const today = localDateOf(this.clock.now(), customer.timezone);
    const upTo = run.runDate < today ? run.runDate : today;
    const firstDay = (await this.repo.lastPeriodEnd(this.repo.reader, customer.id)) ?? localDateOf(customer.createdAt, customer.timezone);
    const own: InvoiceTerms = {
      dueDays: customer.invoiceDueDays ?? terms.dueDays,
      detail: customer.invoiceDetail ?? terms.detail,
      format: customer.invoiceFormat ?? terms.format,
      send: customer.sendInvoices ?? terms.send,
    };
    const counts = { created: 0, existing: 0 };
    // A deleted customer is invoiced up to the period it was deleted in (once that period has ended).
    const lastDay = customer.deletedAt ? localDateOf(customer.deletedAt, customer.timezone) : null;
    for (const p of endedPeriodsSince(period, firstDay, upTo)) {
      if (lastDay !== null && p.start > lastDay) break;
      const result = await this.issuer.issue(customer, issuer, p, own, run.id);
      counts[result.outcome === 'created' ? 'created' : 'existing']++;
      if (result.outcome === 'created') await this.archive(result.issued);
    }
    return counts;
  }

  /**
   * Renders and keeps the new invoice's PDF and XML. The invoice is committed already, so a failure here
   * only leaves its documents to be rendered at their first download or email; it is logged, not counted.
   */
  private async archive(issued: IssuedInvoice): Promise<void> {
    try {
      await this.documents.archiveIssued(issued);
    } catch (err) {
      this.logger.error({ err, invoiceId: issued.invoice.id }, 'invoice documents not archived');
    }
  }

  private async planInvoicing(planId: number | null): Promise<PlanInvoicing> {
    const s = await this.ratePlans.planSettingsOrDefaults(this.repo.reader, planId);
    return {
      period: s.billingPeriod,
      terms: { dueDays: s.invoiceDueDays, detail: s.invoiceDetail, format: s.invoiceFormat, send: s.sendInvoices },
    };
  }
}

/**
 * Runs `work` on every item, at most `limit` at a time. When one throws, no further item is started, the
 * ones under way finish, and the first error is thrown.
 */
async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const rejected = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (rejected) throw rejected.reason;
}

function toRunDto(r: InvoiceRunEntity): InvoiceRunDto {
  return {
    id: r.id,
    date: r.runDate,
    status: r.status,
    trigger: r.trigger,
    customersTotal: r.customersTotal,
    customersDone: r.customersDone,
    invoicesCreated: r.invoicesCreated,
    invoicesExisting: r.invoicesExisting,
    failures: r.failures,
    error: r.error,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  };
}
