import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../../shared/clock';
import { CustomerDirectory } from '../../shared/customer-directory';
import { JobRunner } from '../../shared/jobs/job-runner';
import { OutboxService } from '../notifications/notifications.api';
import { InvoiceProfiles } from '../customers/customers.api';
import { RatePlansApi } from '../rate-plans/rate-plans.api';
import { localDateOf } from './domain/billing-period';
import { documentDigits } from './domain/invoice-lines';
import { isOverdueOn } from './domain/invoice-status';
import { INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';
import { InvoicesRepository } from './invoices.repository';

export const OVERDUE_INVOICES_JOB = 'invoicing-overdue';

/**
 * The daily overdue check (DOMAIN.md §7): an invoice still `due` (or `payment_refused`) the day after its
 * due date plus the plan's overdue days, in the customer's time zone, becomes `overdue`, and the customer
 * is emailed a reminder in the same transaction (through the outbox: sent after commit, once). Runs on
 * the jobs runner every INVOICE_RUN_CHECK_SECONDS, so a day the platform was down is caught up.
 */
@Injectable()
export class OverdueInvoicesService implements OnModuleInit {
  private readonly logger = new Logger('OverdueInvoices');

  constructor(
    private readonly tx: TransactionRunner,
    private readonly dataSource: DataSource,
    private readonly repo: InvoicesRepository,
    private readonly customers: CustomerDirectory,
    private readonly profiles: InvoiceProfiles,
    private readonly ratePlans: RatePlansApi,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: OVERDUE_INVOICES_JOB,
      everyMs: this.config.checkEveryMs,
      leaseMs: 120_000,
      run: async () => void (await this.markOverdue()),
    });
  }

  /** Marks every invoice that is overdue by now; answers how many it marked. */
  async markOverdue(): Promise<number> {
    const now = this.clock.now();
    // Due dates are local dates: any zone's today is at most one day past UTC's.
    const candidates = await this.repo.dueBefore(this.dataSource.manager, localDateOf(new Date(now.getTime() + 86_400_000), 'UTC'));
    const owners = await this.customers.findMany(this.dataSource.manager, [...new Set(candidates.map((i) => i.customerId))]);
    const graceByPlan = new Map<number | null, Promise<number>>();
    let marked = 0;
    for (const invoice of candidates) {
      const customer = owners.get(invoice.customerId);
      if (!customer || !invoice.dueDate) continue;
      let grace = graceByPlan.get(customer.ratePlanId);
      if (!grace) graceByPlan.set(customer.ratePlanId, (grace = this.overdueDays(customer.ratePlanId)));
      const today = localDateOf(now, customer.timezone);
      if (!isOverdueOn(invoice.dueDate, await grace, today)) continue;
      try {
        if (await this.markOne(invoice.id, today)) marked++;
      } catch (err) {
        this.logger.error({ err, invoiceId: invoice.id }, 'marking an invoice overdue failed');
      }
    }
    return marked;
  }

  private async markOne(id: number, today: string): Promise<boolean> {
    return this.tx.run(async (em) => {
      const invoice = await this.repo.lockInvoice(em, id);
      // Paid, credited or already marked by another instance meanwhile: nothing to do.
      if (!invoice?.dueDate || (invoice.status !== 'due' && invoice.status !== 'payment_refused')) return false;
      await this.repo.updateInvoice(em, id, { status: 'overdue', updatedAt: this.clock.now() });
      const party = (await this.profiles.parties(em, [invoice.customerId, invoice.issuerCustomerId]));
      const customer = party.get(invoice.customerId);
      const issuer = party.get(invoice.issuerCustomerId);
      if (customer?.email) {
        const digits = documentDigits(invoice.currency);
        await this.outbox.enqueue(em, {
          customerId: invoice.customerId,
          to: customer.email,
          subject: `Invoice ${invoice.number} is overdue`,
          template: 'invoice-overdue',
          context: {
            customerName: customer.name,
            issuerName: issuer?.name ?? '',
            invoiceNumber: invoice.number,
            issueDate: invoice.issueDate,
            dueDate: invoice.dueDate,
            daysOverdue: Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${invoice.dueDate}T00:00:00Z`)) / 86_400_000),
            total: invoice.totalAmount.toFixed(digits),
            amountDue: invoice.totalAmount.minus(invoice.paidAmount).toFixed(digits),
            currency: invoice.currency,
            invoiceUrl: `${this.app.publicUrl}/invoices/${invoice.id}`,
          },
        });
      }
      return true;
    });
  }

  private async overdueDays(planId: number | null): Promise<number> {
    return (await this.ratePlans.planSettingsOrDefaults(this.dataSource.manager, planId)).overdueDays;
  }
}
