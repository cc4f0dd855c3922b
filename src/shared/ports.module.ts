import { DynamicModule, Module, Type } from '@nestjs/common';
import { AppSecrets } from './app-secrets';
import { BalanceDirectory } from './balance-directory';
import { CustomerDirectory } from './customer-directory';
import { RatePlanDirectory } from './rate-plan-directory';

/**
 * Binds the kernel's ports to the modules that implement them. Called once, by the composition root
 * (app.module.ts): a module low in the layering (identity, telephony, the page machinery) injects the
 * abstract class, and never imports the higher module that answers it.
 *
 * The implementations may depend only on kernel providers (DataSource, Clock, ...): they are
 * instantiated here, outside their own module.
 */
@Module({})
export class PortsModule {
  static forRoot(ports: {
    customerDirectory: Type<CustomerDirectory>;
    ratePlanDirectory: Type<RatePlanDirectory>;
    appSecrets: Type<AppSecrets>;
    balanceDirectory: Type<BalanceDirectory>;
  }): DynamicModule {
    return {
      module: PortsModule,
      global: true,
      providers: [
        { provide: CustomerDirectory, useClass: ports.customerDirectory },
        { provide: RatePlanDirectory, useClass: ports.ratePlanDirectory },
        { provide: AppSecrets, useClass: ports.appSecrets },
        { provide: BalanceDirectory, useClass: ports.balanceDirectory },
      ],
      exports: [CustomerDirectory, RatePlanDirectory, AppSecrets, BalanceDirectory],
    };
  }
}
