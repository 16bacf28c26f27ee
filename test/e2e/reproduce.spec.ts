/**
 * The Reproduce gallery as a user meets it: every preset with its paper and
 * published result; running one asks before dropping unsaved work, opens the
 * preset's cell as the document, trains its quick form in the background
 * (its runs in the run history) and shows PASS with the measured numbers.
 */
import { expect, openApp, screenshot, test, trainingSettled } from './fixtures.ts';

test.use({ trace: 'off', viewport: { width: 1280, height: 800 } });

for (const theme of ['light', 'dark'] as const) {
  test(`the gallery lists the presets, and temporal-order's quick form opens, trains and passes (${theme})`, async ({ page }) => {
    test.setTimeout(120_000);
    await openApp(page);
    if (theme === 'dark') await page.getByRole('button', { name: 'Dark theme' }).click();
    await trainingSettled(page);
    await page.getByRole('button', { name: /^Runs/ }).click();
    await page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('button', { name: 'Reproduce…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reproduce a classic result' });
    const presets = dialog.getByRole('list', { name: 'Presets' }).getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Run quick form' }) });
    await expect(presets).toHaveCount(7);
    const adding = dialog.getByRole('listitem', { name: 'adding', exact: true });
    await expect(adding).toContainText('The adding problem at T = 100');
    await expect(adding).toContainText('Hochreiter & Schmidhuber 1997');
    await expect(adding).toContainText(/Published.*LSTM solves T = 100/);
    await screenshot(page, `reproduce-gallery-${theme}.png`);

    // Unsaved work is not dropped silently: dismissing the question keeps the document.
    const name = page.locator('.cw-doc-name');
    const before = await name.textContent();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('tab', { name: 'Training' }).click();
    const steps = page.getByRole('region', { name: 'Training settings' }).getByRole('spinbutton', { name: 'Steps', exact: true });
    await steps.fill('77');
    await steps.press('Enter');
    await page.getByRole('button', { name: /^Runs/ }).click();
    await page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('button', { name: 'Reproduce…' }).click();
    const order = dialog.getByRole('listitem', { name: 'temporal-order', exact: true });
    page.once('dialog', (d) => void d.dismiss());
    await order.getByRole('button', { name: 'Run quick form' }).click();
    await expect(order.getByRole('status')).toHaveCount(0);
    await expect(name).toHaveText(before ?? '');
    await expect(steps).toHaveValue('77');

    // Accepting opens the preset's cell with its task, and trains it.
    page.once('dialog', (d) => void d.accept());
    await order.getByRole('button', { name: 'Run quick form' }).click();
    const verdict = order.getByRole('status', { name: 'temporal-order verdict' });
    await expect(verdict).toContainText(/Training the quick form|PASS/);
    await expect(verdict).toContainText('PASS', { timeout: 90_000 });
    await expect(verdict).toContainText(/LSTM test accuracy \d+\.\d% \(≥ 90%: yes\)/);
    await screenshot(page, `reproduce-pass-${theme}.png`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(name).toHaveText(/^LSTM .* — temporal-order \(quick\)$/);
    await expect(page.locator('.cw-run-task')).toContainText('temporal');
    await page.getByRole('button', { name: 'Runs (1)' }).click();
    await expect(page.getByRole('dialog', { name: 'Runs and comparison' }).getByRole('listitem')).toContainText(['reproduce temporal-order (quick)']);
  });
}
