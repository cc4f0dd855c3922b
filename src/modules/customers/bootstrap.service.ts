import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { isUniqueViolation, TransactionRunner } from '../../database/transaction-runner';
import { Clock } from '../../shared/clock';
import { Money } from '../../shared/money';
import { hashSecret, randomPassword } from '../../shared/secrets';
import { IdentityApi } from '../identity/identity.api';
import { RatePlansApi } from '../rate-plans/rate-plans.api';
import { SystemApi } from '../system/system.api';
import { CustomersRepository } from './customers.repository';
import type { CustomerEntity } from './entities/customer.entity';

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
    private readonly repo: CustomersRepository,
    private readonly system: SystemApi,
    private readonly ratePlans: RatePlansApi,
    private readonly identity: IdentityApi,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const password = this.config.adminPassword ?? randomPassword(16);
    const passwordHash = await hashSecret(password);
    const created = await this.tx
      .run(async (em): Promise<boolean> => {
        const now = this.clock.now();
        const currency = this.config.systemCurrency;
        if (!(await this.system.createSettings(em, { timezone: this.config.systemTimeZone, currency, at: now }))) return false;
        const rootId = await this.repo.insertCustomer(em, {
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
          createdAt: now,
          updatedAt: now,
        } as Partial<CustomerEntity>);
        await this.repo.setPath(em, rootId, `/${rootId}/`);
        const plan = { ownerCustomerId: rootId, currency, at: now };
        const costPlanId = await this.ratePlans.createPlan(em, {
          ...plan,
          name: 'Carrier costs',
          description: "Carriers' costs: the start of every markup chain",
          sharing: 'private',
          precision: 6,
        });
        await this.ratePlans.createPlan(em, {
          ...plan,
          name: 'Default',
          description: 'Created on first start; edit or replace it',
          sharing: 'recursive',
          precision: 4,
          billingPeriod: 'monthly',
        });
        await this.system.setCostPlan(em, costPlanId);
        await this.identity.createPerson(em, {
          customerId: rootId,
          username: this.config.adminUsername,
          displayName: 'Administrator',
          email: null,
          role: 'administrator',
          passwordHash,
          at: now,
        });
        return true;
      })
      .catch((err: unknown) => {
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
