import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, IsNull } from 'typeorm';
import { NotFoundError } from '../../shared/errors';
import { ancestorIds } from '../../shared/tenancy';
import type { CustomerEntity } from '../customers/entities/customer.entity';
import { RatePlanEntity } from './entities/rate-plan.entity';
import { inheritanceChain, resolvePlanSettings, type EffectivePlanSettings } from './plan-settings';

/**
 * What other modules may ask of rate plans. A plan can be assigned to the customers of `owner` when
 * `owner` owns it, when `owner`'s parent shares it with its children, or when any ancestor of `owner`
 * shares it recursively.
 */
@Injectable()
export class RatePlansApi {
  /** Plans `owner` may assign to its customers, own plans first. */
  assignablePlansQuery(em: EntityManager, owner: Pick<CustomerEntity, 'id' | 'parentId' | 'path'>) {
    const ancestors = ancestorIds(owner.path);
    return em
      .createQueryBuilder(RatePlanEntity, 'p')
      .where('p.deletedAt IS NULL')
      .andWhere(
        new Brackets((w) => {
          w.where('p.ownerCustomerId = :own', { own: owner.id });
          if (owner.parentId !== null) {
            w.orWhere("(p.sharing = 'children' AND p.ownerCustomerId = :parent)", { parent: owner.parentId });
          }
          if (ancestors.length) w.orWhere("(p.sharing = 'recursive' AND p.ownerCustomerId IN (:...ancestors))", { ancestors });
        }),
      );
  }

  listAssignablePlans(em: EntityManager, owner: Pick<CustomerEntity, 'id' | 'parentId' | 'path'>): Promise<RatePlanEntity[]> {
    return this.assignablePlansQuery(em, owner).orderBy('p.ownerCustomerId', 'DESC').addOrderBy('p.name', 'ASC').getMany();
  }

  /**
   * The rule of `assignablePlansQuery` as one SQL condition on the plan row `plan` and the owner's
   * customer row `owner` (its ancestors are the ids in its path), for statements that read the plan
   * together with the owner. Tests check that both forms agree for every sharing mode and level.
   */
  assignableCondition(plan: string, owner: string): string {
    return (
      `${plan}.deleted_at IS NULL AND (${plan}.owner_customer_id = ${owner}.id` +
      ` OR (${plan}.sharing = 'children' AND ${plan}.owner_customer_id = ${owner}.parent_id)` +
      ` OR (${plan}.sharing = 'recursive' AND ${owner}.path LIKE CONCAT('%/', ${plan}.owner_customer_id, '/%')))`
    );
  }

  /** The plan if `owner` may assign it; otherwise 404 (the plan is invisible to that branch). */
  async findAssignablePlan(
    em: EntityManager,
    owner: Pick<CustomerEntity, 'id' | 'parentId' | 'path'>,
    planId: number,
  ): Promise<RatePlanEntity> {
    if (!Number.isSafeInteger(planId) || planId < 1) throw new NotFoundError('rate plan');
    const plan = await this.assignablePlansQuery(em, owner).andWhere('p.id = :planId', { planId }).getOne();
    if (!plan) throw new NotFoundError('rate plan');
    return plan;
  }

  findPlan(em: EntityManager, planId: number): Promise<RatePlanEntity | null> {
    return em.findOneBy(RatePlanEntity, { id: planId, deletedAt: IsNull() });
  }

  /**
   * The plan's settings in force (fees, included seconds, billing period, due/overdue days, contract,
   * markups and the customer-setting defaults), resolved through `inheritsFromId` and the platform
   * defaults. Null for an unknown plan. Deleted plans are resolved too (old invoices may refer to them).
   */
  async effectivePlanSettings(em: EntityManager, planId: number): Promise<EffectivePlanSettings | null> {
    const plans = new Map<number, RatePlanEntity>();
    let id: number | null = planId;
    while (id !== null && !plans.has(id)) {
      const plan: RatePlanEntity | null = await em.findOneBy(RatePlanEntity, { id });
      if (!plan) break;
      plans.set(plan.id, plan);
      id = plan.inheritsFromId;
    }
    const plan = plans.get(planId);
    return plan ? resolvePlanSettings(inheritanceChain(plan, plans)) : null;
  }
}
