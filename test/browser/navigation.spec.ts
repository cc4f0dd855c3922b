import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, ADMIN_USERNAME, startTestApp, TestApp } from '../helpers/app';
import { describeBrowser, launchBrowser, listenLocally } from '../helpers/browser';
import { testDatabaseKind } from '../helpers/database';
import { crawl, loggedInPage, routeOf, seedSite, switchTo, type Site, type Visit } from '../helpers/site';

/**
 * Getting around (issue #14 items 4, 5, 6, 10): every link each kind of viewer is shown opens a page
 * (the system owner's administrator, a reseller's, the administrator switched to a customer, and that
 * customer's own); error pages keep the menu and "switch back"; the customer's own view names what it
 * refers to, counts its lines, mailboxes and numbers and offers nothing it would be refused; and the
 * main pages never scroll sideways at 800 px or at phone width.
 */
describeBrowser(`browser: navigation on ${testDatabaseKind()}`, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let site: Site;
  let admin: Page;
  let switched: Page;

  beforeAll(async () => {
    t = await startTestApp();
    base = await listenLocally(t);
    site = await seedSite(t);
    ({ browser } = await launchBrowser());
    admin = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    switched = await loggedInPage(browser, base, ADMIN_USERNAME, ADMIN_PASSWORD);
    await switchTo(switched, base, site.customer.id);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The visits that did not answer 200, with the page that showed the link. */
  const broken = (visits: Visit[]): Visit[] => visits.filter((v) => v.status !== 200);
  const path = (p: Page): string => new URL(p.url()).pathname;

  describe('every link works', () => {
    it('for the system owner', async () => {
      const visits = await crawl(admin, base);
      expect(broken(visits)).toEqual([]);
      // The walk went deep: customers' pages and forms, plans, a customer's lines.
      const shapes = new Set(visits.map((v) => routeOf(new URL(v.url))));
      expect([...shapes]).toEqual(
        expect.arrayContaining(['/customers/N?', '/customers/N/edit?', '/rate-plans/N?', '/customers/N/sip-accounts?']),
      );
    }, 300_000);

    it('for a reseller', async () => {
      const reseller = await loggedInPage(browser, base, site.reseller.username, site.reseller.password);
      const visits = await crawl(reseller, base);
      expect(broken(visits)).toEqual([]);
      expect(visits.map((v) => new URL(v.url).pathname)).toEqual(expect.arrayContaining([`/customers/${site.reseller.id}/own-details`]));
      await reseller.context().close();
    }, 300_000);

    it('for the administrator switched to a customer', async () => {
      const visits = await crawl(switched, base);
      expect(broken(visits)).toEqual([]);
      expect(visits.map((v) => new URL(v.url).pathname)).toEqual(
        expect.arrayContaining([`/customers/${site.customer.id}/own-details`, `/customers/${site.customer.id}/numbers`]),
      );
    }, 300_000);

    it("for the customer's own administrator", async () => {
      const own = await loggedInPage(browser, base, site.customer.username, site.customer.password);
      expect(broken(await crawl(own, base))).toEqual([]);
      await own.context().close();
    }, 300_000);
  });

  describe('switched to a customer', () => {
    it('edits its own details from its page', async () => {
      await switched.goto(`${base}/customers/${site.customer.id}`);
      await switched.getByRole('link', { name: 'Edit', exact: true }).click();
      await switched.waitForURL(`${base}/customers/${site.customer.id}/own-details`);
      // A mistake is shown next to its field, with what was typed kept and nothing saved.
      await switched.getByRole('textbox', { name: 'Email', exact: true }).fill('not an email');
      await switched.getByRole('textbox', { name: 'Description' }).fill('Widgets, wholesale');
      await switched.getByRole('button', { name: 'Save' }).click();
      await expect(switched.locator('#f-email-help .error-text').isVisible()).resolves.toBe(true);
      await expect(switched.getByRole('textbox', { name: 'Description' }).inputValue()).resolves.toBe('Widgets, wholesale');
      await switched.getByRole('textbox', { name: 'Email', exact: true }).fill('office@acme.example');
      await switched.getByRole('textbox', { name: 'City' }).fill('York');
      await switched.getByRole('button', { name: 'Save' }).click();
      await switched.waitForURL(`${base}/customers/${site.customer.id}`);
      await expect(switched.getByText('Your details were saved.').isVisible()).resolves.toBe(true);
      await expect(switched.locator('address').innerText()).resolves.toContain('York');
      // The form of the parent's settings (plan, limits, locks) is not the customer's to see.
      const res = await switched.goto(`${base}/customers/${site.customer.id}/edit`);
      expect(res?.status()).toBe(200);
      expect(path(switched)).toBe(`/customers/${site.customer.id}/own-details`);
      await expect(switched.getByLabel('Rate plan').count()).resolves.toBe(0);
    });

    it('shows an error in the layout, with the menu and a way back', async () => {
      const res = await switched.goto(`${base}/customers/${site.reseller.id}`);
      expect(res?.status()).toBe(404);
      await expect(switched.getByRole('navigation', { name: 'Main' }).isVisible()).resolves.toBe(true);
      await expect(switched.getByRole('heading', { name: '404 Not Found' }).isVisible()).resolves.toBe(true);
      await expect(switched.getByText(`You are acting as ${site.customer.name}: only its own pages`).isVisible()).resolves.toBe(true);
      // A URL with no page at all keeps the menu too.
      const none = await switched.goto(`${base}/no-such-page`);
      expect(none?.status()).toBe(404);
      await expect(switched.getByText('There is no page at this address.').isVisible()).resolves.toBe(true);
      await expect(switched.getByRole('navigation', { name: 'Main' }).isVisible()).resolves.toBe(true);
      await expect(switched.getByRole('button', { name: 'Switch back' }).count()).resolves.toBe(1);
      // "Switch back" from an error page returns to the administrator's own view.
      await switched.goto(`${base}/customers/${site.reseller.id}`);
      await switched.locator('main').getByRole('button', { name: 'Switch back' }).click();
      await switched.waitForURL(`${base}/customers/${site.customer.id}`);
      await expect(switched.getByRole('status').first().innerText()).resolves.toContain('You are acting for your own customer again.');
      await switchTo(switched, base, site.customer.id);
    });

    it('names what the customer refers to, linked only where it may go', async () => {
      await switched.goto(`${base}/customers/${site.customer.id}`);
      const main = switched.locator('main');
      const text = await main.innerText();
      expect(text).not.toMatch(/#\d/);
      expect(text).toContain(site.reseller.name);
      expect(text).toContain(site.affiliate.name);
      // Its parent, its plan (the parent's) and its affiliate (a sibling) are out of its reach: not links.
      await expect(main.getByRole('link', { name: site.reseller.name }).count()).resolves.toBe(0);
      await expect(main.getByRole('link', { name: site.affiliate.name }).count()).resolves.toBe(0);
      // The system owner sees the same names as links.
      await admin.goto(`${base}/customers/${site.customer.id}`);
      await expect(admin.locator('main').getByRole('link', { name: site.affiliate.name }).getAttribute('href')).resolves.toBe(
        `/customers/${site.affiliate.id}`,
      );
      await expect(admin.locator('main').getByRole('link', { name: site.reseller.name }).first().getAttribute('href')).resolves.toBe(
        `/customers/${site.reseller.id}`,
      );
    });

    it("shows the customer's lines, mailboxes, numbers and balance on its dashboard", async () => {
      await switched.goto(`${base}/`);
      const tile = (label: string) => switched.locator('.tile', { has: switched.locator('.tile-label', { hasText: label }) });
      await expect(tile('Balance').locator('.tile-value').innerText()).resolves.toBe('22.60 EUR');
      await expect(tile('Telephone lines').locator('.tile-value').innerText()).resolves.toBe('1');
      await expect(tile('Mailboxes').locator('.tile-value').innerText()).resolves.toBe('1');
      await expect(tile('Numbers').locator('.tile-value').innerText()).resolves.toBe('1');
      // A customer that is not a reseller has no customers: no tile, no menu entry.
      await expect(tile('Customers').count()).resolves.toBe(0);
      const menu = switched.getByRole('navigation', { name: 'Main' });
      await expect(menu.getByRole('link', { name: 'Customers' }).count()).resolves.toBe(0);
      // Its Numbers menu lists its numbers.
      await menu.getByRole('link', { name: 'Numbers' }).click();
      await switched.waitForURL(`${base}/customers/${site.customer.id}/numbers`);
      await expect(switched.locator('main').innerText()).resolves.toContain('441632960555');
    });

    it('is not offered a rate plan or a customer of its own', async () => {
      await switched.goto(`${base}/rate-plans`);
      await expect(switched.locator('main').getByRole('link', { name: 'New' }).count()).resolves.toBe(0);
      await expect(switched.locator('main').getByRole('link', { name: 'Make a rate plan' }).count()).resolves.toBe(0);
      // Typed by hand, the form says at once what the save would say.
      const form = await switched.goto(`${base}/rate-plans/new`);
      expect(form?.status()).toBe(403);
      await expect(switched.locator('main').innerText()).resolves.toContain('only resellers (and the system owner) can own rate plans');
      const customer = await switched.goto(`${base}/customers/new`);
      expect(customer?.status()).toBe(422);
      await expect(switched.getByRole('navigation', { name: 'Main' }).isVisible()).resolves.toBe(true);
      // The reseller above it is offered both.
      await admin.goto(`${base}/rate-plans`);
      await expect(admin.locator('main').getByRole('link', { name: 'New', exact: true }).count()).resolves.toBe(1);
    });
  });

  it('offers numbers to assign only where an inventory can supply them', async () => {
    // Switched to from above: numbers come from the reseller's inventory.
    await switched.goto(`${base}/customers/${site.customer.id}/numbers`);
    await expect(switched.locator('main').getByRole('link', { name: 'Assign a number' }).count()).resolves.toBeGreaterThan(0);
    // Its own administrator acts for a customer without an inventory of its own.
    const own = await loggedInPage(browser, base, site.customer.username, site.customer.password);
    await own.goto(`${base}/customers/${site.customer.id}/numbers`);
    await expect(own.locator('main').innerText()).resolves.toContain('441632960555');
    await expect(own.locator('main').getByRole('link', { name: 'Assign a number' }).count()).resolves.toBe(0);
    await own.context().close();
  });

  describe('narrow screens', () => {
    const PAGES = (s: Site): string[] => [
      '/',
      '/customers',
      `/customers/${s.customer.id}`,
      `/customers/${s.customer.id}/edit`,
      '/customers/new?type=normal',
      '/rate-plans',
      `/rate-plans/${s.customer.planId}`,
      `/customers/${s.customer.id}/price`,
      `/customers/${s.customer.id}/sip-accounts`,
      `/customers/${s.customer.id}/numbers`,
      `/customers/${s.customer.id}/transactions`,
      '/numbers',
      '/call-history',
      '/invoices',
      '/outbox',
      '/vouchers',
      '/system',
      '/account',
    ];

    for (const width of [800, 390]) {
      it(`never scroll sideways at ${width} px, and wide tables scroll in their box`, async () => {
        await admin.setViewportSize({ width, height: 900 });
        const overflowing: string[] = [];
        for (const p of PAGES(site)) {
          const res = await admin.goto(`${base}${p}`);
          expect({ p, status: res?.status() }).toEqual({ p, status: 200 });
          const over = await admin.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
          if (over > 0) overflowing.push(`${p} (+${over}px)`);
        }
        expect(overflowing).toEqual([]);
        // A customer's lines table is wider than a phone: it scrolls inside its own box.
        await admin.goto(`${base}/customers/${site.customer.id}/sip-accounts`);
        const box = await admin.evaluate<{ overflow: string; fits: boolean }>(
          `(() => { const w = document.querySelector('.table-wrap'); return { overflow: getComputedStyle(w).overflowX, fits: w.getBoundingClientRect().right <= document.documentElement.clientWidth }; })()`,
        );
        expect(box).toEqual({ overflow: 'auto', fits: true });
      }, 120_000);
    }

    it('folds the menu behind a button at phone width', async () => {
      await admin.setViewportSize({ width: 390, height: 800 });
      await admin.goto(`${base}/customers`);
      const menu = admin.getByRole('navigation', { name: 'Main' });
      const toggle = admin.getByRole('button', { name: 'Menu' });
      await expect(menu.isVisible()).resolves.toBe(false);
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
      await toggle.click();
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
      await expect(menu.getByRole('link', { name: 'Rate plans' }).isVisible()).resolves.toBe(true);
      await menu.getByRole('link', { name: 'Rate plans' }).click();
      await admin.waitForURL(`${base}/rate-plans`);
      // Wide screens show the menu itself, no button.
      await admin.setViewportSize({ width: 1280, height: 900 });
      await expect(admin.getByRole('navigation', { name: 'Main' }).isVisible()).resolves.toBe(true);
      await expect(admin.getByRole('button', { name: 'Menu' }).isVisible()).resolves.toBe(false);
    });
  });
});
