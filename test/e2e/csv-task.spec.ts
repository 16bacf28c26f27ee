/**
 * The user's own CSV as the training task: choose the file in the Training
 * tab, see its columns, train a few steps and see the loss; a bad row is
 * reported with its line number; a saved graph keeps only the file's name,
 * and reopened without the file it asks for the file again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, exportJson, openApp, openFile, RESULTS, screenshot, test } from './fixtures.ts';

test.use({ trace: 'off' });

const DIR = path.join(RESULTS, 'csv');

function writeCsv(name: string, rows: string[]): string {
  mkdirSync(DIR, { recursive: true });
  const file = path.join(DIR, name);
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

/** 240 rows of a slow wave and a faster one, and a text column the picker must refuse. */
function seriesRows(): string[] {
  const rows = ['t,temp,wind,note'];
  for (let i = 0; i < 240; i++) rows.push(`${i},${(20 + 5 * Math.sin(i / 8)).toFixed(3)},${(3 * Math.cos(i / 3)).toFixed(3)},${i % 2 ? 'odd' : 'even'}`);
  return rows;
}

function runState(page: Page): Promise<string | null> {
  return page.getByRole('status', { name: 'Run state' }).getAttribute('data-state');
}

async function chooseCsvTask(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Task', { exact: true }).selectOption('csv');
}

test('a CSV of my own: columns offered, a few steps trained, the loss shown; the saved graph keeps only its name', async ({ page }) => {
  test.setTimeout(90_000);
  const csv = writeCsv('series.csv', seriesRows());
  await openApp(page);
  await chooseCsvTask(page);
  // Before a file is chosen, training says what is missing instead of failing.
  await expect(page.locator('.cw-run-message')).toContainText('Choose a CSV file');
  await page.getByLabel('Choose CSV file').setInputFiles(csv);

  const columns = page.getByRole('group', { name: 'Columns found' });
  await expect(columns).toContainText('temp');
  await expect(page.getByLabel('CSV summary')).toContainText('240 rows · 4 columns');
  await expect(page.getByLabel('Input column note')).toBeDisabled();
  // The last numeric column is forecast from itself to start with; add wind as a second input.
  await expect(page.getByLabel('Input column wind')).toBeChecked();
  await expect(page.getByLabel('Target column wind')).toBeChecked();
  await page.getByLabel('Input column temp').check();
  await expect(page.getByLabel('Input column temp')).toBeChecked();
  await expect(page.getByRole('button', { name: /^csv · T = 20$/ })).toBeVisible();
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => Number(await page.getByLabel('Step count').textContent()), { timeout: 30_000 }).toBeGreaterThan(20);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect.poll(() => runState(page)).toBe('paused');
  const loss = Number(await page.locator('.cw-run-num').first().locator('b').textContent());
  expect(Number.isFinite(loss)).toBe(true);
  expect(loss).toBeGreaterThan(0);
  await screenshot(page, 'training-csv.png');

  // Saved: the task block names the file and its columns; the contents are not in the graph.
  const saved = JSON.parse(await exportJson(page)) as { task: Record<string, unknown>; nodes: { id: string; size?: number }[] };
  expect(saved.task).toMatchObject({ name: 'csv', file: 'series.csv', inputs: ['temp', 'wind'], targets: ['wind'] });
  expect(JSON.stringify(saved)).not.toContain('odd');
  expect(saved.nodes.find((n) => n.id === 'x')?.size).toBe(2);
  const graphFile = path.join(DIR, 'series-graph.json');
  writeFileSync(graphFile, JSON.stringify(saved));

  // Reopened in a fresh session, without the file: it asks for the file again.
  await openApp(page);
  await openFile(page, graphFile);
  await expect(page.locator('.cw-run-message')).toContainText('Choose the CSV file again: this graph trains on "series.csv"');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await page.getByRole('tab', { name: 'Training' }).click();
  await expect(page.getByText('Not loaded: choose the CSV file again (series.csv)')).toBeVisible();
  await page.getByLabel('Choose CSV file').setInputFiles(csv);
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
});

test('a CSV with a bad row: the panel names the line; skipping bad rows trains', async ({ page }) => {
  test.setTimeout(60_000);
  const rows = seriesRows();
  rows[4] = '4,21.5,oops,even';
  const bad = writeCsv('bad.csv', rows);
  await openApp(page);
  await chooseCsvTask(page);
  await page.getByLabel('Choose CSV file').setInputFiles(bad);
  const problem = page.getByRole('group', { name: 'Task problem' });
  // Line 5 of the file: the header is line 1.
  await expect(problem).toContainText('bad.csv: 1 bad row');
  await expect(problem).toContainText('bad.csv:5: column "wind" is "oops", not a number');
  await expect(page.locator('.cw-run-message')).toContainText('1 bad row');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await screenshot(page, 'training-csv-bad-row.png');

  await page.getByLabel('Bad rows').selectOption('skip');
  await expect(problem).toHaveCount(0);
  await expect.poll(() => runState(page), { timeout: 20_000 }).toBe('idle');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(page.getByLabel('Step count')).toHaveText('1');
});

test('the text task reads a text file of my own instead of the bundled one', async ({ page }) => {
  mkdirSync(DIR, { recursive: true });
  const file = path.join(DIR, 'abab.txt');
  writeFileSync(file, 'abab ab ba\n'.repeat(200));
  await openApp(page);
  await page.getByRole('tab', { name: 'Training' }).click();
  await page.getByLabel('Task', { exact: true }).selectOption('text');
  // The bundled text has dozens of symbols; this file has four (a, b, space, line end).
  await expect(page.locator('.cw-run-message')).not.toContainText('feeds 4 numbers');
  await page.getByLabel('Choose text file').setInputFiles(file);
  await expect(page.getByText(/abab\.txt: 2,200 characters/)).toBeVisible();
  await expect(page.locator('.cw-run-message')).toContainText('feeds 4 numbers per step');
  await page.getByRole('button', { name: 'Bundled text' }).click();
  await expect(page.locator('.cw-run-message')).not.toContainText('feeds 4 numbers');
});
