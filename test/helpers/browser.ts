import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp } from './app';

/** Debian's chromium (`apt-get install chromium`), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for a person to look at. */
export const OUT = join(__dirname, '..', '..', 'test-output');
/** `describe` where Chromium is installed, `describe.skip` elsewhere. */
export const describeBrowser = existsSync(CHROMIUM) ? describe : describe.skip;

/** Lets the test app listen on a free local port; answers its base URL. */
export async function listenLocally(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
}

/** Headless Chromium with one page at a laptop size (1280×900); creates the screenshot folder. */
export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  return { browser, page };
}
