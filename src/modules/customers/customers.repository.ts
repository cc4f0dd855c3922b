import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { TransactionRunner } from '../../database/transaction-runner';
import { LIKE_ESCAPE, likeContains, pageParams } from '../../shared/pagination';
import { ancestorIds, pathIds } from '../../shared/tenancy';
import { PersonEntity } from '../identity/entities/person.entity';
import { RatePlanEntity } from '../rate-plans/entities/rate-plan.entity';
import { DialPlanEntity } from '../system/entities/dial-plan.entity';
import { RegionEntity } from '../system/entities/region.entity';
import { SystemSettingsEntity } from '../system/entities/system-settings.entity';
import { TaxEntity } from '../taxes/entities/tax.entity';
import { MailboxEntity } from '../telephony/entities/mailbox.entity';
import { NumberEntity } from '../telephony/entities/number.entity';
import { SipAccountEntity } from '../telephony/entities/sip-account.entity';
import { CustomerEntity, CustomerTaxEntity } from './entities/customer.entity';

type Owner = Pick<CustomerEntity, 'id' | 'path'>;

export interface CustomerListFilter {
  /** Direct children of this customer, or (recursive) its whole subtree below it. */
  parent: Owner;
  recursive: boolean;
  search?: string;
  includeDeleted: boolean;
  page?: number;
  pageSize?: number;
}

/** The only place the customers module touches TypeORM. Every method takes the unit of work's manager. */
@Injectable()
export class CustomersRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
  ) {}

  /** For reads outside a transaction. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  findById(em: EntityManager, id: number): Promise<CustomerEntity | null> {
    return em.findOneBy(CustomerEntity, { id });
  }

  /**
   * Reads a customer row and, on MariaDB/MySQL, locks it (FOR UPDATE by primary key) until the
   * transaction ends, so checks such as "no live children" cannot race a concurrent change. SQLite runs
   * one transaction at a time, so a plain read is enough there.
   */
  lockById(em: EntityManager, id: number): Promise<CustomerEntity | null> {
    if (this.tx.isSqlite) return em.findOneBy(CustomerEntity, { id });
    return em.findOne(CustomerEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async settings(em: EntityManager): Promise<SystemSettingsEntity> {
    const s = await em.findOneBy(SystemSettingsEntity, { id: 1 });
    if (!s) throw new Error('system settings row missing');
    return s;
  }

  async insertCustomer(em: EntityManager, row: Partial<CustomerEntity>): Promise<number> {
    const result = await em.insert(CustomerEntity, row);
    return Number(result.identifiers[0].id);
  }

  async updateCustomer(em: EntityManager, id: number, changes: Partial<CustomerEntity>): Promise<void> {
    await em.update(CustomerEntity, { id }, changes);
  }

  /** Account numbers are compared ignoring case (MariaDB's collation does so, and vouchers look them up). */
  async accountNumberTaken(em: EntityManager, parentId: number | null, accountNumber: string, exceptId?: number): Promise<boolean> {
    const q = em
      .createQueryBuilder(CustomerEntity, 'c')
      .where('LOWER(c.accountNumber) = LOWER(:accountNumber)', { accountNumber })
      .andWhere(parentId === null ? 'c.parentId IS NULL' : 'c.parentId = :parentId', { parentId });
    if (exceptId !== undefined) q.andWhere('c.id <> :exceptId', { exceptId });
    return (await q.getCount()) > 0;
  }

  async prefixTaken(em: EntityManager, prefix: string, exceptId?: number): Promise<boolean> {
    const q = em.createQueryBuilder(CustomerEntity, 'c').where('c.prefix = :prefix', { prefix });
    if (exceptId !== undefined) q.andWhere('c.id <> :exceptId', { exceptId });
    return (await q.getCount()) > 0;
  }

  /** Usernames are unique platform-wide, ignoring case, deleted people included (the index covers them). */
  async usernameTaken(em: EntityManager, username: string): Promise<boolean> {
    return (await em.createQueryBuilder(PersonEntity, 'p').where('LOWER(p.username) = LOWER(:username)', { username }).getCount()) > 0;
  }
  async sipUsernameTaken(em: EntityManager, username: string): Promise<boolean> {
    return (await em.createQueryBuilder(SipAccountEntity, 's').where('LOWER(s.username) = LOWER(:username)', { username }).getCount()) > 0;
  }
  async mailboxTaken(em: EntityManager, mailbox: string): Promise<boolean> {
    return (await em.countBy(MailboxEntity, { mailbox })) > 0;
  }

  countLiveChildren(em: EntityManager, id: number): Promise<number> {
    return em.countBy(CustomerEntity, { parentId: id, deletedAt: IsNull() });
  }

  /** Live customers that name `id` as their affiliate. */
  countLiveAffiliateReferrers(em: EntityManager, id: number): Promise<number> {
    return em.countBy(CustomerEntity, { affiliateCustomerId: id, deletedAt: IsNull() });
  }

  findFreeNumber(em: EntityManager, ownerCustomerId: number, number: string): Promise<NumberEntity | null> {
    return em.findOneBy(NumberEntity, { ownerCustomerId, number, customerId: IsNull() });
  }

  /** Assigns a free number: the WHERE makes it a compare-and-set, so two concurrent claims cannot both win. */
  async claimNumber(em: EntityManager, numberId: number, customerId: number): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .update(NumberEntity)
      .set({ customerId })
      .where('id = :numberId AND customer_id IS NULL', { numberId })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async routeNumberToSipAccount(em: EntityManager, numberId: number, sipAccountId: number): Promise<void> {
    await em.update(NumberEntity, { id: numberId }, { sipAccountId });
  }

  async insertPerson(em: EntityManager, row: Partial<PersonEntity>): Promise<number> {
    return Number((await em.insert(PersonEntity, row)).identifiers[0].id);
  }
  async insertSipAccount(em: EntityManager, row: Partial<SipAccountEntity>): Promise<number> {
    return Number((await em.insert(SipAccountEntity, row)).identifiers[0].id);
  }
  async insertMailbox(em: EntityManager, row: Partial<MailboxEntity>): Promise<number> {
    return Number((await em.insert(MailboxEntity, row)).identifiers[0].id);
  }

  async setPersonDisplayName(em: EntityManager, personId: number, displayName: string, at: Date): Promise<void> {
    await em.update(PersonEntity, { id: personId }, { displayName, updatedAt: at });
  }

  async replaceTaxes(em: EntityManager, customerId: number, taxIds: number[]): Promise<void> {
    await em.delete(CustomerTaxEntity, { customerId });
    if (taxIds.length)
      await em.insert(
        CustomerTaxEntity,
        taxIds.map((taxId) => ({ customerId, taxId })),
      );
  }

  async taxIdsOf(em: EntityManager, customerIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(customerIds.map((id) => [id, []]));
    if (!customerIds.length) return out;
    const rows = await em.find(CustomerTaxEntity, { where: { customerId: In(customerIds) }, order: { taxId: 'ASC' } });
    for (const r of rows) out.get(r.customerId)?.push(r.taxId);
    return out;
  }

  /** Taxes `owner` may make its customers liable for: its own, and those shared by its ancestors. */
  usableTaxes(em: EntityManager, owner: Owner, ids?: number[]): Promise<TaxEntity[]> {
    const ancestors = ancestorIds(owner.path);
    const q = em
      .createQueryBuilder(TaxEntity, 't')
      .where('t.deletedAt IS NULL')
      .andWhere(
        new Brackets((w) => {
          w.where('t.ownerCustomerId = :own', { own: owner.id });
          if (ancestors.length) w.orWhere('(t.shared = :shared AND t.ownerCustomerId IN (:...ancestors))', { shared: true, ancestors });
        }),
      );
    if (ids) q.andWhere('t.id IN (:...ids)', { ids: ids.length ? ids : [0] });
    return q.orderBy('t.name', 'ASC').addOrderBy('t.id', 'ASC').getMany();
  }

  /** Dial plans of `owner` and of its ancestors. */
  usableDialPlans(em: EntityManager, owner: Owner, id?: number): Promise<DialPlanEntity[]> {
    const where = { ownerCustomerId: In(pathIds(owner.path)), ...(id !== undefined ? { id } : {}) };
    return em.find(DialPlanEntity, { where, order: { name: 'ASC', id: 'ASC' } });
  }

  regions(em: EntityManager): Promise<RegionEntity[]> {
    return em.find(RegionEntity, { order: { name: 'ASC' } });
  }
  findRegion(em: EntityManager, id: number): Promise<RegionEntity | null> {
    return em.findOneBy(RegionEntity, { id });
  }

  freeNumbers(em: EntityManager, ownerCustomerId: number): Promise<NumberEntity[]> {
    return em.find(NumberEntity, { where: { ownerCustomerId, customerId: IsNull() }, order: { number: 'ASC' } });
  }

  liveChildren(em: EntityManager, parentId: number): Promise<CustomerEntity[]> {
    return em.find(CustomerEntity, { where: { parentId, deletedAt: IsNull() }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** The plans and everything they inherit from (followed until no new ids turn up). */
  async plansWithAncestors(em: EntityManager, planIds: number[]): Promise<Map<number, RatePlanEntity>> {
    const plans = new Map<number, RatePlanEntity>();
    let wanted = [...new Set(planIds)];
    while (wanted.length) {
      const rows = await em.findBy(RatePlanEntity, { id: In(wanted) });
      for (const p of rows) plans.set(p.id, p);
      wanted = [...new Set(rows.map((p) => p.inheritsFromId).filter((id): id is number => id !== null && !plans.has(id)))];
    }
    return plans;
  }

  async lockFlags(em: EntityManager, ids: number[]): Promise<Map<number, { lockedWeb: boolean; lockedCalls: boolean }>> {
    const out = new Map<number, { lockedWeb: boolean; lockedCalls: boolean }>();
    if (!ids.length) return out;
    const rows = await em.find(CustomerEntity, {
      select: { id: true, lockedWeb: true, lockedCalls: true },
      where: { id: In([...new Set(ids)]) },
    });
    for (const r of rows) out.set(r.id, { lockedWeb: !!r.lockedWeb, lockedCalls: !!r.lockedCalls });
    return out;
  }

  /** Each customer's first administrator (the person made with the customer). */
  async firstAdministrators(em: EntityManager, customerIds: number[]): Promise<Map<number, PersonEntity>> {
    const out = new Map<number, PersonEntity>();
    if (!customerIds.length) return out;
    const rows = await em.find(PersonEntity, {
      where: { customerId: In(customerIds), role: 'administrator', deletedAt: IsNull() },
      order: { id: 'ASC' },
    });
    for (const p of rows) if (!out.has(p.customerId)) out.set(p.customerId, p);
    return out;
  }

  async list(em: EntityManager, f: CustomerListFilter): Promise<{ rows: CustomerEntity[]; total: number; page: number; pageSize: number }> {
    const { page, pageSize, skip } = pageParams({ page: f.page, pageSize: f.pageSize });
    const q = em.createQueryBuilder(CustomerEntity, 'c');
    if (f.recursive) q.where('c.path LIKE :subtree AND c.id <> :parentId', { subtree: `${f.parent.path}%`, parentId: f.parent.id });
    else q.where('c.parentId = :parentId', { parentId: f.parent.id });
    if (!f.includeDeleted) q.andWhere('c.deletedAt IS NULL');
    const search = f.search?.trim();
    if (search) {
      const like = (expr: string) => `LOWER(${expr}) LIKE :search ${LIKE_ESCAPE}`;
      q.andWhere(
        new Brackets((w) => {
          w.where(like('c.name'), { search: likeContains(search.toLowerCase()) })
            .orWhere(like('COALESCE(c.accountNumber, c.deletedAccountNumber)'))
            .orWhere(like('c.email'))
            .orWhere(like('c.description'))
            .orWhere(like('c.billingReference'));
        }),
      );
    }
    const total = await q.getCount();
    const rows = await q.orderBy('c.name', 'ASC').addOrderBy('c.id', 'ASC').skip(skip).take(pageSize).getMany();
    return { rows, total, page, pageSize };
  }
}
