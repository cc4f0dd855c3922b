import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { describeBrowser, launchBrowser, listenLocally } from '../helpers/browser';
import { crawl, loggedInPage, seedSite, switchTo, type Site } from '../helpers/site';

/**
 * Accessibility (issue #14, quality bar): axe-core on every page the system owner's administrator and
 * the administrator switched to a customer can reach by following links (one page per route shape),
 * plus the login page and a form shown with its errors: no serious or critical violation. Every form
 * field has a label, and the main tasks work from the keyboard alone.
 */
describeBrowser('browser: accessibility', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let site: Site;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    site = await seedSite(t);
    ({ browser } = await launchBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The serious and critical violations of the page as it is now, one line each. */
  async function violations(page: Page): Promise<string[]> {
    // Legacy mode (the pages have no frames) and violations only: several times faster on a busy machine.
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .options({ resultTypes: ['violations'] })
      .setLegacyMode(true)
      .analyze();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${new URL(page.url()).pathname}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  }

  /** Every HTML page the session reaches, one per route shape, checked with axe. */
  async function checkReachable(page: Page): Promise<{ checked: number; found: string[] }> {
    const visits = await crawl(page, base, '/', 1);
    const found: string[] = [];
    const shapes = new Set<string>();
    let checked = 0;
    for (const v of visits) {
      const path = new URL(v.url).pathname;
      // Swagger UI is not ours; downloads (CSV, PDF) are not pages. One page per path shape: the same
      // list sorted, filtered or paged is the same markup.
      if (path.startsWith('/api/') || v.status !== 200 || !v.type?.startsWith('text/html')) continue;
      const shape = path.replace(/\d+/g, 'N');
      if (shapes.has(shape)) continue;
      shapes.add(shape);
      await page.goto(v.url);
      checked++;
      found.push(...(await violations(page)));
    }
    return { checked, found };
  }

  it('finds no serious or critical violation on any page of the system owner', async () => {
    const admin = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    const { checked, found } = await checkReachable(admin);
    expect(found).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    await admin.context().close();
  }, 600_000);

  it('finds none on the pages of a customer switched to', async () => {
    const page = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    await switchTo(page, base, site.customer.id);
    const { checked, found } = await checkReachable(page);
    expect(found).toEqual([]);
    expect(checked).toBeGreaterThan(20);
    await page.context().close();
  }, 600_000);

  it('finds none on the login page, an error page and a form shown with its errors', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    expect(await violations(page)).toEqual([]);
    // The check does see a problem: a field without a label, added to the page, is reported.
    await page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend', '<input type="text" name="x">')`);
    expect(await violations(page)).toEqual([expect.stringContaining('/login: label (critical)')]);
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill(ADMIN_USERNAME);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/no-such-page`);
    expect(await violations(page)).toEqual([]);
    await page.goto(`${base}/customers/new?type=normal`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForSelector('.has-error');
    expect(await violations(page)).toEqual([]);
    await context.close();
  }, 120_000);

  it('labels every form field', async () => {
    const page = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    const unlabelled: string[] = [];
    for (const path of [
      '/customers/new?type=normal',
      '/customers/new?type=residential',
      `/customers/${site.customer.id}/edit`,
      '/rate-plans/new',
      `/customers/${site.customer.id}/price`,
      `/customers/${site.customer.id}/sip-accounts/new`,
      `/customers/${site.customer.id}/people/new`,
      '/numbers/new-range',
      '/account',
    ]) {
      await page.goto(`${base}${path}`);
      const missing = await page.evaluate<string[]>(`
        Array.from(document.querySelectorAll('main input:not([type=hidden]), main select, main textarea'))
          .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
          .map((el) => el.name || el.id)`);
      unlabelled.push(...missing.map((name) => `${path}: ${name}`));
    }
    expect(unlabelled).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('works from the keyboard: skip link, menu, a search and a form', async () => {
    const page = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    await page.goto(`${base}/`);
    // The first Tab reaches "Skip to content", which moves the focus past the menu.
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash).toBe('#content');
    // The menu's links are reached with Tab and opened with Enter.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/customers`);
    // Search by typing and Enter.
    await page.getByRole('searchbox').first().focus();
    await page.keyboard.type(site.reseller.name);
    await page.keyboard.press('Enter');
    await page.waitForURL(/search=/);
    await expect(page.locator('main').getByRole('link', { name: site.reseller.name }).first().isVisible()).resolves.toBe(true);
    // A form filled in and saved with the keyboard only.
    await page.goto(`${base}/customers/${site.customer.id}/sip-accounts/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).focus();
    await page.keyboard.type('Front desk');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.endsWith('/new'));
    await expect(page.locator('main').innerText()).resolves.toContain('Front desk');
    // Every focusable element shows where the focus is.
    await page.goto(`${base}/customers`);
    const unmarked = await page.evaluate<string[]>(`(() => {
      const out = [];
      for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')) {
        if (el.offsetParent === null) continue;
        el.focus();
        const s = getComputedStyle(el);
        if ((s.outlineStyle === 'none' || s.outlineWidth === '0px') && s.boxShadow === 'none') out.push(el.outerHTML.slice(0, 60));
      }
      return out;
    })()`);
    expect(unmarked).toEqual([]);
    await page.context().close();
  }, 120_000);
});
