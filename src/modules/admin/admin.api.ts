/**
 * The page machinery every module's admin pages use (layout, forms, pager, flash, CSRF). Import from
 * here, not from the files behind it. How to write a page: see the comment at the top of admin-page.ts.
 */
export * from './admin-page';
export * from './page-flows';
export * from './format';
export { CSRF_FIELD, PRE_SESSION_COOKIE, csrfFailed } from './csrf';
export { handlebarsEngine, registerViewHelpers } from './view-engine';
export { CsrfService } from './csrf';
export { OneTimePages } from './one-time-pages';
export { AdminModule } from './admin.module';
