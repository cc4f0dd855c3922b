import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { addNumber } from '../factories/customers';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { CHROMIUM, describeBrowser, launchBrowser, listenLocally, OUT } from '../helpers/browser';

/**
 * The seed page, done by a person in a real browser: log in, Commerce » Customers, New, a normal and a
 * residential customer, find both in the list. Needs Debian's chromium (`apt-get install chromium`).
 */
if (!existsSync(CHROMIUM) && process.env.SKIP_BROWSER_TESTS !== 'true') {
  throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium), or SKIP_BROWSER_TESTS=true`);
}

describeBrowser('browser: adding customers (seed page)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  const freeNumber = `4420${Date.now() % 1e8}`.padEnd(12, '0');

  const box = (name: string) => page.getByRole('textbox', { name, exact: true });
  const select = (name: string) => page.getByRole('combobox', { name, exact: true });

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    // A free number in the system owner's inventory, for the residential customer.
    const added = await t.http.post('/api/v1/numbers').set(t.auth).send({ number: freeNumber });
    if (added.status !== 201) await addNumber(t, 1, freeNumber);
    ({ browser, page } = await launchBrowser());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in through the form', async () => {
    await page.goto(`${base}/customers`);
    expect(page.url()).toContain('/login?next=%2Fcustomers');
    await page.screenshot({ path: join(OUT, 'login.png') });
    await page.getByLabel('Username').fill(ADMIN_USERNAME);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/customers`);
    await expect(page.getByRole('heading', { name: 'Customers' }).isVisible()).resolves.toBe(true);
  });

  it('adds a normal customer', async () => {
    await page.getByRole('link', { name: 'New', exact: true }).click();
    await page.getByLabel('Normal customer').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/type=normal/);
    await box('Name').fill('Browser Normal Ltd');
    await box('Email').fill('normal@browser.example');
    await box('Account number').fill('BRW-1');
    const defaultPlan = await page.locator('#f-ratePlanId option', { hasText: 'Default' }).getAttribute('value');
    await select('Rate plan').selectOption(defaultPlan!);
    await select('Billing type').selectOption('postpaid');
    await box('Credit limit').fill('250.00');
    await page.locator('#f-dailySpendLimitMode').selectOption('amount');
    await box('Daily spend limit amount').fill('40.00');
    await box('City').fill('Leeds');
    await select('Country').selectOption('GB');
    await page.screenshot({ path: join(OUT, 'new-customer-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/customers\/\d+$/);
    await expect(page.getByText('Customer “Browser Normal Ltd” created.').isVisible()).resolves.toBe(true);
  });

  it('shows a mistake inline and keeps what was typed', async () => {
    await page.goto(`${base}/customers/new?type=normal`);
    await box('Name').fill('Typo Customer');
    await box('Email').fill('not an email');
    await select('Rate plan').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#f-email-help .error-text').isVisible()).resolves.toBe(true);
    await expect(box('Name').inputValue()).resolves.toBe('Typo Customer');
    await page.screenshot({ path: join(OUT, 'new-customer-form-error.png'), fullPage: false });
  });

  it('adds a residential customer with a free number', async () => {
    await page.goto(`${base}/customers`);
    await page.getByRole('link', { name: 'New', exact: true }).click();
    await page.getByLabel('Residential customer').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/type=residential/);
    await select('Number').selectOption(freeNumber);
    await box("Person's name").fill('Rita Residential');
    await box('Email').fill('rita@browser.example');
    await select('Rate plan').selectOption({ index: 1 });
    await page.screenshot({ path: join(OUT, 'new-residential-form.png'), fullPage: false });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { name: `Customer “${freeNumber}” created` }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('SIP secret').isVisible()).resolves.toBe(true);
  });

  it('finds both customers in the list with the search box', async () => {
    await page.goto(`${base}/customers`);
    await page.getByRole('searchbox', { name: 'Search' }).fill('Browser Normal');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/search=Browser/);
    await expect(page.getByRole('link', { name: 'Browser Normal Ltd' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('row').count()).resolves.toBe(2);
    await page.getByRole('searchbox', { name: 'Search' }).fill(freeNumber);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(new RegExp(`search=${freeNumber}`));
    await expect(page.getByRole('link', { name: freeNumber }).isVisible()).resolves.toBe(true);
    await page.goto(`${base}/customers`);
    await page.screenshot({ path: join(OUT, 'customer-list.png'), fullPage: true });
    await page.getByRole('link', { name: 'Browser Normal Ltd' }).click();
    await page.screenshot({ path: join(OUT, 'customer-detail.png'), fullPage: true });
    await page.goto(`${base}/`);
    await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: false });
  });

  it('switches to a customer and back', async () => {
    await page.goto(`${base}/customers?search=Browser`);
    await page.getByRole('link', { name: 'Browser Normal Ltd' }).click();
    await page.getByRole('button', { name: 'Switch to' }).click();
    await page.waitForURL(`${base}/`);
    await expect(page.getByRole('status').filter({ hasText: 'You are acting as Browser Normal Ltd' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(OUT, 'switched.png') });
    await page.getByRole('button', { name: 'Switch back' }).click();
    await page.waitForURL(/\/customers\/\d+$/);
    await expect(page.getByText('You are acting for your own customer again.').isVisible()).resolves.toBe(true);
  });
});
