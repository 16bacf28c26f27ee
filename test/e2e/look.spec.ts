import { expect, openApp, screenshot, test } from './fixtures.ts';

test('opens on the LSTM parity example with a hint for newcomers', async ({ page }) => {
  await openApp(page);
  await expect(page.getByRole('note')).toContainText('Start here');
  await expect(page.locator('.cw-doc-name')).toContainText('LSTM');
  await expect(page.locator('.react-flow__node[data-id="c"]')).toContainText('memory');
  await screenshot(page, 'default-view.png');
});
