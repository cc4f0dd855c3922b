import type { Browser, Page } from 'playwright-core';
import { callId, callTree, cdrBody, postCdr, update } from '../factories/calls';
import { addNumber, unique } from '../factories/customers';
import { insertPerson } from '../factories/rows';
import type { TestApp } from './app';

/**
 * A small but complete site for the browser suite to walk: the system owner, a reseller with its own
 * rate plan, deck and login, a customer under it (not a reseller) with lines, mailboxes, numbers,
 * people, a call and an affiliate, and a sibling that is its affiliate.
 */
export interface Site {
  reseller: { id: number; name: string; username: string; password: string; planId: number };
  customer: { id: number; name: string; username: string; password: string; planId: number };
  affiliate: { id: number; name: string };
}

export const RESELLER_NAME = 'Northwind Telecom';
export const CUSTOMER_NAME = 'Acme Widgets Ltd';
export const AFFILIATE_NAME = 'Partner Sales Co';

export async function seedSite(t: TestApp): Promise<Site> {
  const tree = await callTree(t, { customerCredit: '25.00' });
  await update(t, tree.reseller.id, { name: RESELLER_NAME, accountNumber: 'NW-1' });
  await update(t, tree.customer.id, { name: CUSTOMER_NAME, accountNumber: 'ACME-1' });
  const reseller = { username: unique('northwind-'), password: 'a-long-password-1' };
  await insertPerson(t, tree.reseller.id, { ...reseller, displayName: 'Nora North' });
  const customer = { username: unique('acme-'), password: 'a-long-password-1' };
  await insertPerson(t, tree.customer.id, { ...customer, displayName: 'Alice Acme' });

  const c = tree.customer.id;
  const post = async (path: string, body: Record<string, unknown>): Promise<Record<string, any>> => {
    const res = await t.http.post(path).set(t.auth).send(body);
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, any>;
  };
  const line = await post(`/api/v1/customers/${c}/sip-accounts`, { displayName: 'Reception' });
  await post(`/api/v1/customers/${c}/mailboxes`, { mailbox: '2001', email: 'vm@acme.example' });
  const number = await addNumber(t, tree.reseller.id, '441632960555', c);
  await t.http.patch(`/api/v1/customers/${c}/numbers/${number.id}`).set(t.auth).send({ sipAccountId: line.id });
  await addNumber(t, tree.reseller.id, '441632960556');
  await post(`/api/v1/customers/${c}/people`, {
    username: unique('jane-'),
    displayName: 'Jane Doe',
    email: 'jane@acme.example',
    role: 'user',
    password: 'a-long-password-1',
  });
  const cdr = await postCdr(t, tree.switchAuth, cdrBody(c, callId(), 95));
  if (cdr.status !== 201) throw new Error(`CDR: ${cdr.status} ${JSON.stringify(cdr.body)}`);
  const affiliate = await post('/api/v1/customers', {
    type: 'normal',
    name: AFFILIATE_NAME,
    email: 'partner@example.com',
    parentId: tree.reseller.id,
    ratePlanId: tree.customerPlanId,
  });
  const withAffiliate = await t.http
    .patch(`/api/v1/customers/${c}`)
    .set(t.auth)
    .send({ affiliate: { customerId: affiliate.id, percentage: '5', basis: 'revenue' } });
  if (withAffiliate.status !== 200) throw new Error(`affiliate: ${withAffiliate.status} ${JSON.stringify(withAffiliate.body)}`);
  return {
    reseller: { id: tree.reseller.id, name: RESELLER_NAME, ...reseller, planId: tree.resellerPlanId },
    customer: { id: c, name: CUSTOMER_NAME, ...customer, planId: tree.customerPlanId },
    affiliate: { id: affiliate.id as number, name: AFFILIATE_NAME },
  };
}

/** A new browser context (own cookies) logged in through the login form. */
export async function loggedInPage(browser: Browser, base: string, username: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

/** Switches the page's session to a customer through its page's "Switch to" button. */
export async function switchTo(page: Page, base: string, customerId: number): Promise<void> {
  await page.goto(`${base}/customers/${customerId}`);
  await page.getByRole('button', { name: 'Switch to' }).click();
  await page.waitForURL(`${base}/`);
}

/** The browser's DOMParser, used inside page.evaluate (the tests compile without the DOM library). */
declare const DOMParser: new () => {
  parseFromString(html: string, type: string): { querySelectorAll(q: string): ArrayLike<{ getAttribute(name: string): string | null }> };
};

export interface Visit {
  url: string;
  status: number;
  /** The page that links here. */
  from: string;
  /** The answer's media type ('' before the visit). */
  type?: string;
}

/** Paths whose pages are not ours to walk (Swagger UI) or that would end the session. */
const NOT_WALKED = [/^\/api\//, /^\/logout/];

/**
 * A same-origin link's shape, digits as N ("/customers/N/edit?page"), so that a long list of
 * customers or pages is sampled rather than walked whole.
 */
export const routeOf = (u: URL): string => `${u.pathname.replace(/\d+/g, 'N')}?${[...u.searchParams.keys()].sort().join('&')}`;

/**
 * Follows every same-origin link (`a[href]`) from `start` with the page's session, breadth first, at
 * most `perRoute` URLs per route shape: answers each URL visited with its status and where it was
 * linked from. Only GET, so nothing changes.
 */
export async function crawl(page: Page, base: string, start = '/', perRoute = 3, max = 400): Promise<Visit[]> {
  const origin = new URL(base).origin;
  const queue: Visit[] = [{ url: new URL(start, base).href, status: 0, from: '(start)' }];
  const seen = new Set<string>([queue[0].url]);
  const perShape = new Map<string, number>();
  const visited: Visit[] = [];
  while (queue.length && visited.length < max) {
    const v = queue.shift()!;
    const res = await page.request.get(v.url, { maxRedirects: 5, failOnStatusCode: false });
    const type = res.headers()['content-type'] ?? '';
    visited.push({ ...v, status: res.status(), type });
    const path = new URL(v.url).pathname;
    if (!res.ok() || !type.startsWith('text/html') || NOT_WALKED.some((r) => r.test(path))) continue;
    const html = await res.text();
    const hrefs = await page.evaluate(
      ([doc, url]) =>
        Array.from(new DOMParser().parseFromString(doc, 'text/html').querySelectorAll('a[href]')).map((a) =>
          new URL(a.getAttribute('href')!, url).href.replace(/#.*$/, ''),
        ),
      [html, v.url] as const,
    );
    for (const href of hrefs) {
      const u = new URL(href);
      if (u.origin !== origin || seen.has(u.href)) continue;
      seen.add(u.href);
      const shape = routeOf(u);
      const n = perShape.get(shape) ?? 0;
      if (n >= perRoute) continue;
      perShape.set(shape, n + 1);
      queue.push({ url: u.href, status: 0, from: v.url });
    }
  }
  return visited;
}
