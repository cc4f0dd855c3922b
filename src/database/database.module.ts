import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { dataSourceOptions, detectDatabaseFlavour } from './data-source-options';
import { TransactionRunner } from './transaction-runner';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule],
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => ({
        ...dataSourceOptions(await detectDatabaseFlavour(config.database)),
        // Migrations run on every start (API.md); they are idempotent and ordered.
        migrationsRun: true,
      }),
    }),
  ],
  providers: [TransactionRunner],
  exports: [TransactionRunner],
})
export class DatabaseModule {}
