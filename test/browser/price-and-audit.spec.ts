import { AxeBuilder } from '@axe-core/playwright';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CustomerEntity } from '../../src/modules/customers/entities/customer.entity';
import { createCustomer, createReseller, type ResellerLogin, unique } from '../factories/customers';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { describeBrowser, launchBrowser, listenLocally, OUT } from '../helpers/browser';
import { testDatabaseKind } from '../helpers/database';
import { costPlanId, createPlan, HEADER, importDeck, setCustomerPlan } from '../e2e/rate-plans.fixtures';

/**
 * Issue #14 items 11-15 in Chromium: the price lookup with a number as people write it, for a reseller's
 * customer (each seller's cost, price and margin) and for the reseller's own plan; the audit page and its
 * filters; the outbox showing the login-details email as its recipient sees it. Each page passes axe with
 * no serious or critical violation.
 */
describeBrowser(`browser: price lookup, audit log and sent mail on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let reseller: ResellerLogin;
  let customer: Record<string, any>;
  let resellerPlan: Record<string, any>;
  const RESELLER = `North & Sons ${unique()}`;
  const CUSTOMER = `Acme <Calls> ${unique()}`;

  async function login(p: Page, username: string, password: string): Promise<void> {
    await p.goto(`${base}/login`);
    await p.getByLabel('Username').fill(username);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL(`${base}/`);
  }

  /**
   * No serious or critical accessibility problem on the page. The sandboxed mail preview is left out: axe
   * cannot run scripts inside a frame whose sandbox forbids them and waits for it forever (the mail's own
   * markup is the email tests' business).
   */
  async function accessible(p: Page, what: string): Promise<void> {
    const { violations } = await new AxeBuilder({ page: p }).exclude('iframe.mail-preview').analyze();
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
    expect({ what, bad }).toEqual({ what, bad: [] });
  }

  /** The text of each row of a table's body, cells joined by " | ". */
  async function rowsOf(p: Page, selector: string): Promise<string[]> {
    return p.$$eval(`${selector} tbody tr`, (trs) =>
      trs.map((tr) =>
        Array.from((tr as { children: ArrayLike<{ textContent: string | null }> }).children)
          .map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())
          .join(' | '),
      ),
    );
  }

  async function newPage(): Promise<Page> {
    const p = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    p.setDefaultTimeout(10_000);
    return p;
  }

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    await importDeck(t, t.auth, await costPlanId(t), `${HEADER}\n44,United Kingdom,0,0,0.50,1,1,0,outbound`);
    // Root ─ reseller (plan +20%, the root's) ─ customer (plan +10%, the reseller's).
    const root20 = await createPlan(t, t.auth, {
      name: `Wholesale +20% ${unique()}`,
      sharing: 'children',
      precision: 2,
      markups: { outboundPerMinute: '20' },
    });
    reseller = await createReseller(t, t.auth, { name: RESELLER });
    await setCustomerPlan(t, reseller.id, root20.id as number);
    resellerPlan = await createPlan(t, reseller.auth, {
      name: `Retail +10% ${unique()}`,
      precision: 2,
      markups: { outboundPerMinute: '10' },
    });
    customer = await createCustomer(t, reseller.auth, { name: CUSTOMER, ratePlanId: resellerPlan.id });
    ({ browser } = await launchBrowser());
    // axe needs pages of an explicit browser context.
    page = await newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('price lookup: "+44 (20) 7946-0000" for the reseller’s customer shows each seller’s cost, price and margin', async () => {
    await login(page, ADMIN_USERNAME, ADMIN_PASSWORD);
    await page.goto(`${base}/customers/${customer.id as number}/price`);
    await page.getByLabel('Number').fill('+44 (20) 7946-0000');
    await page.getByLabel('Duration (seconds)').fill('60');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.waitForSelector('#price-chain');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toContain('442079460000');
    const levels = await rowsOf(page, '#price-levels');
    expect(levels.map((r) => r.split(' | ').slice(0, 2).join(' | '))).toEqual([
      `${CUSTOMER} | ${resellerPlan.name as string}`,
      expect.stringMatching(new RegExp(`^${RESELLER} \\| Wholesale \\+20%`)),
      expect.stringMatching(/^Cost \(carriers\) \| /),
    ]);
    const rootName = (await t.dataSource.getRepository(CustomerEntity).findOneByOrFail({ id: 1 })).name;
    expect(await rowsOf(page, '#price-chain')).toEqual([
      `${rootName} (buys from carriers) | ${RESELLER} | 0.50 EUR | 0.60 EUR | 0.10 EUR | 0.00 / 0.00 / 0.00 | 0.50 EUR | 0.60 EUR | 0.10 EUR`,
      `${RESELLER} | ${CUSTOMER} | 0.60 EUR | 0.66 EUR | 0.06 EUR | 0.00 / 0.00 / 0.00 | 0.60 EUR | 0.66 EUR | 0.06 EUR`,
    ]);
    // The plan's name links to the plan.
    await page
      .getByRole('link', { name: resellerPlan.name as string })
      .first()
      .click();
    await page.waitForURL(`${base}/rate-plans/${resellerPlan.id as number}`);
    expect(await page.getByText(/is in force since it was imported on \d{4}-\d\d-\d\d/).count()).toBe(0); // the reseller's plan has no deck
    await page.goBack();
    await accessible(page, 'price lookup');
    await page.screenshot({ path: join(OUT, 'price-lookup.png'), fullPage: true });
  });

  it('price lookup for the reseller’s own plan, logged in as the reseller: its own margin, not its parent’s', async () => {
    const own = await newPage();
    try {
      await login(own, reseller.username, reseller.password);
      await own.goto(`${base}/rate-plans/${resellerPlan.id as number}`);
      await own.getByRole('link', { name: 'Price lookup' }).click();
      await own.getByLabel('Number').fill('0044 20 7946 0000');
      await own.getByRole('button', { name: 'Look up' }).click();
      await own.waitForSelector('#price-chain');
      expect(await rowsOf(own, '#price-chain')).toEqual([
        `${RESELLER} | A customer on this plan | 0.60 EUR | 0.66 EUR | 0.06 EUR | 0.00 / 0.00 / 0.00`,
      ]);
      expect(await own.getByText('Cost (carriers)').count()).toBe(0);
      // A number that is not one is explained next to the field, with what was typed kept.
      await own.getByLabel('Number').fill('+44 (20 7946');
      await own.getByRole('button', { name: 'Look up' }).click();
      await own.getByText('Give a phone number, e.g. +44 20 7946 0000').waitFor();
      expect(await own.getByLabel('Number').inputValue()).toBe('+44 (20 7946');
      await accessible(own, 'plan price lookup with an error');
    } finally {
      await own.context().close();
    }
  });

  it('audit log: filters by customer, by who changed it and by date', async () => {
    await page.goto(`${base}/audit`);
    await accessible(page, 'audit log');
    const all = await rowsOf(page, '#audit-entries');
    expect(all.length).toBeGreaterThan(2);
    await page.getByLabel('Customer').selectOption({ label: `— — ${CUSTOMER}` });
    await page.getByLabel('Changed by (login name)').fill(reseller.username.toUpperCase());
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/\/audit\?customer=/);
    const filtered = await rowsOf(page, '#audit-entries');
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((r) => r.includes(`(${reseller.username})`) && r.includes(CUSTOMER))).toBe(true);
    expect(filtered.some((r) => r.includes('Customer created'))).toBe(true);
    // A day after today: nothing yet.
    const tomorrow = new Date(t.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(tomorrow);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No change matches these filters.').waitFor();
    await page.getByLabel('From').fill('last week');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText(/must be a date \(2026-11-01\)/i).waitFor();
    await accessible(page, 'audit log with an error');
    await page.getByRole('link', { name: 'Show all' }).click();
    await page.waitForURL(`${base}/audit`);
    // The CSV link carries the filters of the page.
    await page.getByLabel('Changed by (login name)').fill(reseller.username);
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`/audit?format=csv&actor=${reseller.username}`);
    await page.screenshot({ path: join(OUT, 'audit-log.png'), fullPage: true });
  });

  it('sent mail: the login-details email as its recipient sees it, in a sandboxed frame', async () => {
    await page.goto(`${base}/outbox`);
    await page.getByRole('link', { name: 'Your login details' }).first().click();
    await page.waitForURL(/\/outbox\/\d+$/);
    const frame = page.locator('iframe.mail-preview');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const mail = page.frameLocator('iframe.mail-preview');
    // The newest mail: the customer's administrator, from the reseller.
    await mail.getByText(`Hello ${CUSTOMER},`).waitFor();
    await mail.getByText(`${RESELLER} has opened an account for ${CUSTOMER}.`).waitFor();
    await mail.getByRole('link', { name: 'Choose your password' }).waitFor();
    expect(await mail.getByText(/expires on \d{4}-\d\d-\d\d \d\d:\d\d UTC/).count()).toBe(1);
    // The mail's markup stays inside the frame: the page itself has no element of it.
    expect(await page.locator('body > * a', { hasText: 'Choose your password' }).count()).toBe(0);
    await accessible(page, 'sent mail');
    await page.screenshot({ path: join(OUT, 'outbox-mail.png'), fullPage: true });
  });
});
