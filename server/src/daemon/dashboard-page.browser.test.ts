/**
 * The dashboard page in a real browser (headless Chromium through playwright-core): the bundle runs
 * under the page's CSP, renders the fixture state from the daemon callback, follows published
 * updates and both colour schemes. Skipped when Chromium is not installed (CHROMIUM_PATH or
 * /usr/bin/chromium; `npm run install-code-server` installs it).
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { StreamEndpoint } from './stream';
import { tmpDir } from '../../test/helpers';
import { dashboard, dashboardEarly } from '../../../webviews/test/fixtures';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = fs.existsSync(executablePath);

describe.skipIf(!available)(`dashboard page in headless Chromium (${executablePath})`, () => {
  let browser: Browser;
  let endpoint: StreamEndpoint;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
    endpoint = await StreamEndpoint.start(tmpDir('dashboard-page'), () => {});
  });
  afterAll(async () => {
    await browser?.close();
    await endpoint?.close();
  });

  /** Opens the page, recording page errors and console errors (CSP violations are reported there). */
  async function open(colorScheme: 'light' | 'dark'): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ colorScheme, viewport: { width: 900, height: 1000 } });
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await page.goto(endpoint.info.dashboard);
    return { page, errors };
  }

  it('renders the state from the daemon callback and follows published updates without errors', async () => {
    endpoint.dashboard.setSource({ getDashboard: async () => dashboard });
    const { page, errors } = await open('dark');
    // Status and checks come first; the checkpoint timeline is folded under its summary.
    await page.getByLabel('Checks summary').waitFor();
    expect(await page.getByLabel('Checks summary').textContent()).toBe('1 passed · 0 warnings · 1 failed');
    await page.getByText(/^Checkpoints \(/).click();
    expect(await page.getByRole('table', { name: 'Checkpoint timeline' }).getByRole('row').count()).toBe(5);
    // Charts drew (Chart.js sets the canvas size when it renders).
    const drawn = await page.locator('canvas').evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).width > 0));
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.every(Boolean)).toBe(true);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await background()).toBe('rgb(24, 24, 24)'); // Dark Modern side bar

    // Suspects are folded: open them, then a row opens its place.
    await page.getByLabel('Suspect rows summary').click();
    await page.getByRole('table', { name: 'Suspect rows' }).getByRole('row').nth(1).click();
    expect(await page.locator('#glassbox-notice').textContent()).toContain('/ws/data/adult_train.csv:');

    endpoint.dashboard.publish(dashboardEarly);
    // A pending checkpoint says so ("queued" only when the daemon has queued it).
    await page.getByText('not analysed', { exact: false }).first().waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('uses the light theme when the system asks for it and shows the waiting state', async () => {
    endpoint.dashboard.setSource({ getDashboard: async () => null });
    const { page, errors } = await open('light');
    await page.getByText('Nothing to show yet', { exact: false }).waitFor();
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(248, 248, 248)');
    expect(errors).toEqual([]);
    await page.close();
  });
});
