import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, SelectQueryBuilder, type ObjectLiteral } from 'typeorm';
import { equalsIgnoringCase } from '../../database/ignoring-case';
import { insertRow } from '../../database/insert-row';
import type { SortOrder } from '../../shared/http/list-query';
import { MailboxEntity } from './entities/mailbox.entity';
import { NumberEntity } from './entities/number.entity';
import { SipAccountEntity } from './entities/sip-account.entity';

/**
 * LIKE pattern for "contains": `!` escapes the wildcards. A backslash escape would need a different
 * SQL literal on each database (MySQL treats '\' in a string literal as an escape), `!` needs none.
 */
function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}
function whereContains<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  search: string | undefined,
): SelectQueryBuilder<T> {
  if (search) qb.andWhere(`${column} LIKE :like ESCAPE '!'`, { like: containsPattern(search) });
  return qb;
}

export interface Paging {
  skip: number;
  take: number;
  /** A whitelisted column of the list (the service's sort) and its direction; ties are broken by id the same way. */
  order?: SortOrder;
}

/** `ORDER BY column, id` in the list's direction (`fallback` when the caller names no column). */
function ordered<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, columns: Record<string, string>, fallback: string, order?: SortOrder) {
  const dir = order?.descending ? 'DESC' : 'ASC';
  return qb.orderBy(`${alias}.${columns[order?.column ?? fallback] ?? fallback}`, dir).addOrderBy(`${alias}.id`, dir);
}

/** The sortable columns of each list: API name → entity property. */
export const SIP_ACCOUNT_SORT_COLUMNS = { username: 'username', displayName: 'displayName', maxConcurrentCalls: 'maxConcurrentCalls', createdAt: 'createdAt' };
export const MAILBOX_SORT_COLUMNS = { mailbox: 'mailbox', email: 'email', createdAt: 'createdAt' };
export const NUMBER_SORT_COLUMNS = { number: 'number', customerId: 'customerId', createdAt: 'createdAt' };

/**
 * A number search as operators type it: "+44 20 7946-0000", "0044 (20) 7946 0000" look for their digits
 * (without the international prefix); any other text is looked for as typed.
 */
export function numberSearchText(search: string | undefined): string | undefined {
  if (!search || !/^\+?[\d\s().\-/]+$/.test(search.trim())) return search;
  const digits = search.replace(/\D/g, '');
  return search.trim().startsWith('+') || !digits.startsWith('00') ? digits : digits.slice(2);
}

/**
 * The only place telephony touches TypeORM. Every method takes the caller's EntityManager. It is the one
 * write path for lines, mailboxes and numbers: the services and TelephonyApi (what other modules call)
 * both go through it.
 */
@Injectable()
export class TelephonyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** For reads outside a transaction. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  // --- numbers ---------------------------------------------------------------------------------

  /** Numbers are never soft-deleted: any row blocks the number platform-wide. */
  findNumberByValue(em: EntityManager, number: string): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { number });
  }

  /** Existing numbers of the inclusive range `from`..`to` (both of one length), in number order. */
  async existingNumbersInRange(em: EntityManager, from: string, to: string): Promise<string[]> {
    const rows = await em
      .createQueryBuilder(NumberEntity, 'n')
      .select('n.number', 'number')
      .where('n.number >= :from AND n.number <= :to', { from, to })
      .orderBy('n.number', 'ASC')
      .getRawMany<{ number: string }>();
    // Text comparison also matches longer numbers sharing the prefix; only equal lengths are in the range.
    return rows.map((r) => r.number).filter((n) => n.length === from.length);
  }

  async insertNumbers(em: EntityManager, rows: Array<Omit<NumberEntity, 'id'>>): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const result = await em.insert(NumberEntity, rows.slice(i, i + 500));
      ids.push(...result.identifiers.map((x) => Number(x.id)));
    }
    return ids;
  }

  findNumber(em: EntityManager, id: number): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { id });
  }

  findOwnedNumber(em: EntityManager, ownerCustomerId: number, id: number): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { id, ownerCustomerId });
  }

  findOwnedNumberByValue(em: EntityManager, ownerCustomerId: number, number: string): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { number, ownerCustomerId });
  }

  findFreeNumber(em: EntityManager, ownerCustomerId: number, number: string): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { ownerCustomerId, number, customerId: IsNull() });
  }

  /** All free numbers of an inventory, in number order. */
  freeNumbers(em: EntityManager, ownerCustomerId: number): Promise<NumberEntity[]> {
    return em.find(NumberEntity, { where: { ownerCustomerId, customerId: IsNull() }, order: { number: 'ASC' } });
  }

  findCustomerNumber(em: EntityManager, customerId: number, id: number): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { id, customerId });
  }

  pageInventory(
    em: EntityManager,
    ownerCustomerId: number,
    q: { free?: boolean; search?: string } & Paging,
  ): Promise<[NumberEntity[], number]> {
    const qb = em.createQueryBuilder(NumberEntity, 'n').where('n.ownerCustomerId = :owner', { owner: ownerCustomerId });
    if (q.free === true) qb.andWhere('n.customerId IS NULL');
    if (q.free === false) qb.andWhere('n.customerId IS NOT NULL');
    whereContains(qb, 'n.number', numberSearchText(q.search));
    return ordered(qb, 'n', NUMBER_SORT_COLUMNS, 'number', q.order).skip(q.skip).take(q.take).getManyAndCount();
  }

  pageCustomerNumbers(em: EntityManager, customerId: number, q: { search?: string } & Paging): Promise<[NumberEntity[], number]> {
    const qb = em.createQueryBuilder(NumberEntity, 'n').where('n.customerId = :customerId', { customerId });
    whereContains(qb, 'n.number', numberSearchText(q.search));
    return ordered(qb, 'n', NUMBER_SORT_COLUMNS, 'number', q.order).skip(q.skip).take(q.take).getManyAndCount();
  }

  /** Deletes a number only while it is free; false when it was assigned meanwhile. */
  async deleteFreeNumber(em: EntityManager, ownerCustomerId: number, id: number): Promise<boolean> {
    const result = await em.delete(NumberEntity, { id, ownerCustomerId, customerId: IsNull() });
    return (result.affected ?? 0) === 1;
  }

  /**
   * Assigns a number only if it is still free: the conditional UPDATE plus the affected-rows check
   * decides between two people assigning the same number at once, on both databases. (A number never
   * changes inventory, so the caller's check of the owner still holds; a free number is never routed,
   * clearing the route only makes that explicit.)
   */
  async claimNumber(em: EntityManager, id: number, customerId: number): Promise<boolean> {
    const result = await em.update(NumberEntity, { id, customerId: IsNull() }, { customerId, sipAccountId: null });
    return (result.affected ?? 0) === 1;
  }

  async releaseNumber(em: EntityManager, id: number, customerId: number): Promise<boolean> {
    const result = await em.update(NumberEntity, { id, customerId }, { customerId: null, sipAccountId: null });
    return (result.affected ?? 0) === 1;
  }

  async updateNumber(em: EntityManager, id: number, patch: Partial<Pick<NumberEntity, 'sipAccountId' | 'directory'>>): Promise<void> {
    await em.update(NumberEntity, { id }, patch);
  }

  /** Numbers routed to a line that is going away keep their customer but lose the route. */
  async unrouteNumbers(em: EntityManager, sipAccountId: number): Promise<number> {
    const result = await em.update(NumberEntity, { sipAccountId }, { sipAccountId: null });
    return result.affected ?? 0;
  }

  async numbersBySipAccount(em: EntityManager, sipAccountIds: number[]): Promise<Map<number, string[]>> {
    const map = new Map<number, string[]>();
    if (!sipAccountIds.length) return map;
    const rows = await em.find(NumberEntity, { where: { sipAccountId: In(sipAccountIds) }, order: { number: 'ASC' } });
    for (const r of rows) {
      const list = map.get(r.sipAccountId!) ?? [];
      list.push(r.number);
      map.set(r.sipAccountId!, list);
    }
    return map;
  }

  // --- SIP accounts ----------------------------------------------------------------------------

  pageSipAccounts(em: EntityManager, customerId: number, q: { search?: string } & Paging): Promise<[SipAccountEntity[], number]> {
    const qb = em.createQueryBuilder(SipAccountEntity, 's').where('s.customerId = :customerId AND s.deletedAt IS NULL', { customerId });
    if (q.search) {
      const like = containsPattern(q.search);
      qb.andWhere("(s.username LIKE :like ESCAPE '!' OR s.displayName LIKE :like ESCAPE '!')", { like });
    }
    return ordered(qb, 's', SIP_ACCOUNT_SORT_COLUMNS, 'username', q.order).skip(q.skip).take(q.take).getManyAndCount();
  }

  findLiveSipAccount(em: EntityManager, customerId: number, id: number): Promise<SipAccountEntity | null> {
    return em.findOneBy(SipAccountEntity, { id, customerId, deletedAt: IsNull() });
  }

  /**
   * Ignoring case, through the unique index (equalsIgnoringCase). Deleted lines hold "#<id>#<name>", so
   * they never match.
   */
  async sipAccountOwner(em: EntityManager, username: string): Promise<number | null> {
    const row = await em
      .createQueryBuilder(SipAccountEntity, 's')
      .select('s.customerId', 'customerId')
      .where(equalsIgnoringCase(em, 's.username', 'username'), { username })
      .andWhere('s.deletedAt IS NULL')
      .getRawOne<{ customerId: unknown }>();
    return row ? Number(row.customerId) : null;
  }

  /** Through IDX_numbers_number: one lookup per number. */
  async customersWithNumbers(em: EntityManager, numbers: readonly string[]): Promise<number[]> {
    const rows = await em.find(NumberEntity, { select: { customerId: true }, where: { number: In([...numbers]) } });
    return [...new Set(rows.map((r) => r.customerId).filter((id): id is number => id !== null))];
  }

  async sipUsernameTaken(em: EntityManager, username: string, exceptId?: number): Promise<boolean> {
    const qb = em.createQueryBuilder(SipAccountEntity, 's').where(equalsIgnoringCase(em, 's.username', 'username'), { username });
    if (exceptId) qb.andWhere('s.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }

  countSipAccountsEver(em: EntityManager, customerId: number): Promise<number> {
    return em.countBy(SipAccountEntity, { customerId });
  }

  /** One fixed INSERT (insertRow): a residential customer's create writes a line on the hot path. */
  async insertSipAccount(em: EntityManager, row: Omit<SipAccountEntity, 'id'>): Promise<SipAccountEntity> {
    return { ...row, id: await insertRow(em, SipAccountEntity, row) };
  }

  async updateSipAccount(em: EntityManager, id: number, patch: Partial<SipAccountEntity>): Promise<void> {
    await em.update(SipAccountEntity, { id }, patch);
  }

  // --- mailboxes -------------------------------------------------------------------------------

  pageMailboxes(em: EntityManager, customerId: number, q: { search?: string } & Paging): Promise<[MailboxEntity[], number]> {
    const qb = em.createQueryBuilder(MailboxEntity, 'm').where('m.customerId = :customerId AND m.deletedAt IS NULL', { customerId });
    whereContains(qb, 'm.mailbox', q.search);
    return ordered(qb, 'm', MAILBOX_SORT_COLUMNS, 'mailbox', q.order).skip(q.skip).take(q.take).getManyAndCount();
  }

  findLiveMailbox(em: EntityManager, customerId: number, id: number): Promise<MailboxEntity | null> {
    return em.findOneBy(MailboxEntity, { id, customerId, deletedAt: IsNull() });
  }

  async mailboxTaken(em: EntityManager, mailbox: string, exceptId?: number): Promise<boolean> {
    const qb = em.createQueryBuilder(MailboxEntity, 'm').where('m.mailbox = :mailbox', { mailbox });
    if (exceptId) qb.andWhere('m.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }

  /** One fixed INSERT (insertRow), as insertSipAccount. */
  async insertMailbox(em: EntityManager, row: Omit<MailboxEntity, 'id'>): Promise<MailboxEntity> {
    return { ...row, id: await insertRow(em, MailboxEntity, row) };
  }

  async updateMailbox(em: EntityManager, id: number, patch: Partial<MailboxEntity>): Promise<void> {
    await em.update(MailboxEntity, { id }, patch);
  }
}
