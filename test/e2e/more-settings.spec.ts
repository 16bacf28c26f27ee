/**
 * The settings most runs leave alone (optimizer details, learning-rate decay,
 * flag thresholds, the validation set) sit under "More settings" in the
 * Training tab: set there, they are what the file saves and what the run uses.
 */
import type { Page } from '@playwright/test';
import { expect, exportJson, openApp, screenshot, test } from './fixtures.ts';

test.use({ trace: 'off' });

async function setField(page: Page, role: 'spinbutton' | 'textbox', label: string, value: string): Promise<void> {
  const field = page.getByRole('region', { name: 'Training settings' }).getByRole(role, { name: label, exact: true });
  await field.fill(value);
  await field.press('Enter');
}

test('More settings: a learning-rate decay, Adam betas and a vanishing threshold set in the panel are saved, and a bad pair is refused', async ({ page }) => {
  await openApp(page);
  await page.getByRole('tab', { name: 'Training' }).click();
  const panel = page.getByRole('region', { name: 'Training settings' });
  const more = panel.locator('summary', { hasText: 'More settings' });
  await expect(panel.getByRole('spinbutton', { name: 'Decay the rate every (steps)' })).toBeHidden();
  await more.click();
  await setField(page, 'spinbutton', 'Decay the rate every (steps)', '200');
  await setField(page, 'spinbutton', 'Decay factor', '0.3');
  await setField(page, 'spinbutton', 'Flag vanishing below', '0.001');
  // A pair with one number is refused with what it needs, and nothing is written.
  const betas = panel.getByRole('textbox', { name: 'Adam β1, β2', exact: true });
  await expect(betas).toHaveValue('0.9, 0.999');
  await betas.fill('0.8');
  await betas.press('Enter');
  await expect(panel.getByText(/Two numbers separated by a comma, each ≥ 0 and < 1/)).toBeVisible();
  await setField(page, 'textbox', 'Adam β1, β2', '0.8, 0.99');
  await screenshot(page, 'more-settings.png');
  const saved = JSON.parse(await exportJson(page)) as { training: Record<string, unknown> };
  expect(saved.training).toMatchObject({ schedule: { every: 200, gamma: 0.3 }, flags: { vanishing: 0.001 }, betas: [0.8, 0.99] });
  // One undo takes back the last change only.
  await page.keyboard.press('Control+z');
  await expect(betas).toHaveValue('0.9, 0.999');
  await expect(panel.getByRole('spinbutton', { name: 'Decay factor', exact: true })).toHaveValue('0.3');
  // Switching to RMSProp shows its own details instead of Adam's.
  await panel.getByRole('combobox', { name: 'Optimizer' }).selectOption('rmsprop');
  await expect(panel.getByRole('spinbutton', { name: 'Smoothing α', exact: true })).toHaveValue('0.99');
  await expect(betas).toHaveCount(0);
});
