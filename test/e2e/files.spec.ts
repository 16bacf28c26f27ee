/** Every example opens and exports byte for byte; autosave is offered back after a reload. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLES_DIR, expect, exportJson, openApp, openFile, test } from './fixtures.ts';

const examples = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json') && !name.endsWith('.data.json')).sort();

test('every example file opens and exports unchanged', async ({ page }) => {
  expect(examples.length).toBeGreaterThanOrEqual(9);
  await openApp(page);
  for (const name of examples) {
    const file = path.join(EXAMPLES_DIR, name);
    await openFile(page, file);
    await expect(page.locator('.cw-doc-file')).toContainText(name);
    expect(await exportJson(page), name).toBe(readFileSync(file, 'utf8'));
  }
});

test('Import on an empty canvas takes the whole file; unsaved work is offered back after a reload', async ({ page }) => {
  await openApp(page, 'empty');
  const file = path.join(EXAMPLES_DIR, 'worked-3-parity.json');
  await openFile(page, file, 'Import');
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  const imported = await exportJson(page);
  expect(imported).toBe(readFileSync(file, 'utf8'));
  // Edit, wait for the autosave, reload: the work is offered back.
  await page.locator('.react-flow__node').first().click();
  await page.keyboard.press('Delete');
  const edited = await exportJson(page);
  // The autosave of this edit, not an earlier one (an autosave may already hold the import).
  await expect.poll(() => page.evaluate(() => {
    const raw = localStorage.getItem('cellwright:autosave');
    return raw === null ? null : (JSON.parse(raw) as { text: string }).text;
  })).toBe(edited);
  page.on('dialog', (dialog) => void dialog.accept());
  await page.reload();
  const banner = page.getByRole('region', { name: 'Unsaved work' });
  await expect(banner).toBeVisible();
  await banner.getByRole('button', { name: 'Restore' }).click();
  expect(await exportJson(page)).toBe(edited);
});
