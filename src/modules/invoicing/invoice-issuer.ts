import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { isUniqueViolation } from '../../database/dialect';
import { TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../../shared/clock';
import { Dec, Money } from '../../shared/money';
import { BillingApi } from '../billing/billing.api';
import type { InvoiceParty, InvoiceProfile } from '../customers/customers.api';
import { OutboxService } from '../notifications/notifications.api';
import { localDateOf, periodInstants, type BillingPeriodDates } from './domain/billing-period';
import { documentDigits, invoiceLines } from './domain/invoice-lines';
import type { InvoiceStatus } from './domain/invoice-status';
import type { InvoiceEntity } from './entities/invoice.entity';
import type { IssuedInvoice } from './invoice-documents.service';
import { INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';
import { InvoicesRepository } from './invoices.repository';

/** A customer's invoice settings in force: its own, else its rate plan's (resolved by the run). */
export interface InvoiceTerms {
  dueDays: number;
  detail: string;
  format: string;
  /** Email the invoice to the customer when it is issued (with the document in `format` attached). */
  send: boolean;
}

export type IssueOutcome =
  | { outcome: 'created'; invoiceId: number; number: string; issued: IssuedInvoice }
  | { outcome: 'existing'; invoiceId: number | null };

/**
 * Issues one customer's invoice for one period, in one short transaction: the ledger's groups of the
 * period become lines, the issuer's counter gives the number, the period's ledger rows are marked with
 * the invoice, and the rounding difference between the rounded lines and the exact ledger is posted to
 * the ledger (type `adjustment`, already marked invoiced) so the ledger and the invoices agree to the cent.
 *
 * Exactly once per customer and period: an existing invoice is found first; two runs racing past that
 * check meet at the unique index `UQ_invoices_period`, and the loser's transaction (its number, its
 * markings, its adjustment) rolls back entirely.
 */
@Injectable()
export class InvoiceIssuer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repo: InvoicesRepository,
    private readonly billing: BillingApi,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
    @Inject(APP_CONFIG) private readonly app: AppConfig,
  ) {}

  async issue(
    customer: InvoiceProfile,
    issuer: InvoiceParty,
    period: BillingPeriodDates,
    terms: InvoiceTerms,
    runId: number | null,
  ): Promise<IssueOutcome> {
    try {
      return await this.tx.run((em) => this.issueIn(em, customer, issuer, period, terms, runId));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      return { outcome: 'existing', invoiceId: await this.repo.invoiceForPeriod(this.repo.reader, customer.id, period.start) };
    }
  }

  private async issueIn(
    em: EntityManager,
    customer: InvoiceProfile,
    issuer: InvoiceParty,
    period: BillingPeriodDates,
    terms: InvoiceTerms,
    runId: number | null,
  ): Promise<IssueOutcome> {
    const existing = await this.repo.invoiceForPeriod(em, customer.id, period.start);
    if (existing !== null) return { outcome: 'existing', invoiceId: existing };

    const now = this.clock.now();
    const { from, to } = periodInstants(period, customer.timezone);
    const groups = await this.billing.invoiceUsage(em, customer.id, from, to);
    const amounts = invoiceLines(groups, customer.currency);
    const issueDate = localDateOf(now, customer.timezone);
    const status = initialStatus(customer, amounts.net.isPositive());
    const number = await this.repo.takeNumber(em, issuer.id, this.config.numberPrefix);
    const row: Omit<InvoiceEntity, 'id'> = {
      documentType: 'invoice',
      number,
      issuerCustomerId: issuer.id,
      customerId: customer.id,
      runId,
      periodStart: period.start,
      periodEnd: period.end,
      issueDate,
      dueDate: status === 'due' ? addDays(issueDate, terms.dueDays) : null,
      currency: customer.currency,
      status,
      detail: terms.detail,
      format: terms.format,
      netAmount: amounts.net,
      taxAmount: Money.ZERO,
      totalAmount: amounts.net,
      paidAmount: status === 'prepaid' ? amounts.net : Money.ZERO,
      creditedInvoiceId: null,
      parties: JSON.stringify({ issuer, customer: partyOf(customer) }),
      createdAt: now,
      updatedAt: now,
    };
    const invoiceId = await this.repo.insertInvoice(em, row);
    const lines = amounts.lines.map((l) => ({
      invoiceId,
      position: l.position,
      category: l.category,
      description: l.description,
      quantity: new Dec(l.quantity),
      unitCode: l.unitCode,
      amount: l.amount,
    }));
    await this.repo.insertLines(em, lines);
    await this.billing.markInvoiced(em, customer.id, from, to, invoiceId);
    const rounding = amounts.net.minus(amounts.exact);
    if (!rounding.isZero()) {
      await this.billing.post(em, {
        customerId: customer.id,
        type: 'adjustment',
        amount: rounding.negated(),
        description: `Rounding of invoice ${number}`,
        reference: number,
        invoiceId,
      });
    }
    if (terms.send && customer.email) {
      const digits = documentDigits(customer.currency);
      await this.outbox.enqueue(em, {
        customerId: customer.id,
        to: customer.email,
        subject: `Invoice ${number} from ${issuer.name}`.slice(0, 200),
        template: 'invoice-issued',
        context: {
          customerName: customer.name,
          issuerName: issuer.name,
          invoiceNumber: number,
          issueDate,
          dueDate: row.dueDate,
          total: amounts.net.toFixed(digits),
          currency: customer.currency,
          settledFromBalance: status === 'prepaid',
          creditNote: false,
          attachedFormat: terms.format === 'xml' ? 'xml' : 'pdf',
          invoiceUrl: `${this.app.publicUrl}/invoices/${invoiceId}`,
          // Read by the attachment provider (InvoiceDocumentsService) when the mail is sent.
          invoiceId,
        },
      });
    }
    return { outcome: 'created', invoiceId, number, issued: { invoice: { id: invoiceId, ...row }, lines, timezone: customer.timezone } };
  }
}

/**
 * Status at issue (DOMAIN.md §4, §7): every charge already moved the balance when it happened, so for
 * `prepaid` and `prepaid_invoices` customers the invoice is settled from the balance (`prepaid`); for
 * `postpaid` and `prepaid_calls` customers it is `due`, unless there is nothing to pay (`paid`).
 */
function initialStatus(customer: InvoiceProfile, somethingToPay: boolean): InvoiceStatus {
  if (customer.billingType === 'prepaid' || customer.billingType === 'prepaid_invoices') return 'prepaid';
  return somethingToPay ? 'due' : 'paid';
}

function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}

function partyOf(c: InvoiceProfile): InvoiceParty {
  return { id: c.id, name: c.name, email: c.email, taxReference: c.taxReference, address: c.address };
}
