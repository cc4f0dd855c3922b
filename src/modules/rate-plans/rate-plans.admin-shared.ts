import { ForbiddenError } from '../../shared/errors';
import type { Scope } from '../../shared/scope';
import type { RatePlanDto } from './dto/rate-plan.dto';
import type { RatePlansService } from './rate-plans.service';

/** What the rate-plan admin pages (plans, rates and deck import, price lookup) share. */

/** The options of a select: each value as a string, with its label. */
export const opts = (values: readonly (string | number)[], label: (v: string) => string = (v) => v) =>
  values.map((v) => ({ value: String(v), label: label(String(v)) }));

export function assertAdministrator(scope: Scope): void {
  if (scope.role !== 'administrator') throw new ForbiddenError('administrators only');
}

/** The plan if the acting customer may change it; a plan shared with it by its owner is a 403 page. */
export async function editablePlan(plans: RatePlansService, scope: Scope, id: number): Promise<RatePlanDto> {
  const p = await plans.get(scope, id);
  if (!p.editable)
    throw new ForbiddenError('this rate plan is shared with you by its owner: you can assign it to your customers but not change it');
  return p;
}
