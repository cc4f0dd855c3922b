import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { CustomerDirectory } from '../../shared/customer-directory';
import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors';
import { IdempotencyService, principalOf } from '../../shared/idempotency/idempotency.service';
import { Dec, Money } from '../../shared/money';
import { isInSubtree, type Scope } from '../../shared/scope';
import { BillingApi } from '../billing/billing.api';
import { localDateOf } from './domain/billing-period';
import { documentDigits } from './domain/invoice-lines';
import { canMove, isOpen, nextStatuses } from './domain/invoice-status';
import type { ChangeInvoiceStatusDto, CreateCreditNoteDto, InvoiceDto, RecordPaymentDto } from './dto/invoicing.dto';
import type { InvoiceEntity } from './entities/invoice.entity';
import { INVOICING_CONFIG, type InvoicingConfig } from './invoicing.config';
import { InvoicesRepository } from './invoices.repository';
import { InvoicesService } from './invoices.service';

/**
 * What an issuer's administrators do with an issued invoice: move its status along the allowed edges,
 * record payments against it, and correct it with credit notes. Each change runs in one transaction that
 * first locks the invoice row, so two changes of one invoice never overwrite each other, and is audited.
 *
 * Who: administrators of the issuer or of an ancestor of it (the invoiced customer itself may read its
 * invoices, not change them: 403). An invoice outside the caller's tree answers 404.
 */
@Injectable()
export class InvoiceChangesService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly repo: InvoicesRepository,
    private readonly customers: CustomerDirectory,
    private readonly billing: BillingApi,
    private readonly invoices: InvoicesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly idempotency: IdempotencyService,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
  ) {}

  async changeStatus(scope: Scope, id: number, dto: ChangeInvoiceStatusDto): Promise<InvoiceDto> {
    await this.tx.run(async (em) => {
      const invoice = await this.lockForIssuer(em, scope, id);
      const to = dto.status;
      if (!canMove(invoice.status, to)) {
        const allowed = nextStatuses(invoice.status);
        throw new ConflictError(
          `an invoice that is ${invoice.status} cannot become ${to}` + (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (its status is final)'),
          [{ field: 'status', message: `cannot move from ${invoice.status} to ${to}` }],
          'status_change_not_allowed',
        );
      }
      const open = invoice.totalAmount.minus(invoice.paidAmount);
      const paysRest = to === 'paid' && open.isPositive();
      if (paysRest) await this.pay(em, scope, invoice, open, null);
      await this.repo.updateInvoice(em, invoice.id, {
        status: to,
        ...(paysRest ? { paidAmount: invoice.totalAmount } : {}),
        updatedAt: this.clock.now(),
      });
      await this.audit.record(scope, { action: 'invoice.status', entityType: 'invoice', entityId: invoice.id, customerId: invoice.customerId, details: { number: invoice.number, from: invoice.status, to } }, em);
    });
    return this.invoices.get(scope, id);
  }

  /**
   * recordPayment under an idempotency key (the page's form carries one): the same key again records
   * nothing more and answers `replayed` (a double click pays once).
   */
  async recordPaymentOnce(scope: Scope, id: number, dto: RecordPaymentDto, key?: string): Promise<{ invoice: InvoiceDto; replayed: boolean }> {
    const amount = Money.parse(dto.amount);
    if (!amount || !amount.isPositive()) throw ValidationError.field('amount', 'must be more than 0');
    const request = { operation: 'POST /api/v1/invoices/:id/payments', invoiceId: id, body: { amount: dto.amount, reference: dto.reference ?? null } };
    const { replayed } = await this.idempotency.run(principalOf(scope), key, request, async (em) => {
      const invoice = await this.lockForIssuer(em, scope, id);
      if (invoice.documentType !== 'invoice') throw new ConflictError('payments are recorded against invoices, not credit notes');
      if (!isOpen(invoice.status) && invoice.status !== 'pending' && invoice.status !== 'approved')
        throw new ConflictError(`an invoice that is ${invoice.status} takes no payments`, [], 'status_change_not_allowed');
      const open = invoice.totalAmount.minus(invoice.paidAmount);
      if (amount.gt(open))
        throw new BusinessRuleError(`the payment is more than is open on the invoice (${open.toFixed(documentDigits(invoice.currency))})`, [], 'credit_exceeds_invoice');
      await this.pay(em, scope, invoice, amount, dto.reference?.trim() || null);
      const paidAll = invoice.paidAmount.plus(amount).gte(invoice.totalAmount);
      await this.repo.updateInvoice(em, invoice.id, {
        paidAmount: invoice.paidAmount.plus(amount),
        status: paidAll ? 'paid' : invoice.status,
        updatedAt: this.clock.now(),
      });
      await this.audit.record(scope, { action: 'invoice.payment', entityType: 'invoice', entityId: invoice.id, customerId: invoice.customerId, details: { number: invoice.number, amount: amount.toString() } }, em);
      return { status: 200, body: invoice.id };
    });
    return { invoice: await this.invoices.get(scope, id), replayed };
  }

  /**
   * A credit note for part or all of an invoice: a document of its own (numbered in the issuer's series,
   * referencing the invoice), and a `credit` on the customer's balance for its amount. Crediting all of an
   * invoice that is still unpaid cancels it.
   */
  /** createCreditNote under an idempotency key (the page's form carries one): the same key again issues nothing more. */
  async createCreditNoteOnce(scope: Scope, id: number, dto: CreateCreditNoteDto, key?: string): Promise<{ note: InvoiceDto; replayed: boolean }> {
    const amount = Money.parse(dto.amount);
    if (!amount || !amount.isPositive()) throw ValidationError.field('amount', 'must be more than 0');
    const reason = dto.reason.trim();
    if (!reason) throw ValidationError.field('reason', 'must not be empty');
    const request = { operation: 'POST /api/v1/invoices/:id/credit-notes', invoiceId: id, body: { amount: dto.amount, reason } };
    const { body: noteId, replayed } = await this.idempotency.run(principalOf(scope), key, request, async (em) => {
      const invoice = await this.lockForIssuer(em, scope, id);
      if (invoice.documentType !== 'invoice') throw new ConflictError('a credit note corrects an invoice, not another credit note');
      const digits = documentDigits(invoice.currency);
      if (!amount.equals(amount.round(digits))) throw ValidationError.field('amount', `must have at most ${digits} decimals in ${invoice.currency}`);
      const credited = (await this.repo.creditedAmounts(em, [invoice.id])).get(invoice.id) ?? Money.ZERO;
      const left = invoice.totalAmount.minus(credited);
      if (amount.gt(left))
        throw new BusinessRuleError(`the credit note is more than is left of the invoice (${left.toFixed(digits)})`, [], 'credit_exceeds_invoice');
      const now = this.clock.now();
      const number = await this.repo.takeNumber(em, invoice.issuerCustomerId, this.config.numberPrefix);
      const customer = await this.customers.find(em, invoice.customerId);
      const noteId = await this.repo.insertInvoice(em, {
        documentType: 'credit_note',
        number,
        issuerCustomerId: invoice.issuerCustomerId,
        customerId: invoice.customerId,
        runId: null,
        periodStart: null,
        periodEnd: null,
        issueDate: localDateOf(now, customer?.timezone ?? 'UTC'),
        dueDate: null,
        currency: invoice.currency,
        status: 'paid',
        detail: 'summary',
        format: invoice.format,
        netAmount: amount,
        taxAmount: Money.ZERO,
        totalAmount: amount,
        paidAmount: amount,
        creditedInvoiceId: invoice.id,
        parties: invoice.parties,
        createdAt: now,
        updatedAt: now,
      });
      await this.repo.insertLines(em, [
        { invoiceId: noteId, position: 1, category: 'credit', description: reason.slice(0, 200), quantity: new Dec(1), unitCode: 'C62', amount },
      ]);
      await this.billing.post(em, {
        customerId: invoice.customerId,
        type: 'credit',
        amount,
        description: `Credit note ${number} for invoice ${invoice.number}: ${reason}`.slice(0, 500),
        reference: number,
        actorPersonId: scope.personId,
        invoiceId: noteId,
      });
      if (amount.equals(left) && isOpen(invoice.status) && invoice.paidAmount.isZero() && canMove(invoice.status, 'cancelled'))
        await this.repo.updateInvoice(em, invoice.id, { status: 'cancelled', updatedAt: now });
      await this.audit.record(scope, { action: 'invoice.credit_note', entityType: 'invoice', entityId: invoice.id, customerId: invoice.customerId, details: { creditNote: number, creditNoteId: noteId, amount: amount.toString() } }, em);
      return { status: 201, body: noteId };
    });
    return { note: await this.invoices.get(scope, noteId), replayed };
  }

  private async pay(em: EntityManager, scope: Scope, invoice: InvoiceEntity, amount: Money, reference: string | null): Promise<void> {
    await this.billing.post(em, {
      customerId: invoice.customerId,
      type: 'payment',
      amount,
      description: `Payment of invoice ${invoice.number}`,
      reference: reference ?? invoice.number,
      actorPersonId: scope.personId,
    });
  }

  /** The invoice, locked, if the caller administers its issuer; 404 outside the caller's tree, 403 for the invoiced customer. */
  private async lockForIssuer(em: EntityManager, scope: Scope, id: number): Promise<InvoiceEntity> {
    const invoice = await this.repo.lockInvoice(em, id);
    if (!invoice) throw new NotFoundError('invoice');
    const [customer, issuer] = await Promise.all([this.customers.find(em, invoice.customerId), this.customers.find(em, invoice.issuerCustomerId)]);
    if (!customer || !isInSubtree(scope.customerPath, customer.path)) throw new NotFoundError('invoice');
    if (!issuer || !isInSubtree(scope.customerPath, issuer.path))
      throw new ForbiddenError('only the issuer of an invoice (or a customer above it) may change it');
    if (scope.role !== 'administrator') throw new ForbiddenError('only administrators may change invoices');
    return invoice;
  }
}

