import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createCustomer } from '../factories/customers';
import { ADMIN_PASSWORD, ADMIN_USERNAME, loginHeader, startTestApp, TestApp } from '../helpers/app';
import { describeBrowser, launchBrowser, listenLocally } from '../helpers/browser';
import { loggedInPage, seedSite, type Site } from '../helpers/site';
import { HEADER, importDeck } from '../e2e/rate-plans.fixtures';

/** Where the README's screenshots live: this suite writes them, so they show the pages as they are. */
const IMAGES = join(__dirname, '..', '..', 'docs', 'images');

/**
 * The README's screenshots of the main pages (customer list, customer form with errors, rate plan,
 * price lookup), taken from a seeded site at a laptop width. Each shot also checks that the page shows
 * what the README says it shows.
 */
describeBrowser('browser: README screenshots', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let site: Site;
  let page: Page;

  beforeAll(async () => {
    // A fixed instant (after today, or Chromium would drop the session cookie as expired), so the dates on
    // the pages, and so the images, are the same on every run.
    t = await startTestApp({ TEST_CLOCK: 'true' });
    t.clock.setNow(new Date('2030-01-15T10:00:00Z'));
    Object.assign(t.auth, await loginHeader(t, ADMIN_USERNAME, ADMIN_PASSWORD));
    base = await listenLocally(t);
    site = await seedSite(t);
    // A few more customers, so the list looks like a list.
    for (const [name, accountNumber] of [
      ['Bluebell Dental Practice', 'BDP-7'],
      ['Harbour Freight Services', 'HFS-2'],
      ['Kestrel Accountants LLP', 'KA-19'],
      ['Orchard Veterinary Clinic', 'OVC-4'],
    ])
      await createCustomer(t, t.auth, { name, accountNumber, email: `${accountNumber.toLowerCase()}@example.com` });
    // The customer's plan with a small deck (the UK rate the price lookup shows stays 1.20 a minute).
    await importDeck(
      t,
      t.auth,
      site.customer.planId,
      [
        HEADER,
        '44,UK,0,0,1.20,60,60,0,outbound',
        '447,UK mobile,0.05,0,2.40,60,60,0,outbound',
        '33,France,0,0,0.80,60,60,0,outbound',
        '49,Germany,0,0,0.85,60,60,0,outbound',
        '1,USA and Canada,0,0,0.40,60,60,0,outbound',
        '353,Ireland,0,0,0.90,60,60,0,outbound',
      ].join('\n'),
    );
    ({ browser } = await launchBrowser());
    page = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    mkdirSync(IMAGES, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The top of the page at 1280 px wide, as a person first sees it (the viewport, not the whole page). */
  const shoot = (file: string): Promise<Buffer> => page.screenshot({ path: join(IMAGES, file) });

  it('the customer list', async () => {
    await page.goto(`${base}/customers`);
    await expect(page.locator('main').getByRole('link', { name: site.reseller.name }).isVisible()).resolves.toBe(true);
    await shoot('customers-list.png');
  });

  it('the customer form with its errors', async () => {
    await page.goto(`${base}/customers/new?type=normal`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(site.reseller.name);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill('not an email');
    await page.getByRole('textbox', { name: 'Account number', exact: true }).fill('NW-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForSelector('.has-error');
    await page.locator('.has-error').first().scrollIntoViewIfNeeded();
    await page.evaluate('window.scrollTo(0, 0)');
    await shoot('customer-form-errors.png');
  });

  it('a rate plan', async () => {
    await page.goto(`${base}/rate-plans/${site.customer.planId}`);
    await expect(page.locator('main').innerText()).resolves.toContain('USA and Canada');
    // The whole page: its settings, then its rates.
    await page.screenshot({ path: join(IMAGES, 'rate-plan.png'), fullPage: true });
  });

  it('the price lookup', async () => {
    await page.goto(`${base}/customers/${site.customer.id}/price`);
    const number = page.getByRole('textbox').first();
    await number.fill('+44 20 7946 0000');
    await number.press('Enter');
    await page.waitForURL(/\?/);
    await expect(page.locator('main').innerText()).resolves.toContain('1.20');
    await shoot('price-lookup.png');
  });
});
