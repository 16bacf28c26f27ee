/**
 * Sweep… as a user does it: from the Runs dialog, sweep the learning rate
 * and the sequence length of the Elman RNN, watch the runs train in the
 * background and fill the results table, compare their curves, and export
 * the SPEC and results.csv — which `cellwright sweep` reproduces row for row (to the
 * last bits the browser's and node's WebAssembly kernels share).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { download, expect, openApp, ROOT, screenshot, test, trainingSettled } from './fixtures.ts';

const CLI = path.join(ROOT, 'cli/cellwright.mjs');

test.use({ trace: 'off', viewport: { width: 1280, height: 800 } });

/** results.csv as rows of cells, without the wall-time column. */
const cells = (csv: string): string[][] => {
  const [head, ...lines] = csv.trim().split('\n');
  const at = head.split(',').indexOf('seconds');
  return [head, ...lines].map((l) => l.split(',').filter((_, i) => i !== at));
};

/**
 * The same rows: every cell equal, numbers to the last bits the kernels
 * share. Chromium runs the relaxed-SIMD (fused multiply-add) products and
 * Node 20 the plain SIMD ones, so the two differ in the final bits of a
 * float64 (same kernels, same bits: renderer/experiments/sweep.test.ts).
 */
function expectSameRows(app: string, cli: string): void {
  const a = cells(app);
  const b = cells(cli);
  expect(a.length).toBe(b.length);
  a.forEach((row, i) => row.forEach((cell, j) => {
    const x = Number(cell);
    const y = Number(b[i][j]);
    if (cell !== '' && Number.isFinite(x) && !Number.isInteger(x)) expect(Math.abs(x - y), `row ${i} column ${b[0][j]}`).toBeLessThanOrEqual(1e-12 * Math.abs(y));
    else expect(cell, `row ${i} column ${b[0][j]}`).toBe(b[i][j]);
  }));
}

for (const theme of ['light', 'dark'] as const) {
  test(`a sweep over two settings trains every combination, shows the results and compares the curves (${theme})`, async ({ page }) => {
    test.setTimeout(150_000);
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.getByRole('button', { name: 'Open example' }).click();
    await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
    await trainingSettled(page);
    await page.getByRole('button', { name: 'Runs (0)' }).click();
    await page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('button', { name: 'Sweep…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sweep settings' });
    await expect(dialog).toBeVisible();

    // A typo is refused, saying which field.
    await dialog.getByLabel('Seeds').fill('1, x');
    await expect(dialog.getByRole('alert', { name: 'Sweep problems' })).toContainText('seeds: whole numbers');
    await expect(dialog.getByRole('button', { name: 'Start sweep' })).toBeDisabled();
    await screenshot(page, `sweep-problem-${theme}.png`);

    await dialog.getByLabel('Setting', { exact: true }).selectOption('training.lr');
    await dialog.getByLabel('Values', { exact: true }).fill('0.03, 0.003');
    await dialog.getByLabel('Second setting').selectOption('task.length');
    await dialog.getByLabel('Its values').fill('10 20');
    await dialog.getByLabel('Seeds').fill('1');
    await dialog.getByLabel('Steps per run').fill('40');
    await expect(dialog.getByText('4 runs')).toBeVisible();
    await dialog.getByRole('button', { name: 'Start sweep' }).click();

    const table = dialog.getByRole('table', { name: 'Sweep results' });
    await expect(table.locator('tbody tr')).toHaveCount(4);
    await expect(dialog.getByRole('status', { name: 'Sweep progress' })).toHaveText(/^4 of 4 runs done · best mse [\d.e-]+ \(/, { timeout: 120_000 });
    await expect(table.locator('tbody tr[data-status="done"]')).toHaveCount(4);
    const first = table.getByRole('row', { name: /lr_0\.03_length_10-s1$/ });
    await expect(first).toContainText('40 steps');
    await expect(first.getByRole('cell').nth(4)).toHaveText(/^\d/);
    await expect(table.locator('tr.is-best')).toHaveCount(1);
    await screenshot(page, `sweep-${theme}.png`);

    // The SPEC holds the graph; cellwright sweep on it gives the rows the app exported.
    const spec = await download(page, () => dialog.getByRole('button', { name: 'Export SPEC…' }).click());
    const parsed = JSON.parse(spec.text) as { graphs: Array<{ graph: { nodes: unknown[] } }>; grid: Record<string, unknown[]>; steps: number };
    expect(parsed.grid).toEqual({ 'training.lr': [0.03, 0.003], 'task.length': [10, 20] });
    expect(parsed.steps).toBe(40);
    expect(parsed.graphs[0].graph.nodes.length).toBeGreaterThan(3);
    const csv = await download(page, () => dialog.getByRole('button', { name: 'Results CSV…' }).click());
    const dir = mkdtempSync(path.join(tmpdir(), 'cw-e2e-sweep-'));
    writeFileSync(path.join(dir, 'sweep.json'), spec.text);
    execFileSync(process.execPath, [CLI, 'sweep', path.join(dir, 'sweep.json'), '--out', path.join(dir, 'out'), '--jobs', '1', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    expectSameRows(csv.text, readFileSync(path.join(dir, 'out', 'results.csv'), 'utf8'));

    // Compare the sweep's curves: four runs overlaid, the swept settings highlighted.
    await dialog.getByRole('button', { name: 'Compare curves' }).click();
    const runs = page.getByRole('dialog', { name: 'Runs and comparison' });
    await expect(runs).toBeVisible();
    await expect(runs.getByRole('list', { name: 'Runs', exact: true }).getByRole('listitem')).toHaveCount(4);
    await expect(runs.getByRole('list', { name: 'Compared runs' }).getByRole('listitem')).toHaveCount(4);
    const compared = runs.getByRole('table', { name: 'Runs compared' });
    await expect(compared.getByRole('row', { name: /training\.lr/ })).toHaveAttribute('data-differs', 'true');
    await expect(compared.getByRole('row', { name: /task\.length/ })).toHaveAttribute('data-differs', 'true');
    await screenshot(page, `sweep-compare-${theme}.png`);
  });
}

test('Stop sweep keeps what the running run trained and starts no more', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Runs (0)' }).click();
  await page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('button', { name: 'Sweep…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sweep settings' });
  await dialog.getByLabel('Values', { exact: true }).fill('0.01, 0.003, 0.001');
  await dialog.getByLabel('Seeds').fill('1 2');
  await dialog.getByLabel('Steps per run').fill('100000');
  await expect(dialog.getByText('6 runs')).toBeVisible();
  await dialog.getByRole('button', { name: 'Start sweep' }).click();
  const table = dialog.getByRole('table', { name: 'Sweep results' });
  await expect(table.locator('tbody tr[data-status="training"]').first()).toContainText(/step [1-9]\d* \/ 100000/, { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Stop sweep' }).click();
  await expect(dialog.getByRole('button', { name: 'Start sweep' })).toBeEnabled();
  await expect(table.locator('tbody tr[data-status="stopped"]')).toHaveCount(6);
  await expect(table.locator('tbody tr').filter({ hasText: 'not run' })).not.toHaveCount(0);
  // The stopped runs are in the history, marked stopped, with what they trained.
  await dialog.getByRole('button', { name: 'Compare curves' }).click();
  const runs = page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('list', { name: 'Runs', exact: true }).getByRole('listitem');
  await expect(runs.first()).toContainText(/stopped/);
  await expect(runs.filter({ hasText: 'training' })).toHaveCount(0);
});

test('Escape closes the Sweep and Runs dialogs, and a canvas shortcut does not act behind a dialog', async ({ page }) => {
  await openApp(page);
  await trainingSettled(page);
  const nodes = page.locator('.react-flow__node');
  const before = await nodes.count();
  await page.locator('.react-flow__node').first().click();
  await page.getByRole('button', { name: 'Runs (0)' }).click();
  const runs = page.getByRole('dialog', { name: 'Runs and comparison' });
  await runs.getByRole('button', { name: 'Sweep…' }).click();
  const sweep = page.getByRole('dialog', { name: 'Sweep settings' });
  await expect(sweep).toBeVisible();
  // Delete with a node selected behind the dialog: nothing is deleted.
  await page.keyboard.press('Delete');
  await page.keyboard.press('Escape');
  await expect(sweep).toBeHidden();
  await expect(nodes).toHaveCount(before);
  await page.getByRole('button', { name: 'Runs (0)' }).click();
  await expect(runs).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(runs).toBeHidden();
  // The shortcuts work again once no dialog is open.
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
});
