import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { SortOrder } from '../../shared/http/list-query';
import type { ExchangeRateSort, NamedSort } from './dto/system.dto';
import { DialPlanEntity } from './entities/dial-plan.entity';
import { ExchangeRateEntity } from './entities/exchange-rate.entity';
import { RegionEntity } from './entities/region.entity';
import { SystemSettingsEntity } from './entities/system-settings.entity';

/** The only place the system module touches TypeORM. Methods take the EntityManager of the caller's transaction. */
@Injectable()
export class SystemRepository {
  constructor(private readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  // ---- settings
  async settings(em: EntityManager = this.manager): Promise<SystemSettingsEntity> {
    const row = await em.findOneBy(SystemSettingsEntity, { id: 1 });
    if (!row) throw new Error('system_settings row missing: the bootstrap did not run');
    return row;
  }
  async updateSettings(em: EntityManager, changes: Partial<SystemSettingsEntity>): Promise<void> {
    await em.update(SystemSettingsEntity, { id: 1 }, changes);
  }
  async settingsExist(em: EntityManager): Promise<boolean> {
    return (await em.countBy(SystemSettingsEntity, { id: 1 })) > 0;
  }
  async insertSettings(em: EntityManager, row: SystemSettingsEntity): Promise<void> {
    await em.insert(SystemSettingsEntity, row);
  }

  // ---- regions
  async listRegions(skip: number, take: number, sort?: SortOrder<NamedSort>): Promise<[RegionEntity[], number]> {
    const dir = sort?.descending ? 'DESC' : 'ASC';
    return this.manager.findAndCount(RegionEntity, { order: { [sort?.column ?? 'name']: dir, id: dir }, skip, take });
  }
  findRegion(em: EntityManager, id: number): Promise<RegionEntity | null> {
    return em.findOneBy(RegionEntity, { id });
  }
  /** Case-insensitive on both databases (MariaDB's collation already is; SQLite's is not). */
  async regionNameTaken(em: EntityManager, name: string, exceptId: number | null): Promise<boolean> {
    const qb = em.createQueryBuilder(RegionEntity, 'r').where('LOWER(r.name) = LOWER(:name)', { name });
    if (exceptId !== null) qb.andWhere('r.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }
  async insertRegion(em: EntityManager, row: Omit<RegionEntity, 'id'>): Promise<RegionEntity> {
    return em.save(RegionEntity, row);
  }
  async updateRegion(em: EntityManager, id: number, changes: Partial<RegionEntity>): Promise<void> {
    await em.update(RegionEntity, { id }, changes);
  }
  async deleteRegion(em: EntityManager, id: number): Promise<void> {
    await em.delete(RegionEntity, { id });
  }
  allRegions(em: EntityManager): Promise<RegionEntity[]> {
    return em.find(RegionEntity, { order: { name: 'ASC' } });
  }

  // ---- dial plans
  async listDialPlans(ownerIds: number[], skip: number, take: number, sort?: SortOrder<NamedSort>): Promise<[DialPlanEntity[], number]> {
    const dir = sort?.descending ? 'DESC' : 'ASC';
    return this.manager.findAndCount(DialPlanEntity, {
      where: { ownerCustomerId: In(ownerIds) },
      order: { [sort?.column ?? 'name']: dir, id: dir },
      skip,
      take,
    });
  }
  findDialPlan(em: EntityManager, id: number): Promise<DialPlanEntity | null> {
    return em.findOneBy(DialPlanEntity, { id });
  }
  async dialPlanNameTaken(em: EntityManager, ownerCustomerId: number, name: string, exceptId: number | null): Promise<boolean> {
    const qb = em
      .createQueryBuilder(DialPlanEntity, 'd')
      .where('d.ownerCustomerId = :ownerCustomerId', { ownerCustomerId })
      .andWhere('LOWER(d.name) = LOWER(:name)', { name });
    if (exceptId !== null) qb.andWhere('d.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }
  async insertDialPlan(em: EntityManager, row: Omit<DialPlanEntity, 'id'>): Promise<DialPlanEntity> {
    return em.save(DialPlanEntity, row);
  }
  async updateDialPlan(em: EntityManager, id: number, changes: Partial<DialPlanEntity>): Promise<void> {
    await em.update(DialPlanEntity, { id }, changes);
  }
  async deleteDialPlan(em: EntityManager, id: number): Promise<void> {
    await em.delete(DialPlanEntity, { id });
  }
  /** Dial plans of the given owners, by name then id. */
  dialPlansOwnedBy(em: EntityManager, ownerIds: number[]): Promise<DialPlanEntity[]> {
    return em.find(DialPlanEntity, { where: { ownerCustomerId: In(ownerIds) }, order: { name: 'ASC', id: 'ASC' } });
  }

  // ---- exchange rates
  async listExchangeRates(
    currency: string | undefined,
    skip: number,
    take: number,
    sort?: SortOrder<ExchangeRateSort>,
  ): Promise<[ExchangeRateEntity[], number]> {
    const dir = sort?.descending ? 'DESC' : 'ASC';
    return this.manager.findAndCount(ExchangeRateEntity, {
      where: currency ? { currency } : {},
      order: sort ? { [sort.column]: dir, id: dir } : { validFrom: 'DESC', currency: 'ASC', id: 'DESC' },
      skip,
      take,
    });
  }
  findExchangeRate(em: EntityManager, id: number): Promise<ExchangeRateEntity | null> {
    return em.findOneBy(ExchangeRateEntity, { id });
  }
  findExchangeRateAt(em: EntityManager, currency: string, validFrom: Date): Promise<ExchangeRateEntity | null> {
    return em.findOneBy(ExchangeRateEntity, { currency, validFrom });
  }
  async insertExchangeRate(em: EntityManager, row: Omit<ExchangeRateEntity, 'id'>): Promise<ExchangeRateEntity> {
    return em.save(ExchangeRateEntity, row);
  }
  async deleteExchangeRate(em: EntityManager, id: number): Promise<void> {
    await em.delete(ExchangeRateEntity, { id });
  }
  countExchangeRates(em: EntityManager): Promise<number> {
    return em.count(ExchangeRateEntity);
  }
  /** Every row of the given currencies that is in force at or before `at` (a small table). */
  exchangeRatesUpTo(em: EntityManager, currencies: string[], at: Date): Promise<ExchangeRateEntity[]> {
    if (!currencies.length) return Promise.resolve([]);
    return em
      .createQueryBuilder(ExchangeRateEntity, 'x')
      .where('x.currency IN (:...currencies)', { currencies })
      .andWhere('x.validFrom <= :at', { at })
      .getMany();
  }
}
