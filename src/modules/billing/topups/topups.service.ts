import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '../../../database/transaction-runner';
import { AuditService } from '../../../shared/audit.service';
import { Clock } from '../../../shared/clock';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../shared/errors';
import { IdempotencyService, principalOf, type IdempotentResult } from '../../../shared/idempotency/idempotency.service';
import type { Money } from '../../../shared/money';
import { pageParams, type Page } from '../../../shared/pagination';
import { isInSubtree, type Scope } from '../../../shared/scope';
import { CustomersApi } from '../../customers/customers.api';
import { OutboxService } from '../../notifications/notifications.api';
import { TOPUP_STATUS_LABELS } from '../domain/topup-requests';
import { LedgerService } from '../ledger.service';
import { TOPUP_SORTS, type RejectTopUpDto, type TopUpDecidedDto, type TopUpRequestDto, type TopUpRequestQuery } from './dto/topup-request.dto';
import { sortOrder, textCell } from '../../../shared/http/list-query';

/** The columns of a top-up request list exported as CSV, in this order. */
export const TOPUP_CSV_HEADER = ['id', 'customer_id', 'customer_name', 'account_number', 'amount', 'currency', 'balance_at_request', 'status', 'automatic', 'provider', 'reason', 'created_at'];
export function topUpCsvRow(r: TopUpRequestDto): string[] {
  return [
    String(r.id),
    String(r.customerId),
    textCell(r.customerName),
    textCell(r.accountNumber),
    r.amount,
    r.currency,
    r.balanceAtRequest,
    r.status,
    String(r.automatic),
    r.provider ?? '',
    textCell(r.reason),
    r.createdAt,
  ];
}
import type { TopUpRequestEntity } from './entities/topup-request.entity';
import { TopUpRequestsRepository } from './topup-requests.repository';

export function toTopUpRequestDto(r: TopUpRequestEntity): TopUpRequestDto {
  return {
    id: r.id,
    customerId: r.customerId,
    customerName: r.customerName,
    accountNumber: r.accountNumber,
    parentId: r.parentId,
    amount: r.amount.toString(),
    currency: r.currency,
    balanceAtRequest: r.balanceAtRequest.toString(),
    status: r.status,
    channel: r.channel,
    automatic: !!r.automatic,
    provider: r.provider,
    providerReference: r.providerReference,
    reason: r.reason,
    decidedByPersonId: r.decidedByPersonId,
    ledgerTransactionId: r.ledgerTransactionId,
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
  };
}

const alreadyDecided = (r: Pick<TopUpRequestEntity, 'id' | 'status'>): ConflictError =>
  new ConflictError(`top-up request ${r.id} was already decided: ${TOPUP_STATUS_LABELS[r.status].toLowerCase()}`, [], 'already_decided');

/**
 * Commerce » Requests: the top-up requests of the caller's descendants, and their approval or rejection
 * by administrators of an ancestor; also the crediting and the outcome email that the card processor
 * shares. Every decision is one conditional UPDATE from `pending`, so a request is credited at most once
 * however many deciders race.
 */
@Injectable()
export class TopUpsService {
  constructor(
    private readonly repo: TopUpRequestsRepository,
    private readonly customers: CustomersApi,
    private readonly ledger: LedgerService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  async list(scope: Scope, query: TopUpRequestQuery): Promise<Page<TopUpRequestDto>> {
    const { page, pageSize, skip } = pageParams(query);
    const [rows, total] = await this.repo.list(this.repo.reader, scope, {
      status: query.status,
      search: query.search,
      sort: sortOrder(query.sort, TOPUP_SORTS, '-createdAt'),
      skip,
      take: pageSize,
    });
    return { items: rows.map(toTopUpRequestDto), page, pageSize, total };
  }

  /** A request of a customer in the scope's subtree (its own ones too); else 404. */
  async get(scope: Scope, id: number): Promise<TopUpRequestDto> {
    return toTopUpRequestDto(await this.visible(this.repo.reader, scope, id));
  }

  /**
   * Approves a pending request and credits its amount to the customer as a top-up, in one transaction.
   * Administrators of an ancestor only (the customer itself: 403; another branch: 404); a request that is
   * no longer pending is a 409 (`already_decided`). With an `Idempotency-Key`, a repeat answers the first
   * answer.
   */
  approve(scope: Scope, id: number, idempotencyKey?: string): Promise<IdempotentResult<TopUpDecidedDto>> {
    const request = { operation: 'POST /api/v1/topup-requests/:id/approve', id };
    return this.idempotency.run(principalOf(scope), idempotencyKey, request, async (em) => {
      const row = await this.forDecision(em, scope, id);
      if ((await this.customers.find(em, row.customerId))?.deleted) {
        throw new ConflictError('the customer is deleted; undelete it first, or reject the request');
      }
      const now = this.clock.now();
      if (!(await this.repo.decide(em, row.id, { status: 'approved', decidedAt: now, decidedByPersonId: scope.personId }, 'parent'))) {
        throw new ConflictError(`top-up request ${row.id} was decided meanwhile`, [], 'already_decided');
      }
      const decided = { ...row, status: 'approved' as const, decidedAt: now, decidedByPersonId: scope.personId, openCustomerId: null };
      const credited = await this.credit(em, decided, scope.personId, `Top-up request #${row.id} approved`, `topup-request:${row.id}`);
      await this.audit.record(
        scope,
        {
          action: 'topup_approved',
          entityType: 'topup_request',
          entityId: row.id,
          customerId: row.customerId,
          details: {
            amount: row.amount.toString(),
            currency: row.currency,
            transactionId: credited.request.ledgerTransactionId,
            balance: credited.balance.toString(),
          },
        },
        em,
      );
      return { status: 200, body: { request: toTopUpRequestDto(credited.request), balance: credited.balance.toString() } };
    });
  }

  /** Rejects a pending request: nothing moves; the customer is emailed the outcome (with the reason, if any). */
  async reject(scope: Scope, id: number, dto: RejectTopUpDto): Promise<TopUpDecidedDto> {
    const reason = dto.reason?.trim() || null;
    return this.tx.run(async (em) => {
      const row = await this.forDecision(em, scope, id);
      const now = this.clock.now();
      const decision = { status: 'rejected' as const, decidedAt: now, decidedByPersonId: scope.personId, reason };
      if (!(await this.repo.decide(em, row.id, decision, 'parent'))) {
        throw new ConflictError(`top-up request ${row.id} was decided meanwhile`, [], 'already_decided');
      }
      const decided = { ...row, ...decision, openCustomerId: null };
      await this.notifyOutcome(em, decided, null);
      await this.audit.record(
        scope,
        {
          action: 'topup_rejected',
          entityType: 'topup_request',
          entityId: row.id,
          customerId: row.customerId,
          details: { amount: row.amount.toString(), currency: row.currency, reason },
        },
        em,
      );
      return { request: toTopUpRequestDto(decided), balance: null };
    });
  }

  /**
   * Credits a request that was just decided (approved or paid) as a `topup` transaction, links the
   * transaction to it and emails the customer the outcome, inside the caller's transaction. The ledger's
   * watcher sees this credit too; a credit never crosses a threshold downwards, so it raises nothing.
   */
  async credit(
    em: EntityManager,
    row: TopUpRequestEntity,
    actorPersonId: number | null,
    description: string,
    reference: string,
  ): Promise<{ request: TopUpRequestEntity; balance: Money }> {
    const posted = await this.ledger.post(em, {
      customerId: row.customerId,
      type: 'topup',
      amount: row.amount,
      description,
      reference,
      actorPersonId,
    });
    // The ledger posts in the customer's currency (read under a shared lock): it must be the request's.
    if (posted.transaction.currency !== row.currency) {
      throw new ConflictError(
        `the customer's currency changed to ${posted.transaction.currency} since the request (${row.currency}); reject it instead`,
      );
    }
    await this.repo.setLedgerTransaction(em, row.id, posted.transaction.id);
    const request = { ...row, ledgerTransactionId: posted.transaction.id };
    await this.notifyOutcome(em, request, posted.balance);
    return { request, balance: posted.balance };
  }

  /** The topup-outcome email to the customer: approved (or paid by card) with the new balance, or not. */
  async notifyOutcome(em: EntityManager, row: TopUpRequestEntity, newBalance: Money | null): Promise<void> {
    const customer = (await this.customers.billingProfiles(em, [row.customerId])).get(row.customerId);
    if (!customer) return;
    const approved = row.status === 'approved' || row.status === 'paid';
    await this.outbox.enqueue(em, {
      customerId: row.customerId,
      to: customer.email,
      subject: approved ? `Top-up of ${row.amount.toString()} ${row.currency} credited` : 'Your top-up request was not accepted',
      template: 'topup-outcome',
      context: {
        customerName: customer.name,
        amount: row.amount.toString(),
        currency: row.currency,
        approved,
        reason: row.reason,
        newBalance: newBalance?.toString() ?? null,
        decidedAt: (row.decidedAt ?? this.clock.now()).toISOString(),
      },
    });
  }

  /** The request, if its customer lies in the scope's subtree (the customer's own requests too); else 404. */
  private async visible(em: EntityManager, scope: Scope, id: number): Promise<TopUpRequestEntity> {
    const row = await this.repo.find(em, id);
    const customer = row ? await this.customers.find(em, row.customerId) : null;
    if (!row || !customer || !isInSubtree(scope.customerPath, customer.path)) throw new NotFoundError('top-up request');
    return row;
  }

  /** A request the scope may decide now: visible, decided by an administrator of an ancestor, still pending, for the parent. */
  private async forDecision(em: EntityManager, scope: Scope, id: number): Promise<TopUpRequestEntity> {
    const row = await this.visible(em, scope, id);
    if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
    if (row.customerId === scope.personCustomerId) {
      throw new ForbiddenError("a customer does not decide its own top-up request: its parent's administrators do");
    }
    if (row.status !== 'pending') throw alreadyDecided(row);
    if (row.channel !== 'parent') throw new ConflictError('a card top-up is decided by the card payment provider, not by hand');
    return row;
  }
}
