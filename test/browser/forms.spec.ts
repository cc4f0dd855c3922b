import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { addNumber, addRatePlan, createCustomer, createReseller, unique } from '../factories/customers';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { CHROMIUM, describeBrowser, launchBrowser, listenLocally, OUT } from '../helpers/browser';

/**
 * Forms as an operator meets them (issue #14 items 1-3): every error after one save, next to its field,
 * with what was typed kept; a save answers 303 to the resource's page with a flash, and reloading it
 * creates nothing; secrets shown once on a GET page; no CSRF token in any URL of the deck import page.
 */
if (!existsSync(CHROMIUM) && process.env.SKIP_BROWSER_TESTS !== 'true') {
  throw new Error(`browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium), or SKIP_BROWSER_TESTS=true`);
}

describeBrowser('browser: forms (all errors at once, Post/Redirect/Get, tokens)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let takenUsername: string;
  let takenAccount: string;
  let foreignPlanName: string;
  const freeNumber = `4420${(Date.now() + 7) % 1e8}`.padEnd(12, '3');

  const box = (name: string) => page.getByRole('textbox', { name, exact: true });
  const select = (name: string) => page.getByRole('combobox', { name, exact: true });
  /** The error shown next to a field (its help block). */
  const errorOf = (field: string) => page.locator(`#f-${field}-help .error-text`);
  const customersNamed = (name: string) => t.dataSource.getRepository(CustomerEntity).countBy({ name });

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    takenUsername = unique('taken');
    takenAccount = `ACC-${Date.now() % 1e6}`;
    await createCustomer(t, t.auth, { username: takenUsername, accountNumber: takenAccount });
    const reseller = await createReseller(t, t.auth);
    foreignPlanName = (await addRatePlan(t, reseller.id)).name;
    await addNumber(t, 1, freeNumber);
    ({ browser, page } = await launchBrowser());
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill(ADMIN_USERNAME);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows every error of the customer form next to its field after ONE save, keeping what was typed', async () => {
    expect(foreignPlanName).toBeTruthy();
    await page.goto(`${base}/customers/new?type=normal`);
    await box('Name').fill('Many Mistakes Ltd');
    await box('Email').fill('not an email');
    await box('Login name').fill(takenUsername);
    await box('Account number').fill(takenAccount);
    await box('Credit limit').fill('ten euros');
    await select('Rate plan').selectOption({ index: 1 });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${base}/customers`),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(answer.status()).toBe(400);
    // All four, at once: two format errors and two business ones (taken login name, taken account number).
    await expect(errorOf('email').textContent()).resolves.toMatch(/email/i);
    await expect(errorOf('creditLimit').textContent()).resolves.toMatch(/decimal/i);
    await expect(errorOf('username').textContent()).resolves.toMatch(/already taken/);
    await expect(errorOf('accountNumber').textContent()).resolves.toMatch(/already used/);
    await expect(box('Email').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(box('Name').inputValue()).resolves.toBe('Many Mistakes Ltd');
    await expect(box('Email').inputValue()).resolves.toBe('not an email');
    await expect(box('Login name').inputValue()).resolves.toBe(takenUsername);
    await expect(box('Credit limit').inputValue()).resolves.toBe('ten euros');
    await page.screenshot({ path: join(OUT, 'customer-form-errors.png'), fullPage: true });
    await expect(customersNamed('Many Mistakes Ltd')).resolves.toBe(0);
  });

  it('saves with 303 to the customer page and a flash; reloading does not create it twice', async () => {
    // Correct the fields on the same page (what was typed is still there).
    await box('Email').fill('many@mistakes.example');
    await box('Login name').fill(unique('fixed'));
    await box('Account number').fill('');
    await box('Credit limit').fill('10.00');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${base}/customers`),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(answer.status()).toBe(303);
    expect(answer.headers().location).toMatch(/^\/customers\/\d+$/);
    await page.waitForURL(/\/customers\/\d+$/);
    await expect(page.getByText('Customer “Many Mistakes Ltd” created.').isVisible()).resolves.toBe(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Many Mistakes Ltd' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Customer “Many Mistakes Ltd” created.').count()).resolves.toBe(0);
    await expect(customersNamed('Many Mistakes Ltd')).resolves.toBe(1);
  });

  it('a residential customer: missing number and bad email in one round; then its secrets shown once on a GET page', async () => {
    await page.goto(`${base}/customers/new?type=residential`);
    await box("Person's name").fill('Rhoda Resident');
    await box('Email').fill('rhoda at example');
    await select('Rate plan').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(errorOf('number').textContent()).resolves.toMatch(/required/i);
    await expect(errorOf('email').textContent()).resolves.toMatch(/email/i);
    await expect(box("Person's name").inputValue()).resolves.toBe('Rhoda Resident');

    await select('Number').selectOption(freeNumber);
    await box('Email').fill('rhoda@example.com');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/customers\/\d+\/created$/);
    await expect(page.getByRole('heading', { name: `Customer “${freeNumber}” created` }).isVisible()).resolves.toBe(true);
    const secret = await page.locator('dt:has-text("SIP secret") + dd code').textContent();
    expect(secret).toMatch(/^\S{12,}$/);
    expect(page.url()).not.toMatch(/secret|pin|token/i);
    // A reload neither creates again nor shows the secrets again.
    await page.reload();
    await page.waitForURL(/\/customers\/\d+$/);
    await expect(page.getByText('shown only once').isVisible()).resolves.toBe(true);
    await expect(page.content()).resolves.not.toContain(secret!);
    await page.goBack();
    await expect(page.content()).resolves.not.toContain(secret!);
    await expect(customersNamed(freeNumber)).resolves.toBe(1);
  });

  it('the deck import page carries no token in any URL, and uploads with the token in the form', async () => {
    const plan = await t.http
      .post('/api/v1/rate-plans')
      .set(t.auth)
      .send({ name: unique('Import plan'), currency: 'EUR' });
    expect(plan.status).toBe(201);
    await page.goto(`${base}/rate-plans/${plan.body.id}/import`);
    const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const urls = [page.url()];
    for (const [selector, attribute] of [
      ['a[href]', 'href'],
      ['form[action]', 'action'],
      ['[src]', 'src'],
      ['link[href]', 'href'],
    ]) {
      for (const element of await page.locator(selector).all()) urls.push((await element.getAttribute(attribute)) ?? '');
    }
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) {
      expect(url).not.toContain('_csrf');
      if (token) expect(url).not.toContain(token);
    }
    const csv =
      'prefix,destination,connect_fee,included_seconds,per_minute,first_block,increment,minimum_charge,direction\n' +
      '49,Germany,0,0,1.20,1,1,0,outbound\n';
    await page.locator('#f-file').setInputFiles({ name: 'deck.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Check and preview' }).click(),
    ]);
    // Post/Redirect/Get to the preview page; the token is in no URL on the way either.
    expect(answer.status()).toBe(303);
    await page.waitForURL(`${base}/rate-plans/${plan.body.id}/import/preview`);
    await expect(page.locator('main').textContent()).resolves.toMatch(/Added\s*1/);
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.toMatch(/Added\s*1/);
    await page.getByRole('button', { name: 'Apply these rates' }).click();
    await page.waitForURL(`${base}/rate-plans/${plan.body.id}`);
    await expect(page.getByText('1 rate(s) imported').isVisible()).resolves.toBe(true);
  });
});
