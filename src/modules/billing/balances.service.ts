import { Injectable } from '@nestjs/common';
import { AuditService } from '../../shared/audit.service';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { ConflictError, ForbiddenError, ValidationError } from '../../shared/errors';
import { IdempotencyService, principalOf, type IdempotentResult } from '../../shared/idempotency/idempotency.service';
import { Money } from '../../shared/money';
import type { Page } from '../../shared/pagination';
import type { Scope } from '../../shared/scope';
import { BillingBalances } from './billing-balances';
import { TRANSACTION_TYPE_LABELS } from './domain/ledger';
import {
  TRANSACTION_SORTS,
  type BalanceDto,
  type BalancePostedDto,
  type LedgerTransactionDto,
  type PostBalanceDto,
  type TransactionQuery,
} from './dto/balance.dto';
import { sortOrder, textCell } from '../../shared/http/list-query';

/** The columns of a ledger list exported as CSV, in this order. */
export const TRANSACTION_CSV_HEADER = [
  'id',
  'customer_id',
  'type',
  'amount',
  'currency',
  'original_amount',
  'original_currency',
  'exchange_rate',
  'description',
  'reference',
  'call_id',
  'invoice_id',
  'created_at',
];
export function transactionCsvRow(t: LedgerTransactionDto): string[] {
  const v = (x: unknown) => (x === null || x === undefined ? '' : String(x));
  return [
    String(t.id),
    String(t.customerId),
    t.type,
    t.amount,
    t.currency,
    v(t.originalAmount),
    v(t.originalCurrency),
    v(t.exchangeRate),
    textCell(t.description),
    textCell(t.reference),
    v(t.callId),
    v(t.invoiceId),
    t.createdAt,
  ];
}
import { LedgerRepository } from './ledger.repository';
import { LedgerService, type LedgerTransaction } from './ledger.service';

/** The API read shape of a ledger transaction. */
export function toTransactionDto(t: LedgerTransaction): LedgerTransactionDto {
  return {
    id: t.id,
    customerId: t.customerId,
    type: t.type,
    amount: t.amount.toString(),
    currency: t.currency,
    originalAmount: t.originalAmount?.toString() ?? null,
    originalCurrency: t.originalCurrency,
    exchangeRate: t.exchangeRate,
    description: t.description,
    reference: t.reference,
    actorPersonId: t.actorPersonId,
    callId: t.callId,
    invoiceId: t.invoiceId,
    createdAt: t.createdAt.toISOString(),
  };
}

/** Why a scope may not post to a customer by hand, or null if it may (see BalancesService.post). */
export function postRefusal(scope: Scope, customer: CustomerRef): ForbiddenError | ConflictError | null {
  if (scope.role !== 'administrator') return new ForbiddenError('administrators only');
  if (customer.id === scope.personCustomerId) {
    return new ForbiddenError(
      customer.parentId === null
        ? "nobody posts to the system owner's own balance"
        : "a customer's balance is credited by its parent, not by itself",
    );
  }
  if (customer.deleted) return new ConflictError('the customer is deleted; undelete it first');
  return null;
}

/**
 * A customer's balance and transactions as its parent's administrators (and the customer itself, reading)
 * see them, and the credits, top-ups and payments the parent posts by hand.
 */
@Injectable()
export class BalancesService {
  constructor(
    private readonly customers: CustomerDirectory,
    private readonly ledger: LedgerService,
    private readonly repo: LedgerRepository,
    private readonly balances: BillingBalances,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /** The customer, if it lies in the scope's subtree (deleted ones too: their history stays readable); else 404. */
  customer(scope: Scope, customerId: number): Promise<CustomerRef> {
    return this.customers.findInScope(this.repo.reader, scope, customerId, { includeDeleted: true });
  }

  async balance(scope: Scope, customerId: number): Promise<BalanceDto> {
    const c = await this.customer(scope, customerId);
    return { customerId: c.id, balance: (await this.balances.balanceOf(this.repo.reader, c.id)).toString(), currency: c.currency };
  }

  /**
   * Credits the customer by hand (credit, top-up or payment). Only an administrator of an ancestor of
   * the customer may: the customer must lie in the caller's (acting) subtree (404 otherwise) and may not
   * be the caller's own customer (403): a balance is what the parent owes, so the parent credits it.
   * With an idempotency key, a repeat answers the first answer and posts nothing (IdempotencyService).
   */
  post(scope: Scope, customerId: number, dto: PostBalanceDto, idempotencyKey?: string): Promise<IdempotentResult<BalancePostedDto>> {
    const body = { amount: dto.amount, type: dto.type, description: dto.description, reference: dto.reference };
    const request = { operation: 'POST /api/v1/customers/:id/balance', customerId, body };
    return this.idempotency.run(principalOf(scope), idempotencyKey, request, async (em) => {
      const customer = await this.customers.findInScope(em, scope, customerId, { includeDeleted: true });
      const refusal = postRefusal(scope, customer);
      if (refusal) throw refusal;
      const amount = Money.parse(dto.amount);
      // Validated by the DTO already; checked again so that a caller that skipped validation gets a 400.
      if (!amount?.isPositive())
        throw ValidationError.field('amount', 'must be a decimal string greater than 0 with up to 6 decimal places');
      const posted = await this.ledger.post(em, {
        customerId: customer.id,
        type: dto.type,
        amount,
        description: dto.description?.trim() || TRANSACTION_TYPE_LABELS[dto.type],
        reference: dto.reference,
        actorPersonId: scope.personId,
      });
      const t = posted.transaction;
      await this.audit.record(
        scope,
        {
          action: 'balance_posted',
          entityType: 'ledger_transaction',
          entityId: t.id,
          customerId: customer.id,
          details: {
            type: t.type,
            amount: t.amount.toString(),
            currency: t.currency,
            balance: posted.balance.toString(),
            reference: t.reference,
          },
        },
        em,
      );
      return { status: 201, body: { transaction: toTransactionDto(t), balance: posted.balance.toString() } };
    });
  }

  /** A page of the customer's transactions, newest first, optionally of one type and within [from, to). */
  async transactions(scope: Scope, customerId: number, q: TransactionQuery): Promise<Page<LedgerTransactionDto>> {
    const c = await this.customer(scope, customerId);
    const from = q.from === undefined ? undefined : new Date(q.from);
    const to = q.to === undefined ? undefined : new Date(q.to);
    if (from && to && to <= from) throw ValidationError.field('to', 'must be after from');
    const sort = sortOrder(q.sort, TRANSACTION_SORTS, '-createdAt');
    const r = await this.repo.transactions(this.repo.reader, c.id, { from, to, type: q.type, sort, page: q.page, pageSize: q.pageSize });
    return { items: r.rows.map(toTransactionDto), page: r.page, pageSize: r.pageSize, total: r.total };
  }
}
