import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager, IsNull } from 'typeorm';
import { CustomerDirectory, type CustomerRef } from '../../shared/customer-directory';
import { NotFoundError } from '../../shared/errors';
import type { SortOrder } from '../../shared/http/list-query';
import { LIKE_ESCAPE, likeContains } from '../../shared/pagination';
import type { RatePlanSort } from './dto/rate-plan.dto';
import { SystemApi } from '../system/system.api';
import { RatePlanEntity } from './entities/rate-plan.entity';
import { assignablePlansQuery, loadPlansWithAncestors, type PlanOwner } from './plan-queries';

/**
 * The only place that touches rate_plans; the few foreign things plans depend on (customers, system
 * settings, dial plans) it asks of their modules (CustomerDirectory, SystemApi).
 */
@Injectable()
export class RatePlansRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerDirectory,
    private readonly system: SystemApi,
  ) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  findLive(em: EntityManager, id: number): Promise<RatePlanEntity | null> {
    if (!Number.isSafeInteger(id) || id < 1) return Promise.resolve(null);
    return em.findOneBy(RatePlanEntity, { id, deletedAt: IsNull() });
  }

  /** Loads `ids` and every plan they inherit from, into `into` (by id). */
  loadWithAncestors(
    em: EntityManager,
    ids: readonly number[],
    into: Map<number, RatePlanEntity> = new Map(),
  ): Promise<Map<number, RatePlanEntity>> {
    return loadPlansWithAncestors(em, ids, into);
  }

  /** Plans the customer may see in its list: its own and those shared with it. */
  /**
   * The plans `customer` may assign (own and shared with it): by default its own first, then by name; or
   * by `filter.sort` (ties by id).
   */
  async listVisibleTo(
    customer: PlanOwner,
    search: string | undefined,
    skip: number,
    take: number,
    filter: { sharing?: string; currency?: string; sort?: SortOrder<RatePlanSort> } = {},
  ): Promise<[RatePlanEntity[], number]> {
    const qb = assignablePlansQuery(this.manager, customer);
    if (filter.sharing) qb.andWhere('p.sharing = :sharing', { sharing: filter.sharing });
    if (filter.currency) qb.andWhere('p.currency = :currency', { currency: filter.currency });
    if (filter.sort) {
      const dir = filter.sort.descending ? 'DESC' : 'ASC';
      qb.orderBy(`p.${filter.sort.column}`, dir).addOrderBy('p.id', dir);
    } else {
      qb.orderBy(`CASE WHEN p.ownerCustomerId = :me THEN 0 ELSE 1 END`).setParameter('me', customer.id).addOrderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC');
    }
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
    return qb.skip(skip).take(take).getManyAndCount();
  }

  isAssignableTo(em: EntityManager, customer: PlanOwner, planId: number): Promise<boolean> {
    return assignablePlansQuery(em, customer)
      .andWhere('p.id = :planId', { planId })
      .getCount()
      .then((n) => n > 0);
  }

  findCustomer(em: EntityManager, id: number): Promise<CustomerRef | null> {
    return this.customers.find(em, id);
  }

  /** Customers by id (deleted ones too); unknown ids are left out. */
  findCustomers(em: EntityManager, ids: readonly number[]): Promise<Map<number, CustomerRef>> {
    return this.customers.findMany(em, [...new Set(ids)]);
  }

  /** Customers (deleted ones too: they can be undeleted) on this plan. */
  countCustomersUsing(em: EntityManager, planId: number): Promise<number> {
    return this.customers.countUsing(em, 'ratePlan', planId);
  }

  countPlansInheriting(em: EntityManager, planId: number): Promise<number> {
    return em.countBy(RatePlanEntity, { inheritsFromId: planId, deletedAt: IsNull() });
  }

  /** The customers that assigned this plan to their customers: the parents of the customers on it. */
  assignersOf(em: EntityManager, planId: number): Promise<PlanOwner[]> {
    return this.customers.assignersOfRatePlan(em, planId);
  }

  /** Owners of the live plans inheriting from this plan. */
  async inheritorOwners(em: EntityManager, planId: number): Promise<{ planId: number; owner: PlanOwner }[]> {
    const plans = await em.find(RatePlanEntity, {
      where: { inheritsFromId: planId, deletedAt: IsNull() },
      select: { id: true, ownerCustomerId: true },
    });
    const owners = await this.findCustomers(
      em,
      plans.map((p) => p.ownerCustomerId),
    );
    return plans.flatMap((p) => {
      const owner = owners.get(p.ownerCustomerId);
      return owner ? [{ planId: p.id, owner }] : [];
    });
  }

  async inheritorCurrencies(em: EntityManager, planId: number): Promise<string[]> {
    const rows = await em.find(RatePlanEntity, {
      where: { inheritsFromId: planId, deletedAt: IsNull() },
      select: { id: true, currency: true },
    });
    return [...new Set(rows.map((r) => r.currency))];
  }

  /** The system settings (cost plan, system currency and time zone). */
  settings(em: EntityManager = this.manager) {
    return this.system.settings(em);
  }

  /** A dial plan usable by `owner`: owned by it or by one of its ancestors. */
  async dialPlanUsableBy(em: EntityManager, dialPlanId: number, ownerPath: string): Promise<boolean> {
    try {
      await this.system.findUsableDialPlan(em, ownerPath, dialPlanId);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** Dial plans `owner` may use: its own and its ancestors', by name. */
  dialPlansUsableBy(em: EntityManager, ownerPath: string) {
    return this.system.usableDialPlans(em, ownerPath);
  }

  async insert(em: EntityManager, row: Partial<RatePlanEntity>): Promise<RatePlanEntity> {
    return em.save(RatePlanEntity, em.create(RatePlanEntity, row));
  }

  async update(em: EntityManager, id: number, changes: Partial<RatePlanEntity>): Promise<void> {
    await em.update(RatePlanEntity, { id }, changes);
  }
}
