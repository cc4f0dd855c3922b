import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, WhereExpressionBuilder } from 'typeorm';
import { hydrate, selectColumns } from '../../database/raw-entity';
import type { Scope } from '../../shared/scope';
import { subtreePattern } from '../../shared/scope';
import { isSqlite } from '../../database/dialect';
import { CustomerDirectory } from '../../shared/customer-directory';
import type { SortOrder } from '../../shared/http/list-query';
import { LIKE_ESCAPE, likeContains } from '../../shared/pagination';
import type { FailureOutcome } from './domain/delivery';
import type { OutboxSort } from './dto/outbox.dto';
import { OutboxEmailEntity, OutboxStatus } from './entities/outbox-email.entity';

/** Due: pending and its time has come, or claimed by a sender whose lease ran out (it died). */
function due(w: WhereExpressionBuilder, now: Date): void {
  w.where(
    new Brackets((b) => {
      b.where("(status = 'pending' AND next_attempt_at <= :now)", { now }).orWhere("(status = 'sending' AND lease_until < :now)", { now });
    }),
  );
}

/** The only place notifications touch TypeORM. */
@Injectable()
export class OutboxRepository {
  constructor(
    private readonly customers: CustomerDirectory,
    private readonly dataSource: DataSource,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async dueIds(em: EntityManager, now: Date, limit: number): Promise<number[]> {
    const qb = em.createQueryBuilder(OutboxEmailEntity, 'o').select('o.id', 'id');
    qb.where(new Brackets((w) => due(w, now)));
    const rows = await qb.orderBy('o.nextAttemptAt', 'ASC').addOrderBy('o.id', 'ASC').limit(limit).getRawMany<{ id: number | string }>();
    return rows.map((r) => Number(r.id));
  }

  /**
   * Claims one row for sending: a conditional UPDATE that only one sender can win (the row lock on
   * MariaDB, the single writer on SQLite); the affected-rows count says who did.
   */
  async claim(em: EntityManager, id: number, now: Date, leaseUntil: Date): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(OutboxEmailEntity)
      .set({ status: 'sending', leaseUntil })
      .where('id = :id', { id })
      .andWhere(new Brackets((w) => due(w, now)))
      .execute();
    return result.affected === 1;
  }

  find(em: EntityManager, id: number): Promise<OutboxEmailEntity | null> {
    return em.findOneBy(OutboxEmailEntity, { id });
  }

  async markSent(em: EntityManager, id: number, sentAt: Date, attempts: number, bodyText: string | null): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(OutboxEmailEntity)
      .set({ status: 'sent', sentAt, attempts, leaseUntil: null, lastError: null, bodyText })
      .where("id = :id AND status = 'sending'", { id })
      .execute();
    return result.affected === 1;
  }

  async markFailure(em: EntityManager, id: number, outcome: FailureOutcome, lastError: string, bodyText: string | null): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(OutboxEmailEntity)
      .set({
        status: outcome.status,
        attempts: outcome.attempts,
        nextAttemptAt: outcome.nextAttemptAt,
        leaseUntil: null,
        lastError,
        bodyText,
      })
      .where("id = :id AND status = 'sending'", { id })
      .execute();
    return result.affected === 1;
  }

  /**
   * Kept mails without text, oldest first, through IDX_outbox_unrendered (SQLite: a partial index of those
   * rows only; MariaDB: (status, body_text(1)), named in a FORCE INDEX hint because with `ORDER BY id LIMIT`
   * its optimizer sometimes walks the primary key instead, reading every kept mail).
   */
  async keptWithoutBody(em: EntityManager, limit: number): Promise<OutboxEmailEntity[]> {
    const hint = isSqlite(em) ? '' : ' FORCE INDEX (IDX_outbox_unrendered)';
    const rows = (await em.query(
      `SELECT ${selectColumns(em.connection, OutboxEmailEntity, 'o', 'o_')} FROM outbox_emails o${hint} ` +
        "WHERE o.status = 'kept' AND o.body_text IS NULL ORDER BY o.id LIMIT ?",
      [limit],
    )) as Record<string, unknown>[];
    return rows.map((r) => hydrate(em.connection, OutboxEmailEntity, r, 'o_')!);
  }

  async setBodyText(em: EntityManager, id: number, bodyText: string, lastError: string | null): Promise<void> {
    await em
      .createQueryBuilder()
      .update(OutboxEmailEntity)
      .set({ bodyText, lastError })
      .where('id = :id AND body_text IS NULL', { id })
      .execute();
  }

  /** Rows concerning the scope's subtree; the system owner acting as itself also sees rows of no customer. */
  private scoped(em: EntityManager, scope: Scope, includeUnowned: boolean) {
    const qb = em.createQueryBuilder(OutboxEmailEntity, 'o');
    qb.where(
      new Brackets((w) => {
        w.where(`o.customerId IN (${this.customers.subtreeIdsSql()})`, {
          subtree: subtreePattern(scope.customerPath),
        });
        if (includeUnowned) w.orWhere('o.customerId IS NULL');
      }),
    );
    return qb;
  }

  async list(
    scope: Scope,
    includeUnowned: boolean,
    filter: { status?: OutboxStatus; search?: string; sort?: SortOrder<OutboxSort> },
    skip: number,
    take: number,
  ): Promise<[OutboxEmailEntity[], number]> {
    const qb = this.scoped(this.manager, scope, includeUnowned);
    if (filter.status) qb.andWhere('o.status = :status', { status: filter.status });
    const text = filter.search?.trim();
    if (text) {
      qb.andWhere(
        new Brackets((w) => {
          w.where(`o.toAddress LIKE :like ${LIKE_ESCAPE}`, { like: likeContains(text) }).orWhere(`o.subject LIKE :like ${LIKE_ESCAPE}`);
        }),
      );
    }
    const sort = filter.sort ?? { column: 'createdAt', descending: true };
    const dir = sort.descending ? 'DESC' : 'ASC';
    const column = sort.column === 'to' ? 'toAddress' : sort.column;
    return qb.orderBy(`o.${column}`, dir).addOrderBy('o.id', dir).skip(skip).take(take).getManyAndCount();
  }

  findInScope(em: EntityManager, scope: Scope, includeUnowned: boolean, id: number): Promise<OutboxEmailEntity | null> {
    return this.scoped(em, scope, includeUnowned).andWhere('o.id = :id', { id }).getOne();
  }

  /** A failed row back to the queue, with a fresh set of attempts. */
  async requeue(em: EntityManager, id: number, status: 'pending' | 'kept', now: Date): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(OutboxEmailEntity)
      .set({ status, attempts: 0, nextAttemptAt: now, leaseUntil: null })
      .where("id = :id AND status = 'failed'", { id })
      .execute();
    return result.affected === 1;
  }
}
