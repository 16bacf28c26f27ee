import { expect, openApp, screenshot, test } from './fixtures.ts';

test('opens on the LSTM parity example with a hint for newcomers', async ({ page }) => {
  await openApp(page);
  // Two notes: the newcomer's hint and the canvas legend ("Live colouring").
  await expect(page.getByRole('note').filter({ hasText: 'Start here' })).toContainText('press Train');
  await expect(page.locator('.cw-doc-name')).toContainText('LSTM');
  await expect(page.locator('.react-flow__node[data-id="c"]')).toContainText('memory');
  await screenshot(page, 'default-view.png');
});
