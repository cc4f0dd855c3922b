import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../../../database/dialect';
import { insertRow } from '../../../database/insert-row';
import { CustomerDirectory } from '../../../shared/customer-directory';
import { LIKE_ESCAPE, likeContains } from '../../../shared/pagination';
import { subtreePattern, type Scope } from '../../../shared/scope';
import type { SortOrder } from '../../../shared/http/list-query';
import type { TopUpStatus } from '../domain/topup-requests';
import type { TopUpSort } from './dto/topup-request.dto';
import { TopUpRequestEntity } from './entities/topup-request.entity';

export type NewTopUpRequest = Omit<TopUpRequestEntity, 'id' | 'openCustomerId'>;

export interface TopUpListFilter {
  status?: TopUpStatus;
  search?: string;
  /** Default: newest first. Ties by id. */
  sort?: SortOrder<TopUpSort>;
  skip: number;
  take: number;
}

/** What a decision writes on a pending request (see `decide`). */
export type TopUpDecision = Pick<TopUpRequestEntity, 'status' | 'decidedAt'> &
  Partial<Pick<TopUpRequestEntity, 'reason' | 'decidedByPersonId' | 'provider' | 'providerReference'>>;

/** The SQL of the top-up requests (table `topup_requests`); writes take the caller's manager. */
@Injectable()
export class TopUpRequestsRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerDirectory,
  ) {}

  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Inserts a pending request, unless the customer already has one open: the unique index on
   * `open_customer_id` decides (also between concurrent transactions). Returns the new id, or null.
   * A duplicate key fails only this statement; the caller's transaction goes on.
   */
  async insertOpen(em: EntityManager, row: NewTopUpRequest): Promise<number | null> {
    try {
      return await insertRow(em, TopUpRequestEntity, { ...row, openCustomerId: row.customerId });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  find(em: EntityManager, id: number): Promise<TopUpRequestEntity | null> {
    if (!Number.isSafeInteger(id) || id < 1) return Promise.resolve(null);
    return em.findOneBy(TopUpRequestEntity, { id });
  }

  /** The customer's open (pending) request, if any. */
  findOpen(em: EntityManager, customerId: number): Promise<TopUpRequestEntity | null> {
    return em.findOneBy(TopUpRequestEntity, { openCustomerId: customerId });
  }

  /**
   * Moves a pending request to its outcome with one conditional UPDATE: of two deciders at once (two
   * approvals, an approval and a rejection, two processors) exactly one changes the row — MariaDB's row
   * lock makes the second wait and then find it no longer pending; SQLite runs one writer at a time.
   */
  async decide(em: EntityManager, id: number, decision: TopUpDecision, channel?: 'card' | 'parent'): Promise<boolean> {
    const q = em
      .createQueryBuilder()
      .update(TopUpRequestEntity)
      .set({ ...decision, openCustomerId: null })
      .where("id = :id AND status = 'pending'", { id });
    if (channel) q.andWhere('channel = :channel', { channel });
    const r = await q.execute();
    return r.affected === 1;
  }

  async setLedgerTransaction(em: EntityManager, id: number, ledgerTransactionId: number): Promise<void> {
    await em.update(TopUpRequestEntity, { id }, { ledgerTransactionId });
  }

  /** Counts a card attempt on a pending card request; false when it is no longer pending. */
  async countAttempt(em: EntityManager, id: number): Promise<boolean> {
    const r = await em
      .createQueryBuilder()
      .update(TopUpRequestEntity)
      .set({ attempts: () => 'attempts + 1' })
      .where("id = :id AND status = 'pending' AND channel = 'card'", { id })
      .execute();
    return r.affected === 1;
  }

  /** Pending card requests, oldest first (through the open-request index: only pending rows are in it). */
  async pendingCardIds(em: EntityManager, limit: number): Promise<number[]> {
    const rows = await em
      .createQueryBuilder(TopUpRequestEntity, 'r')
      .select('r.id', 'id')
      .where("r.openCustomerId IS NOT NULL AND r.channel = 'card'")
      .orderBy('r.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number | string }>();
    return rows.map((r) => Number(r.id));
  }

  /**
   * The requests of the scope's descendants (customers strictly below the acting customer), newest
   * first; `search` matches the customer's name or account number (as kept on the request) or the id.
   */
  async list(em: EntityManager, scope: Scope, f: TopUpListFilter): Promise<[TopUpRequestEntity[], number]> {
    const q = em
      .createQueryBuilder(TopUpRequestEntity, 'r')
      .where(`r.customerId IN (${this.customers.subtreeIdsSql()})`, { subtree: subtreePattern(scope.customerPath) })
      .andWhere('r.customerId <> :self', { self: scope.customerId });
    if (f.status) q.andWhere('r.status = :status', { status: f.status });
    const search = f.search?.trim();
    if (search) {
      q.andWhere(
        new Brackets((b) => {
          b.where(`r.customerName LIKE :term ${LIKE_ESCAPE}`, { term: likeContains(search) }).orWhere(
            `r.accountNumber LIKE :term ${LIKE_ESCAPE}`,
          );
          if (/^\d{1,15}$/.test(search)) b.orWhere('r.id = :searchId', { searchId: Number(search) });
        }),
      );
    }
    const sort = f.sort ?? { column: 'createdAt', descending: true };
    const dir = sort.descending ? 'DESC' : 'ASC';
    return q.orderBy(`r.${sort.column}`, dir).addOrderBy('r.id', dir).skip(f.skip).take(f.take).getManyAndCount();
  }
}
