import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { handlebarsEngine } from './modules/admin/admin.api';
import { DomainExceptionFilter } from './shared/http/domain-exception.filter';
import { createValidationPipe } from './shared/http/validation.pipe';
import { setupOpenApi } from './openapi';
import { TEMPLATES_DIR, PROJECT_ROOT } from './shared/paths';

/** Body size limit for JSON and forms; rate-deck uploads have their own, larger limit. */
export const JSON_BODY_LIMIT = '1mb';

/** Builds the whole application (used by main.ts and by the e2e tests, so both run the same thing). */
export async function createApp(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  configureApp(app);
  return app;
}

export function configureApp(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: JSON_BODY_LIMIT }));
  app.use(express.urlencoded({ extended: true, limit: JSON_BODY_LIMIT }));
  app.use(cookieParser());
  app.use((_req: express.Request, res: express.Response, next: express.NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.useStaticAssets(join(PROJECT_ROOT, 'templates', 'assets'), { prefix: '/assets/' });
  app.engine('hbs', handlebarsEngine);
  app.setBaseViewsDir(join(TEMPLATES_DIR, 'views'));
  app.setViewEngine('hbs');
  app.useGlobalFilters(new DomainExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupOpenApi(app);
}
