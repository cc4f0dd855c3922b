import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { credit } from '../factories/billing';
import { addNumber, createCustomer, createReseller, ResellerLogin } from '../factories/customers';
import { startTestApp, TestApp } from '../helpers/app';
import { CHROMIUM, describeBrowser, launchBrowser, listenLocally, OUT } from '../helpers/browser';

/**
 * The customer list as an operator uses it (issue #14 items 7-9): find a customer by a telephone number
 * typed the usual way, sort by a column header, filter, page past the end, and download the list as CSV.
 */
if (!existsSync(CHROMIUM) && process.env.SKIP_BROWSER_TESTS !== 'true') {
  throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium), or SKIP_BROWSER_TESTS=true`);
}

describeBrowser('browser: the customer list (search, sort, filter, paging, CSV)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let r: ResellerLogin;
  const number = `442079460${String(100 + Math.floor(Math.random() * 800))}`;

  const rowNames = () => page.locator('table.table tbody tr td:first-child a').allTextContents();

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    r = await createReseller(t, t.auth, { billingAddress: { line1: '1 High Street', city: 'London', postcode: 'SW1A 1AA', country: 'GB' } });
    await addNumber(t, r.id, number);
    await createCustomer(t, r.auth, { type: 'residential', number, personName: 'Rita Resident', name: undefined });
    const rich = await createCustomer(t, r.auth, { name: 'Rich Ltd', billingType: 'postpaid' });
    const middle = await createCustomer(t, r.auth, { name: 'Middle Ltd', billingType: 'postpaid' });
    await createCustomer(t, r.auth, { name: 'Alpha Ltd' });
    await credit(t, r.auth, rich.id, '90.00');
    await credit(t, r.auth, middle.id, '10.00');
    ({ browser, page } = await launchBrowser());
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill(r.username);
    await page.getByLabel('Password').fill(r.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('finds a customer by its telephone number typed with spaces, national form included', async () => {
    await page.goto(`${base}/customers`);
    for (const typed of [`+44 20 7946 ${number.slice(8)}`, `020 7946 ${number.slice(8)}`]) {
      await page.getByRole('searchbox', { name: 'Search' }).fill(typed);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.waitForURL(/search=/);
      expect([typed, await rowNames()]).toEqual([typed, [number]]);
    }
  });

  it('sorts by a column header, both ways', async () => {
    await page.goto(`${base}/customers`);
    await page.getByRole('link', { name: 'Balance', exact: true }).click();
    await page.waitForURL(/sort=balance/);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Balance');
    expect((await rowNames()).slice(-2)).toEqual(['Middle Ltd', 'Rich Ltd']);
    await page.getByRole('link', { name: /^Balance/ }).click();
    await page.waitForURL(/sort=-balance/);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Balance');
    expect((await rowNames()).slice(0, 2)).toEqual(['Rich Ltd', 'Middle Ltd']);
    await page.screenshot({ path: join(OUT, 'customer-list-sorted.png'), fullPage: true });
  });

  it('filters, keeping the sort, and downloads the same list as CSV', async () => {
    await page.getByRole('combobox', { name: 'Billing type' }).selectOption('postpaid');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/billingType=postpaid/);
    expect(page.url()).toContain('sort=-balance');
    expect(await rowNames()).toEqual(['Rich Ltd', 'Middle Ltd']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('customers.csv');
    const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^id,parent_id,name,account_number,type,reseller,billing_type,/);
    expect(lines.slice(1).map((l) => l.split(',')[2])).toEqual(['Rich Ltd', 'Middle Ltd']);
  });

  it('says there is no such page past the end, and leads back to the last one', async () => {
    await page.goto(`${base}/customers?page=7`);
    await expect(page.getByText('There is no page 7: the list has 4 entries on 1 page.').isVisible()).resolves.toBe(true);
    await expect(page.getByText('No customers yet').count()).resolves.toBe(0);
    await page.getByRole('link', { name: 'Go to page 1' }).click();
    await page.waitForURL(`${base}/customers`);
    expect(await rowNames()).toHaveLength(4);
  });
});
