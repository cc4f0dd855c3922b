import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../../shared/clock';
import { Money } from '../../shared/money';
import { CustomerEntity } from '../customers/entities/customer.entity';
import { PersonEntity } from '../identity/entities/person.entity';
import { hashSecret, randomPassword } from '../identity/secrets';
import { RatePlanEntity } from '../rate-plans/entities/rate-plan.entity';
import { SystemSettingsEntity } from './entities/system-settings.entity';

export const SYSTEM_OWNER_ID = 1;

/** What the first start created, for main.ts to print once. */
export interface FirstStartInfo {
  username: string;
  /** Only when it was generated here (not given by ADMIN_PASSWORD). */
  generatedPassword: string | null;
}

/**
 * On first start: the system settings row, the system owner (root of the tree), its administrator and
 * a default rate plan (so customers can be added at once). Idempotent: the settings row's primary key
 * makes a second instance starting at the same moment fail its insert and do nothing.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');
  firstStart: FirstStartInfo | null = null;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const password = this.config.adminPassword ?? randomPassword(16);
    const passwordHash = await hashSecret(password);
    const created = await this.tx.run(async (em): Promise<boolean> => {
      if (await em.findOneBy(SystemSettingsEntity, { id: 1 })) return false;
      const now = this.clock.now();
      const currency = this.config.systemCurrency;
      await em.insert(SystemSettingsEntity, {
        id: 1,
        customerPrefixes: false,
        regions: false,
        costPlanId: null,
        timezone: this.config.systemTimeZone,
        currency,
        csrfSecret: randomBytes(48).toString('base64url'),
        updatedAt: now,
      });
      const root = await em.save(CustomerEntity, {
        parentId: null,
        path: '/pending/',
        depth: 0,
        type: 'normal',
        name: 'System owner',
        description: null,
        email: 'admin@localhost',
        accountNumber: null,
        reseller: true,
        directory: false,
        prefix: null,
        timezone: this.config.systemTimeZone,
        billingType: 'none',
        paymentType: 'none',
        currency,
        creditLimit: Money.ZERO,
        lowBalanceThreshold: Money.ZERO,
        balance: Money.ZERO,
        createdAt: now,
        updatedAt: now,
      } as Partial<CustomerEntity>);
      await em.update(CustomerEntity, { id: root.id }, { path: `/${root.id}/` });
      const costPlan = await em.save(RatePlanEntity, {
        ownerCustomerId: root.id,
        name: 'Carrier costs',
        description: "Carriers' costs: the start of every markup chain",
        currency,
        sharing: 'private',
        precision: 6,
        createdAt: now,
        updatedAt: now,
      } as Partial<RatePlanEntity>);
      await em.save(RatePlanEntity, {
        ownerCustomerId: root.id,
        name: 'Default',
        description: 'Created on first start; edit or replace it',
        currency,
        sharing: 'recursive',
        precision: 4,
        billingPeriod: 'monthly',
        createdAt: now,
        updatedAt: now,
      } as Partial<RatePlanEntity>);
      await em.update(SystemSettingsEntity, { id: 1 }, { costPlanId: costPlan.id });
      await em.insert(PersonEntity, {
        customerId: root.id,
        username: this.config.adminUsername,
        displayName: 'Administrator',
        email: null,
        role: 'administrator',
        passwordHash,
        createdAt: now,
        updatedAt: now,
      });
      return true;
    }).catch((err: unknown) => {
      // Another instance starting at the same moment won the race for the settings row.
      if (isUniqueViolation(err)) return false;
      throw err;
    });
    if (created) {
      this.firstStart = { username: this.config.adminUsername, generatedPassword: this.config.adminPassword ? null : password };
      this.logger.log('first start: system owner and administrator created');
    }
  }
}
