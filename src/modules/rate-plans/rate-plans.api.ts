import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { hydrate, selectColumns } from '../../database/raw-entity';
import { NotFoundError } from '../../shared/errors';
import { RatePlanDirectory, type RatePlanRef } from '../../shared/rate-plan-directory';
import { PLATFORM_DEFAULTS, type StoredPlan } from './domain/plan-level-settings';
import { RatePlanEntity, type BillingPeriod, type Sharing } from './entities/rate-plan.entity';
import { assignablePlansQuery, loadPlansWithAncestors, type PlanOwner } from './plan-queries';
import { inheritanceChain, resolvePlanSettings, type EffectivePlanSettings } from './plan-settings';

export type { BillingPeriod, PlanOwner, Sharing };

/**
 * A rate plan as other modules read it: its identity, owner and currency, and the plan-level settings
 * (StoredPlan) that customers default to. Read only: plans are changed through the rate-plans module.
 */
export interface PlanRow extends StoredPlan {
  ownerCustomerId: number;
  name: string;
  description: string | null;
  currency: string;
  sharing: Sharing;
  /** Decimal places of call prices (null: inherited). */
  precision: number | null;
  billingPeriod: BillingPeriod | null;
  deletedAt: Date | null;
}

/** A plan a customer may assign (see RatePlansApi.findAssignablePlan and assignablePlanSql). */
export type AssignablePlan = PlanRow;

/**
 * The plan columns of a hand-written statement that reads a plan together with rows of its own (see
 * RatePlansApi.assignablePlanSql): `columns` for its select list, `read` for the plan back from a row.
 */
export interface AssignablePlanSql {
  /** The plan's columns, from the table aliased `alias`, each named `<prefix><column>`. */
  columns(alias: string, prefix: string): string;
  /** The plan read by `columns(…, prefix)`; null when no plan row was joined. */
  read(row: Record<string, unknown>, prefix: string): AssignablePlan | null;
}

/** The first-start plans (the cost plan, the default plan). */
export interface NewPlan {
  ownerCustomerId: number;
  name: string;
  description: string | null;
  currency: string;
  sharing: Sharing;
  precision: number | null;
  billingPeriod?: BillingPeriod | null;
  at: Date;
}

/**
 * What other modules may ask of rate plans. A plan can be assigned to the customers of `owner` when
 * `owner` owns it, when `owner`'s parent shares it with its children, or when any ancestor of `owner`
 * shares it recursively.
 *
 * Also the kernel port RatePlanDirectory (instantiated by the composition root's PortsModule too): it
 * must depend on nothing but kernel providers.
 */
@Injectable()
export class RatePlansApi extends RatePlanDirectory {
  // ---- RatePlanDirectory ------------------------------------------------------------------------

  /** A plan by id (deleted ones too), or null. */
  async findPlan(em: EntityManager, planId: number): Promise<RatePlanRef | null> {
    if (!Number.isSafeInteger(planId) || planId < 1) return null;
    const p = await em.findOneBy(RatePlanEntity, { id: planId });
    return p ? toRef(p) : null;
  }

  /** How many plans (deleted ones too) use the dial plan. */
  countUsingDialPlan(em: EntityManager, dialPlanId: number): Promise<number> {
    return em.countBy(RatePlanEntity, { dialPlanId });
  }

  // ---- assignment -------------------------------------------------------------------------------

  /** Plans `owner` may assign to its customers, own plans first, then by name. */
  listAssignablePlans(em: EntityManager, owner: PlanOwner): Promise<PlanRow[]> {
    return assignablePlansQuery(em, owner).orderBy('p.ownerCustomerId', 'DESC').addOrderBy('p.name', 'ASC').getMany();
  }

  async planCallLimit(em: EntityManager, planId: number): Promise<number | 'unlimited'> {
    return (await this.effectivePlanSettings(em, planId))?.maxConcurrentCalls ?? PLATFORM_DEFAULTS.maxConcurrentCalls;
  }

  /** Live plans owned by the customer, by name (for example the system owner's, to pick the cost plan from). */
  async plansOwnedBy(em: EntityManager, ownerCustomerId: number): Promise<RatePlanRef[]> {
    const rows = await em.find(RatePlanEntity, {
      where: { ownerCustomerId, deletedAt: IsNull() },
      order: { name: 'ASC', id: 'ASC' },
    });
    return rows.map(toRef);
  }

  /**
   * The rule of `listAssignablePlans` as one SQL condition on the plan row `plan` and the owner's
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

  /**
   * Reading a plan inside a statement of another module (join `rate_plans` under an alias, with
   * `assignableCondition`): the select list of its columns, and the plan back from a result row.
   */
  assignablePlanSql(em: EntityManager): AssignablePlanSql {
    const ds = em.connection;
    return {
      columns: (alias, prefix) => selectColumns(ds, RatePlanEntity, alias, prefix),
      read: (row, prefix) => hydrate(ds, RatePlanEntity, row, prefix),
    };
  }

  /** The plan if `owner` may assign it; otherwise 404 (the plan is invisible to that branch). */
  async findAssignablePlan(em: EntityManager, owner: PlanOwner, planId: number): Promise<PlanRow> {
    if (!Number.isSafeInteger(planId) || planId < 1) throw new NotFoundError('rate plan');
    const plan = await assignablePlansQuery(em, owner).andWhere('p.id = :planId', { planId }).getOne();
    if (!plan) throw new NotFoundError('rate plan');
    return plan;
  }

  // ---- settings ---------------------------------------------------------------------------------

  /**
   * The plans `planIds` and every plan they inherit from (deleted ones too), by id: follows
   * `inheritsFromId` until no new ids turn up. Unknown ids are left out.
   */
  plansWithAncestors(em: EntityManager, planIds: readonly number[]): Promise<Map<number, PlanRow>> {
    return loadPlansWithAncestors(em, planIds);
  }

  /**
   * The plan's settings in force (fees, included seconds, billing period, due/overdue days, contract,
   * markups and the customer-setting defaults), resolved through `inheritsFromId` and the platform
   * defaults. Null for an unknown plan. Deleted plans are resolved too (old invoices may refer to them).
   */
  async effectivePlanSettings(em: EntityManager, planId: number): Promise<EffectivePlanSettings | null> {
    const plans = await loadPlansWithAncestors(em, [planId]);
    const plan = plans.get(planId);
    return plan ? resolvePlanSettings(inheritanceChain(plan, plans)) : null;
  }

  /** The settings in force for a customer on `planId`: the platform defaults without a plan (or an unknown one). */
  async planSettingsOrDefaults(em: EntityManager, planId: number | null): Promise<EffectivePlanSettings> {
    return (planId === null ? null : await this.effectivePlanSettings(em, planId)) ?? resolvePlanSettings([]);
  }

  // ---- first start ------------------------------------------------------------------------------

  /** Inserts a plan (the first start's cost and default plans); its id. */
  async createPlan(em: EntityManager, row: NewPlan): Promise<number> {
    const { at, ...fields } = row;
    const saved = await em.save(
      RatePlanEntity,
      em.create(RatePlanEntity, {
        ...fields,
        billingPeriod: fields.billingPeriod ?? null,
        inheritsFromId: null,
        ratesVersion: 0,
        deletedAt: null,
        createdAt: at,
        updatedAt: at,
      }),
    );
    return saved.id;
  }
}

function toRef(p: RatePlanEntity): RatePlanRef {
  return { id: p.id, ownerCustomerId: p.ownerCustomerId, name: p.name, currency: p.currency, deleted: p.deletedAt !== null };
}

/** The rating engine for call control (billing). */
export { NoRateError, normaliseNumber, RatingService, type RatedCall, type RatedLevel } from './rating.service';
