import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../../database/transaction-runner';
import { AuditService } from '../../shared/audit.service';
import { Clock } from '../../shared/clock';
import { ConflictError, type FieldError, NotFoundError } from '../../shared/errors';
import { FieldProblems } from '../../shared/field-problems';
import { RatePlanDirectory } from '../../shared/rate-plan-directory';
import type { Scope } from '../../shared/scope';
import { SystemSettingsDto, UpdateSystemSettingsDto } from './dto/system.dto';
import { SystemSettingsEntity } from './entities/system-settings.entity';
import { assertSystemOwnerAdmin, SYSTEM_OWNER_ID } from '../../shared/system-owner';
import { SystemRepository } from './system.repository';

export const toSettingsDto = (s: SystemSettingsEntity): SystemSettingsDto => ({
  customerPrefixes: s.customerPrefixes,
  regions: s.regions,
  costPlanId: s.costPlanId,
  timezone: s.timezone,
  currency: s.currency,
  updatedAt: s.updatedAt.toISOString(),
});

const FIELDS = ['customerPrefixes', 'regions', 'costPlanId', 'timezone', 'currency'] as const;

@Injectable()
export class SystemSettingsService {
  constructor(
    private readonly repo: SystemRepository,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly ratePlans: RatePlanDirectory,
  ) {}

  /** Any logged-in person may read them (pages need the flags); the CSRF secret is never part of it. */
  async get(_scope: Scope): Promise<SystemSettingsDto> {
    return toSettingsDto(await this.repo.settings());
  }

  /**
   * Turning `customerPrefixes` or `regions` off does not clear the values customers already have: they
   * are kept (and shown) but new ones are refused until the setting is on again.
   */
  /** Changes the settings; `earlier`: the request's format problems, answered with the checks below at once. */
  async update(scope: Scope, dto: UpdateSystemSettingsDto, earlier: readonly FieldError[] = []): Promise<SystemSettingsDto> {
    assertSystemOwnerAdmin(scope);
    const problems = new FieldProblems(earlier);
    return this.tx.run(async (em) => {
      const current = await this.repo.settings(em);
      if (dto.costPlanId !== undefined && dto.costPlanId !== current.costPlanId) {
        const plan = await this.ratePlans.findPlan(em, dto.costPlanId);
        // A plan of another customer is treated as not existing, like everywhere else.
        if (!plan || plan.deleted || plan.ownerCustomerId !== SYSTEM_OWNER_ID) {
          problems.addError(new NotFoundError('rate plan'), 'costPlanId', 'is not a rate plan of the system owner');
        }
      }
      if (dto.currency !== undefined && dto.currency !== current.currency && (await this.repo.countExchangeRates(em)) > 0) {
        const message = 'exchange rates are expressed in the system currency: delete them before changing it';
        problems.addError(ConflictError.field('currency', message, 'in_use'), 'currency');
      }
      problems.throwIfAny();
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const patch: Partial<SystemSettingsEntity> = {};
      for (const f of FIELDS) {
        const value = dto[f];
        if (value === undefined || value === current[f]) continue;
        changes[f] = { from: current[f], to: value };
        (patch as Record<string, unknown>)[f] = value;
      }
      if (Object.keys(changes).length) {
        patch.updatedAt = this.clock.now();
        await this.repo.updateSettings(em, patch);
        await this.audit.record(
          scope,
          {
            action: 'system_settings_updated',
            entityType: 'system_settings',
            entityId: 1,
            customerId: SYSTEM_OWNER_ID,
            details: { changes },
          },
          em,
        );
      }
      return toSettingsDto(await this.repo.settings(em));
    });
  }
}
