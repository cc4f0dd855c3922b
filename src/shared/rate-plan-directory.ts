import type { EntityManager } from 'typeorm';

/** What a module below rate plans may know about a rate plan, by id. */
export interface RatePlanRef {
  id: number;
  ownerCustomerId: number;
  name: string;
  currency: string;
  deleted: boolean;
}

/**
 * Rate plans as the modules below rate-plans see them (system settings name the carriers' cost plan;
 * a dial plan may not be deleted while plans use it). Declared in the kernel, implemented by the
 * rate-plans module (RatePlansApi), bound by the composition root.
 */
export abstract class RatePlanDirectory {
  /** A plan by id (deleted ones too), or null. */
  abstract findPlan(em: EntityManager, id: number): Promise<RatePlanRef | null>;
  /** The live plans a customer owns, by name. */
  abstract plansOwnedBy(em: EntityManager, customerId: number): Promise<RatePlanRef[]>;
  /** The concurrent-call limit a plan sets, through its inheritance, else the platform default (unlimited). */
  abstract planCallLimit(em: EntityManager, planId: number): Promise<number | 'unlimited'>;
  /** How many plans (deleted ones too) use the dial plan. */
  abstract countUsingDialPlan(em: EntityManager, dialPlanId: number): Promise<number>;
}
