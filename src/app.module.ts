import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { loadConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AdminModule } from './modules/admin/admin.module';
import { CustomersModule } from './modules/customers/customers.module';
import { IdentityModule } from './modules/identity/identity.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { RatePlansModule } from './modules/rate-plans/rate-plans.module';
import { TelephonyModule } from './modules/telephony/telephony.module';
import { SystemModule } from './modules/system/system.module';
import { SharedModule } from './shared/shared.module';
import { JobsModule } from './shared/jobs/jobs.module';

@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRoot({
      pinoHttp: {
        level: loadConfig().logLevel,
        // Never log credentials.
        redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        autoLogging: { ignore: (req) => req.url === '/health' },
      },
    }),
    ScheduleModule.forRoot(),
    DatabaseModule,
    SharedModule,
    JobsModule,
    NotificationsModule,
    SystemModule,
    IdentityModule,
    RatePlansModule,
    TelephonyModule,
    CustomersModule,
    AdminModule,
  ],
})
export class AppModule {}
