import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotFoundError } from '../../shared/errors';
import type { Money } from '../../shared/money';
import { pathIds } from '../../shared/tenancy';
import { Conversion, convertWithRate, RateTable } from './domain/exchange';
import type { DialPlanEntity } from './entities/dial-plan.entity';
import type { RegionEntity } from './entities/region.entity';
import type { SystemSettingsEntity } from './entities/system-settings.entity';
import { SystemRepository } from './system.repository';

/** What other modules may ask of the system module. Pass the EntityManager of your transaction. */
@Injectable()
export class SystemApi {
  constructor(private readonly repo: SystemRepository) {}

  /** The settings row (contains the CSRF secret: never send it anywhere). */
  settings(em?: EntityManager): Promise<SystemSettingsEntity> {
    return this.repo.settings(em);
  }

  /** The region, or 404. (Whether regions are enabled is the caller's check: `settings().regions`.) */
  async findRegion(em: EntityManager, regionId: number): Promise<RegionEntity> {
    const row = Number.isSafeInteger(regionId) && regionId > 0 ? await this.repo.findRegion(em, regionId) : null;
    if (!row) throw new NotFoundError('region');
    return row;
  }

  /**
   * A dial plan a customer (or a rate plan of a customer) at `customerPath` may use: one owned by that
   * customer or by one of its ancestors. Anything else answers 404.
   */
  async findUsableDialPlan(em: EntityManager, customerPath: string, dialPlanId: number): Promise<DialPlanEntity> {
    const row = Number.isSafeInteger(dialPlanId) && dialPlanId > 0 ? await this.repo.findDialPlan(em, dialPlanId) : null;
    if (!row || !pathIds(customerPath).includes(row.ownerCustomerId)) throw new NotFoundError('dial plan');
    return row;
  }

  /** The rates of the given currencies in force up to `at` (for `convert` in domain/exchange.ts). */
  async rateTable(em: EntityManager, currencies: string[], at: Date): Promise<RateTable> {
    const settings = await this.repo.settings(em);
    const wanted = [...new Set(currencies.filter((c) => c !== settings.currency))];
    const rows = await this.repo.exchangeRatesUpTo(em, wanted, at);
    return { systemCurrency: settings.currency, rows };
  }

  /**
   * Converts at the rates in force at `at` (throws NoExchangeRateError, a 422, when a rate is missing).
   * Keep `fromRate`/`toRate` on the transaction you record.
   */
  async convert(em: EntityManager, amount: Money, from: string, to: string, at: Date): Promise<Conversion> {
    if (from === to) return convertWithRate(amount, from, to, { systemCurrency: from, rows: [] }, at);
    return convertWithRate(amount, from, to, await this.rateTable(em, [from, to], at), at);
  }
}
