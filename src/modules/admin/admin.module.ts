import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { AdminPages } from './admin-page';
import { CsrfMiddleware, CsrfService } from './csrf';
import { OneTimePages } from './one-time-pages';

/**
 * The machinery every module's admin pages share: the layout (AdminPages), forms, pager, flash messages
 * and CSRF protection for every form in the app. The page controllers themselves live in their modules,
 * which import this one.
 */
@Module({
  providers: [AdminPages, CsrfService, OneTimePages],
  exports: [AdminPages, CsrfService, OneTimePages],
})
export class AdminModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every route of the app, API included: the middleware itself decides which requests need a token.
    consumer.apply(CsrfMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
