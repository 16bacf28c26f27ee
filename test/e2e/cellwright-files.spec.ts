// Cellwright's own extension in the browser edition: Save writes NAME.cellwright,
// that file opens again, a .json graph still opens, and a file that cannot be
// opened says which and why while the document stays as it was.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { download, EXAMPLES_DIR, expect, openApp, openFile, RESULTS, screenshot, test } from './fixtures.ts';

test('a new graph saves as .cellwright and opens again; .json still opens; a broken file says why', async ({ page }) => {
  await openApp(page);
  const saved = await download(page, () => page.getByRole('button', { name: 'Save', exact: true }).click());
  expect(saved.download.suggestedFilename()).toMatch(/\.cellwright$/);
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, saved.download.suggestedFilename());
  writeFileSync(file, saved.text);

  await openFile(page, path.join(EXAMPLES_DIR, 'gru.json'));
  await expect(page.locator('.react-flow__node[data-id="h"]')).toBeVisible();
  const gruNodes = await page.locator('.react-flow__node').count();
  await openFile(page, file);
  await expect(page.locator('.react-flow__node')).not.toHaveCount(gruNodes);
  await expect(page.locator('.cw-notice.is-error')).toHaveCount(0);

  const broken = path.join(RESULTS, 'broken.cellwright');
  writeFileSync(broken, '{"format": "cellwright-graph", "nodes": [');
  const before = await page.locator('.react-flow__node').count();
  await openFile(page, broken);
  await expect(page.getByRole('alert')).toContainText(/broken\.cellwright was not opened: (\S+: )?not valid JSON at line 1, column \d+/);
  await expect(page.locator('.react-flow__node')).toHaveCount(before);
  await screenshot(page, 'open-broken-cellwright.png');
});
