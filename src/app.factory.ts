import { NestFactory, Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { handlebarsEngine } from './modules/admin/admin.api';
import { APP_CONFIG, type AppConfig } from './config/config';
import { BodyMediaTypeGuard } from './shared/http/body-media-type.guard';
import { answerClientErrors } from './shared/http/client-errors';
import { bodyVerifier, inputTextCheck } from './shared/http/input-checks';
import { httpLogOptions } from './shared/http/request-log';
import { DomainExceptionFilter } from './shared/http/domain-exception.filter';
import { ErrorPages } from './shared/http/error-pages';
import { createValidationPipe } from './shared/http/validation.pipe';
import { setupOpenApi } from './openapi';
import { TEMPLATES_DIR, PROJECT_ROOT } from './shared/paths';

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
  const config = app.get<AppConfig>(APP_CONFIG);
  // First: every request gets its id and its log line, also those that the body parsers refuse.
  app.use(pinoHttp(httpLogOptions(config.logLevel, config.logFormat)));
  // Size and nesting are limited where the body is parsed, before anything recurses over it; the raw bytes
  // must be UTF-8 (input-checks.ts). Rate-deck uploads are read by their handlers with their own limit.
  const { bodyMaxBytes, bodyMaxDepth } = config;
  const verify = bodyVerifier(bodyMaxDepth);
  app.use(express.json({ limit: bodyMaxBytes, verify }));
  // `depth` (body-parser 2) is missing from @types/body-parser.
  const formOptions = { extended: true, limit: bodyMaxBytes, depth: bodyMaxDepth, verify };
  app.use(express.urlencoded(formOptions));
  app.use(inputTextCheck);
  answerClientErrors(app.getHttpServer());
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
  // Error pages keep the layout and menu: the identity module renders them (it reads the session).
  app.useGlobalFilters(new DomainExceptionFilter(app.get(ErrorPages)));
  app.useGlobalGuards(new BodyMediaTypeGuard(app.get(Reflector)));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupOpenApi(app);
}
