import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { addDialPlan, addNumber, addRegion, createCustomer } from '../factories/customers';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { describeBrowser, launchBrowser, listenLocally, OUT } from '../helpers/browser';

/**
 * The telephony, people, system and account pages in a real browser: each renders without spilling
 * sideways at a laptop width, and a screenshot of each goes to test-output/ for a person to look at.
 */

describeBrowser('browser: telephony, people, system and account pages', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let acmeId: number;
  let lineId: number;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    const acme = await createCustomer(t, t.auth, { name: 'Acme Telecom' });
    acmeId = acme.id as number;
    const line = await t.http
      .post(`/api/v1/customers/${acmeId}/sip-accounts`)
      .set(t.auth)
      .send({ displayName: 'Reception', maxConcurrentCalls: 2 });
    lineId = line.body.id as number;
    await t.http.post(`/api/v1/customers/${acmeId}/sip-accounts`).set(t.auth).send({ displayName: 'Warehouse' });
    await t.http.post(`/api/v1/customers/${acmeId}/mailboxes`).set(t.auth).send({ mailbox: '2001', email: 'vm@acme.example' });
    await t.http.post(`/api/v1/customers/${acmeId}/mailboxes`).set(t.auth).send({ mailbox: '2002', purge: true, maxPerFolder: 50 });
    for (let i = 0; i < 6; i++) await addNumber(t, 1, `44163296000${i}`);
    const assigned = await addNumber(t, 1, '441632960100', acmeId);
    await t.http
      .patch(`/api/v1/customers/${acmeId}/numbers/${assigned.id}`)
      .set(t.auth)
      .send({ sipAccountId: line.body.id, directory: false });
    await addNumber(t, 1, '441632960101', acmeId);
    await t.http
      .post(`/api/v1/customers/${acmeId}/people`)
      .set(t.auth)
      .send({ username: 'jane.doe', displayName: 'Jane Doe', email: 'jane@acme.example', role: 'user' });
    await addRegion(t, 'North');
    await addRegion(t, 'South');
    await addDialPlan(t, 1, 'UK national');
    await t.http.post('/api/v1/exchange-rates').set(t.auth).send({ currency: 'USD', rate: '1.0825', validFrom: '2026-12-01T00:00:00Z' });
    await t.http.post('/api/v1/api-keys').set(t.auth).send({ name: 'switch-1' });
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

  async function shoot(path: string, file: string): Promise<void> {
    const res = await page.goto(`${base}${path}`);
    expect({ path, status: res?.status() }).toEqual({ path, status: 200 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect({ path, overflow }).toEqual({ path, overflow: 0 });
    await page.screenshot({ path: join(OUT, file), fullPage: true });
  }

  it('renders the pages under a customer', async () => {
    await shoot(`/customers/${acmeId}/people`, 'people-list.png');
    await shoot(`/customers/${acmeId}/people/new`, 'people-new.png');
    await shoot(`/customers/${acmeId}/sip-accounts`, 'lines-list.png');
    await shoot(`/customers/${acmeId}/sip-accounts/${lineId}/edit`, 'line-edit.png');
    await shoot(`/customers/${acmeId}/mailboxes`, 'mailboxes-list.png');
    await shoot(`/customers/${acmeId}/numbers`, 'customer-numbers.png');
    await shoot(`/customers/${acmeId}/numbers/assign`, 'number-assign.png');
  });

  it('creates a line and shows its secret once', async () => {
    await page.goto(`${base}/customers/${acmeId}/sip-accounts/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Meeting room');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('heading', { name: 'Telephone line “Meeting room” created' }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(OUT, 'line-secret.png'), fullPage: true });
    await page.goto(`${base}/customers/${acmeId}/mailboxes/new`);
    await page.getByLabel('Mailbox number').fill('20x');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('#f-mailbox-help .error-text').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(OUT, 'mailbox-form-error.png'), fullPage: true });
  });

  it('renders the inventory, system and account pages', async () => {
    await shoot('/numbers', 'inventory.png');
    await shoot('/numbers/new-range', 'inventory-range.png');
    await shoot('/system', 'system-settings.png');
    await shoot('/system/regions', 'system-regions.png');
    await shoot('/system/exchange-rates', 'system-exchange-rates.png');
    await shoot('/dial-plans', 'dial-plans.png');
    await shoot('/account', 'account.png');
  });
});
