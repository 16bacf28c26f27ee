/**
 * Shared helpers for the editor specs: Chromium presence (skip locally, fail
 * under CI), app start-up, and canvas gestures done the way a person does
 * them (drag from the palette, drag between handles).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Download, type Locator, type Page } from '@playwright/test';
import { chromiumPath, INSTALL_HINT } from './chromium.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const EXAMPLES_DIR = path.join(ROOT, 'assets/examples');
export const SCREENSHOTS = path.join(ROOT, 'artifacts/screenshots');
export const RESULTS = path.join(ROOT, 'test-results');

export const test = base.extend<{ app: Page }>({
  app: async ({ page }, use) => {
    await use(page);
  },
});

// Decided before any browser fixture is made: skip locally, fail under CI.
if (!chromiumPath() && process.env.CI) {
  test('Chromium is installed', () => {
    throw new Error(INSTALL_HINT);
  });
}
test.skip(() => !chromiumPath() && !process.env.CI, INSTALL_HINT);

export { expect };

/** Open the app; `query` e.g. 'empty' for an empty canvas. Files go through upload/download. */
export async function openApp(page: Page, query = ''): Promise<void> {
  const params = new URLSearchParams(query);
  params.set('fallback-files', '1');
  await page.goto(`/?${params.toString()}`);
  await expect(page.getByRole('toolbar', { name: 'Toolbar' })).toBeVisible();
  if (!params.has('empty')) await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

export function nodeLocator(page: Page, id: string): Locator {
  return page.locator(`.react-flow__node[data-id="${id}"]`);
}

/**
 * Wait until no compile is pending: its result can add or remove the run
 * bar's message row, which moves the canvas under a gesture in progress.
 */
export async function trainingSettled(page: Page): Promise<void> {
  await expect(page.getByRole('toolbar', { name: 'Training' })).not.toHaveAttribute('aria-busy', 'true', { timeout: 20_000 });
}

/** Drag a palette item (a node kind or a template) onto the canvas at a point relative to the canvas. */
export async function dragFromPalette(page: Page, name: string, at: { x: number; y: number }): Promise<void> {
  await trainingSettled(page);
  const item = page.getByRole('button', { name, exact: true });
  const pane = page.locator('.react-flow__pane');
  await item.dragTo(pane, { targetPosition: at });
}

/** Drag from a node's output handle to another node's input handle (or a loss port). */
export async function connect(page: Page, source: string, target: string, port?: 'prediction' | 'target'): Promise<void> {
  await trainingSettled(page);
  const from = nodeLocator(page, source).locator('.react-flow__handle.source');
  // Into the handle; a node with no input handle (input, target) is aimed at its middle.
  const handles = nodeLocator(page, target).locator(port ? `.react-flow__handle.target[data-handleid="${port}"]` : '.react-flow__handle.target');
  const to = (await handles.count()) > 0 ? handles.first() : nodeLocator(page, target);
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error(`handles not visible for ${source} → ${target}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

export async function selectNode(page: Page, id: string): Promise<void> {
  await nodeLocator(page, id).click();
}

export async function download(page: Page, action: () => Promise<void>): Promise<{ download: Download; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), action()]);
  const file = await dl.path();
  return { download: dl, text: readFileSync(file, 'utf8') };
}

export async function exportJson(page: Page): Promise<string> {
  const { text } = await download(page, () => page.getByRole('button', { name: 'Export JSON' }).click());
  return text;
}

/** Fonts loaded and two frames painted: what a person would see. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await settle(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** Open a graph file through the Open button (upload fallback). */
export async function openFile(page: Page, file: string, button: 'Open' | 'Import' = 'Open'): Promise<void> {
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: button, exact: true }).click()]);
  await chooser.setFiles(file);
}

/** Wait for a node's vanishing-gradient badge, open it, and return its popover (explanation and fixes). */
export async function openVanishingBadge(page: Page, node: string): Promise<Locator> {
  const badge = nodeLocator(page, node).getByRole('button', { name: `vanishing gradient at ${node}` });
  await expect(badge).toBeVisible({ timeout: 20_000 });
  await badge.click();
  const pop = page.getByRole('dialog', { name: `vanishing gradient at ${node}` });
  await expect(pop).toContainText('Vanishing gradient');
  return pop;
}

/** The README's vanishing Elman: the Elman RNN template (adding task) with T = 100, compiled. */
export async function openElmanAdding100(page: Page): Promise<void> {
  await page.getByRole('complementary', { name: 'Palette' }).getByRole('button', { name: 'Elman RNN', exact: true }).click();
  await page.getByRole('tab', { name: 'Training' }).click();
  const length = page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: 'Sequence length T' });
  await length.fill('100');
  await length.press('Enter');
  await expect(page.getByRole('button', { name: /adding · T = 100/ })).toBeVisible({ timeout: 20_000 });
  await trainingSettled(page);
}
