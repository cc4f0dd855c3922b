import { Brackets, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import type { CustomerRef } from '../../shared/customer-directory';
import { ancestorIds } from '../../shared/customer-directory';
import { RatePlanEntity } from './entities/rate-plan.entity';

/**
 * The rate-plans module's own reads of rate_plans that both RatePlansApi (which may depend on nothing but
 * kernel providers) and the module's services need. Module-private: other modules use RatePlansApi.
 */

/** The customer a plan list or sharing check is about: its id and its place in the tree. */
export type PlanOwner = Pick<CustomerRef, 'id' | 'parentId' | 'path'>;

/**
 * Live plans `owner` may assign to its customers: its own, those its parent shares with its children,
 * and those any ancestor shares recursively (alias `p`).
 */
export function assignablePlansQuery(em: EntityManager, owner: PlanOwner): SelectQueryBuilder<RatePlanEntity> {
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

/** Upper bound on inheritance depth followed (bad data must never hang a request). */
const MAX_CHAIN = 50;

/**
 * Loads the plans `ids` and every plan they inherit from (deleted ones too: a plan in use cannot be
 * deleted, so a chain is intact), following `inheritsFromId` until no new ids turn up, into `into`.
 * The one implementation of "a plan's ancestors".
 */
export async function loadPlansWithAncestors(
  em: EntityManager,
  ids: readonly number[],
  into: Map<number, RatePlanEntity> = new Map(),
): Promise<Map<number, RatePlanEntity>> {
  let wanted = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && !into.has(id));
  for (let guard = 0; wanted.length > 0 && guard < MAX_CHAIN; guard++) {
    const found = await em.findBy(RatePlanEntity, { id: In(wanted) });
    for (const p of found) into.set(p.id, p);
    wanted = [...new Set(found.map((p) => p.inheritsFromId).filter((id): id is number => id !== null && !into.has(id)))];
  }
  return into;
}
