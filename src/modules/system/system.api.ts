import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { NotFoundError } from '../../shared/errors';
import type { Money } from '../../shared/money';
import { DataSource } from 'typeorm';
import { AppSecrets } from '../../shared/app-secrets';
import { pathIds } from '../../shared/customer-directory';
import { Conversion, convertWithRate, RateTable } from './domain/exchange';
import type { DialPlanEntity } from './entities/dial-plan.entity';
import type { RegionEntity } from './entities/region.entity';
import type { SystemSettingsEntity } from './entities/system-settings.entity';
import { SystemRepository } from './system.repository';

/** The platform settings as other modules read them (the CSRF secret stays inside: see SystemSecrets). */
export type SystemSettings = Readonly<Omit<SystemSettingsEntity, 'csrfSecret'>>;

/** What other modules may ask of the system module. Pass the EntityManager of your transaction. */
@Injectable()
export class SystemApi {
  constructor(private readonly repo: SystemRepository) {}

  /** The settings row. */
  async settings(em?: EntityManager): Promise<SystemSettings> {
    const { csrfSecret: _secret, ...settings } = await this.repo.settings(em);
    return settings;
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

  /** Dial plans a customer (or a rate plan of a customer) at `customerPath` may use: its own and its ancestors', by name. */
  usableDialPlans(em: EntityManager, customerPath: string): Promise<DialPlanEntity[]> {
    return this.repo.dialPlansOwnedBy(em, pathIds(customerPath));
  }

  /** The regions, by name (whether regions are enabled is the caller's check: `settings().regions`). */
  regions(em: EntityManager): Promise<RegionEntity[]> {
    return this.repo.allRegions(em);
  }

  /**
   * The settings row of a first start, unless it exists. False when it does (or when another instance
   * starting at the same moment inserts it first: the caller's transaction then fails on its primary key).
   */
  async createSettings(em: EntityManager, initial: Pick<SystemSettingsEntity, 'timezone' | 'currency'> & { at: Date }): Promise<boolean> {
    if (await this.repo.settingsExist(em)) return false;
    await this.repo.insertSettings(em, {
      id: 1,
      customerPrefixes: false,
      regions: false,
      costPlanId: null,
      timezone: initial.timezone,
      currency: initial.currency,
      csrfSecret: randomBytes(48).toString('base64url'),
      updatedAt: initial.at,
    });
    return true;
  }

  /** The carriers' cost plan of the platform (set once by the first start, then in System settings). */
  async setCostPlan(em: EntityManager, planId: number): Promise<void> {
    await this.repo.updateSettings(em, { costPlanId: planId });
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

/** The kernel's AppSecrets, kept in the settings row (made by the first start). */
@Injectable()
export class SystemSecrets extends AppSecrets {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async csrfSecret(): Promise<string> {
    const rows = (await this.dataSource.query('SELECT csrf_secret FROM system_settings WHERE id = 1')) as { csrf_secret: string }[];
    if (!rows[0]) throw new Error('system_settings row missing: the application has not finished starting');
    return rows[0].csrf_secret;
  }
}
