import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, In, IsNull } from 'typeorm';
import { LIKE_ESCAPE, likeContains } from '../../shared/pagination';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { DialPlanEntity } from '../system/entities/dial-plan.entity';
import { ExchangeRateEntity } from '../system/entities/exchange-rate.entity';
import { SystemSettingsEntity } from '../system/entities/system-settings.entity';
import { RatePlanEntity } from './entities/rate-plan.entity';
import { RatePlansApi } from './rate-plans.api';

type CustomerRef = Pick<CustomerEntity, 'id' | 'parentId' | 'path'>;

/** The only place that touches rate_plans (and reads the few foreign rows plans depend on). */
@Injectable()
export class RatePlansRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly api: RatePlansApi,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  findLive(em: EntityManager, id: number): Promise<RatePlanEntity | null> {
    if (!Number.isSafeInteger(id) || id < 1) return Promise.resolve(null);
    return em.findOneBy(RatePlanEntity, { id, deletedAt: IsNull() });
  }

  /** Plans by id, deleted ones included (a customer's plan cannot be deleted, so the chain is intact). */
  async findByIds(em: EntityManager, ids: readonly number[]): Promise<RatePlanEntity[]> {
    const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id));
    if (unique.length === 0) return [];
    return em.findBy(RatePlanEntity, { id: In(unique) });
  }

  /** Loads `ids` and every plan they inherit from, into `into` (by id). */
  async loadWithAncestors(
    em: EntityManager,
    ids: readonly number[],
    into: Map<number, RatePlanEntity> = new Map(),
  ): Promise<Map<number, RatePlanEntity>> {
    let wanted = ids.filter((id) => !into.has(id));
    for (let guard = 0; wanted.length > 0 && guard < 50; guard++) {
      const found = await this.findByIds(em, wanted);
      for (const p of found) into.set(p.id, p);
      wanted = [...new Set(found.map((p) => p.inheritsFromId).filter((id): id is number => id !== null && !into.has(id)))];
    }
    return into;
  }

  /** Plans the customer may see in its list: its own and those shared with it. */
  async listVisibleTo(customer: CustomerRef, search: string | undefined, skip: number, take: number): Promise<[RatePlanEntity[], number]> {
    const qb = this.api.assignablePlansQuery(this.manager, customer);
    const text = search?.trim();
    if (text) {
      qb.andWhere(
        new Brackets((w) => {
          w.where(`p.name LIKE :s ${LIKE_ESCAPE}`, { s: likeContains(text) }).orWhere(`p.description LIKE :s ${LIKE_ESCAPE}`, {
            s: likeContains(text),
          });
        }),
      );
    }
    return qb
      .orderBy(`CASE WHEN p.ownerCustomerId = :me THEN 0 ELSE 1 END`)
      .setParameter('me', customer.id)
      .addOrderBy('p.name', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .skip(skip)
      .take(take)
      .getManyAndCount();
  }

  isAssignableTo(em: EntityManager, customer: CustomerRef, planId: number): Promise<boolean> {
    return this.api
      .assignablePlansQuery(em, customer)
      .andWhere('p.id = :planId', { planId })
      .getCount()
      .then((n) => n > 0);
  }

  findCustomer(em: EntityManager, id: number): Promise<CustomerEntity | null> {
    return em.findOneBy(CustomerEntity, { id });
  }

  async findCustomers(em: EntityManager, ids: readonly number[]): Promise<CustomerEntity[]> {
    if (ids.length === 0) return [];
    return em.find(CustomerEntity, {
      where: { id: In([...ids]) },
      select: { id: true, parentId: true, path: true, ratePlanId: true, currency: true, reseller: true, deletedAt: true, name: true },
    });
  }

  /** Customers (deleted ones too: they can be undeleted) on this plan. */
  countCustomersUsing(em: EntityManager, planId: number): Promise<number> {
    return em.countBy(CustomerEntity, { ratePlanId: planId });
  }

  countPlansInheriting(em: EntityManager, planId: number): Promise<number> {
    return em.countBy(RatePlanEntity, { inheritsFromId: planId, deletedAt: IsNull() });
  }

  /** The customers that assigned this plan to their customers: the parents of the customers on it. */
  async assignersOf(em: EntityManager, planId: number): Promise<CustomerRef[]> {
    const rows = (await em
      .createQueryBuilder(CustomerEntity, 'c')
      .innerJoin(CustomerEntity, 'parent', 'parent.id = c.parentId')
      .select(['parent.id AS id', 'parent.parentId AS parentId', 'parent.path AS path'])
      .where('c.ratePlanId = :planId', { planId })
      .distinct(true)
      .getRawMany()) as { id: unknown; parentId: unknown; path: string }[];
    return rows.map((r) => ({ id: Number(r.id), parentId: r.parentId === null ? null : Number(r.parentId), path: r.path }));
  }

  /** Owners of the live plans inheriting from this plan. */
  async inheritorOwners(em: EntityManager, planId: number): Promise<{ planId: number; owner: CustomerRef }[]> {
    const rows = (await em
      .createQueryBuilder(RatePlanEntity, 'p')
      .innerJoin(CustomerEntity, 'o', 'o.id = p.ownerCustomerId')
      .select(['p.id AS planId', 'o.id AS id', 'o.parentId AS parentId', 'o.path AS path'])
      .where('p.inheritsFromId = :planId AND p.deletedAt IS NULL', { planId })
      .getRawMany()) as { planId: unknown; id: unknown; parentId: unknown; path: string }[];
    return rows.map((r) => ({
      planId: Number(r.planId),
      owner: { id: Number(r.id), parentId: r.parentId === null ? null : Number(r.parentId), path: r.path },
    }));
  }

  async inheritorCurrencies(em: EntityManager, planId: number): Promise<string[]> {
    const rows = await em.find(RatePlanEntity, {
      where: { inheritsFromId: planId, deletedAt: IsNull() },
      select: { id: true, currency: true },
    });
    return [...new Set(rows.map((r) => r.currency))];
  }

  settings(em: EntityManager = this.manager): Promise<SystemSettingsEntity | null> {
    return em.findOneBy(SystemSettingsEntity, { id: 1 });
  }

  exchangeRates(em: EntityManager, currencies: readonly string[]): Promise<ExchangeRateEntity[]> {
    if (currencies.length === 0) return Promise.resolve([]);
    return em.findBy(ExchangeRateEntity, { currency: In([...currencies]) });
  }

  /** A dial plan usable by `owner`: owned by it or by one of its ancestors. */
  async dialPlanUsableBy(em: EntityManager, dialPlanId: number, ownerPath: string): Promise<boolean> {
    const plan = await em.findOneBy(DialPlanEntity, { id: dialPlanId });
    return !!plan && ownerPath.split('/').filter(Boolean).map(Number).includes(plan.ownerCustomerId);
  }

  /** Dial plans `owner` may use: its own and its ancestors'. */
  dialPlansUsableBy(em: EntityManager, ownerPath: string): Promise<DialPlanEntity[]> {
    const ids = ownerPath.split('/').filter(Boolean).map(Number);
    return em.find(DialPlanEntity, { where: { ownerCustomerId: In(ids) }, order: { name: 'ASC' } });
  }

  async insert(em: EntityManager, row: Partial<RatePlanEntity>): Promise<RatePlanEntity> {
    return em.save(RatePlanEntity, em.create(RatePlanEntity, row));
  }

  async update(em: EntityManager, id: number, changes: Partial<RatePlanEntity>): Promise<void> {
    await em.update(RatePlanEntity, { id }, changes);
  }
}
