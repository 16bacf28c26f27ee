/**
 * How a run ends: the step counter never shows more steps than planned, and a
 * run whose loss blew up says "diverged" (never "finished") and offers the
 * fixes, which start training again from fresh weights.
 */
import type { Page } from '@playwright/test';
import { expect, openApp, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off' });

function runState(page: Page) {
  return page.getByRole('status', { name: 'Run state' });
}

async function setField(page: Page, label: string, value: string): Promise<void> {
  const field = page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: label, exact: true });
  await field.fill(value);
  await field.press('Enter');
}

async function counter(page: Page): Promise<{ step: number; of: number }> {
  const step = Number(await page.getByLabel('Step count').textContent());
  const of = Number((await page.locator('.cw-run-of').textContent())?.replace(/[^0-9]/g, ''));
  return { step, of };
}

test('a run that blows up says diverged and offers fixes; the counter never passes the plan', async ({ page }) => {
  test.setTimeout(90_000);
  await openApp(page);
  await page.getByRole('button', { name: 'Open example' }).click();
  await page.getByRole('menuitem', { name: /^Elman RNN/ }).click();
  await page.getByRole('tab', { name: 'Training' }).click();
  await setField(page, 'Steps', '40');
  await setField(page, 'Learning rate', '50');
  await trainingSettled(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(runState(page)).toHaveText('diverged', { timeout: 30_000 });
  await expect(runState(page)).not.toHaveText('finished');
  const alert = page.locator('.cw-run-message[role="alert"]');
  await expect(alert).toContainText('diverged');
  expect(await counter(page)).toEqual({ step: 40, of: 40 });
  await screenshot(page, 'run-diverged.png');

  // Train again: another run of the same length is planned, and the counter says so.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(async () => (await counter(page)).step, { timeout: 30_000 }).toBe(80);
  expect((await counter(page)).of).toBe(80);

  // The fix: a smaller learning rate, and training starts over from fresh weights (no offer to keep the blown-up ones).
  await alert.getByRole('button', { name: 'Lower the learning rate (÷10)' }).click();
  await expect(page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: 'Learning rate', exact: true })).toHaveValue('5');
  await trainingSettled(page);
  await expect(page.getByRole('group', { name: 'Keep learned parameters' })).toHaveCount(0);
  await expect(page.getByLabel('Step count')).toHaveText('0');
});
