/** A model imported from ONNX opens in the app as an ordinary graph: named gates, laid out, runnable. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importOnnx } from '../../engine/import/onnx.ts';
import type { Page } from '@playwright/test';
import { expect, openApp, openFile, ROOT, screenshot, test } from './fixtures.ts';

type Box = { x: number; y: number; w: number; h: number };

/** No two nodes on top of each other (a quarter of the smaller one at most). */
function expectApart(boxes: Box[]): void {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
      expect(overlap, `nodes ${i} and ${j} overlap`).toBeLessThan(0.25 * Math.min(a.w * a.h, b.w * b.h));
    }
  }
}

test('an ONNX LSTM with a Linear head opens with its gates named and apart', async ({ page }) => {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, 'test/fixtures/models/torch_lstm_head.onnx')));
  const { graph } = importOnnx(bytes, 'torch_lstm_head.onnx');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cw-e2e-')), 'imported-lstm.json');
  writeFileSync(file, JSON.stringify(graph, null, 2));
  await openApp(page);
  await openFile(page, file);
  await expect(page.locator('.cw-doc-file')).toContainText('imported-lstm.json');
  for (const word of ['input', 'forget', 'output', 'candidate', 'head (Linear)']) await expect(page.locator('.react-flow__node', { hasText: word }).first()).toBeVisible();
  await expect(page.locator('.react-flow__node')).toHaveCount(graph.nodes.length);
  expectApart(await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height }))));
  await screenshot(page, 'imported-onnx-lstm.png');
});

for (const name of ['torch_lstm_2layers', 'gru_affine_clip', 'lstm_sequence_lens', 'lstm_leaky_elu_softsign', 'torch_lstm_bi_2layers', 'lstm_bidirectional_sequence_lens']) {
  test(`imported ${name}: every node visible, none on top of another`, async ({ page }) => {
    const { graph } = importOnnx(new Uint8Array(readFileSync(path.join(ROOT, `test/fixtures/models/${name}.onnx`))), `${name}.onnx`);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cw-e2e-')), `${name}.json`);
    writeFileSync(file, JSON.stringify(graph, null, 2));
    await openApp(page);
    await openFile(page, file);
    await expect(page.locator('.cw-doc-file')).toContainText(`${name}.json`);
    await expect(page.locator('.react-flow__node')).toHaveCount(graph.nodes.length);
    expectApart(await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height }))));
    await screenshot(page, `imported-${name}.png`);
  });
}

/** Drops a fixture model file on the canvas, as a file dragged from the desktop. */
async function dropFile(page: Page, fixture: string, name: string): Promise<void> {
  const bytes = [...readFileSync(path.join(ROOT, 'test/fixtures/models', fixture))];
  const transfer = await page.evaluateHandle(([data, fileName]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data as number[])], fileName as string));
    return dt;
  }, [bytes, name] as const);
  await page.locator('.cw-canvas').dispatchEvent('drop', { dataTransfer: transfer });
}

test('Import model in the toolbar and a model dropped on the canvas both open it with its gates', async ({ page }) => {
  await openApp(page);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Import model', exact: true }).click()]);
  await chooser.setFiles(path.join(ROOT, 'test/fixtures/models/gru_lbr0.onnx'));
  await expect(page.locator('.react-flow__node', { hasText: 'reset' }).first()).toBeVisible();
  await expect(page.locator('.react-flow__node', { hasText: 'update' }).first()).toBeVisible();
  await expect(page.locator('.cw-doc-title, .cw-doc-file').first()).toContainText('GRU from gru_lbr0.onnx');

  // Drag and drop a PyTorch state_dict onto the canvas (the page may ask before discarding the GRU).
  page.on('dialog', (dialog) => void dialog.accept());
  await dropFile(page, 'sd_lstm_2layers_head.pt', 'net.pt');
  await expect(page.locator('.react-flow__node', { hasText: 'head (Linear)' })).toBeVisible();
  await expect(page.locator('.react-flow__node', { hasText: 'forget' })).toHaveCount(2);

  // A hostile file is refused with the reason, and the document stays.
  await dropFile(page, 'hostile_os_system.pt', 'evil.pt');
  await expect(page.getByText(/evil\.pt was not imported: .*refused global os\.system/)).toBeVisible();
  await expect(page.locator('.react-flow__node', { hasText: 'head (Linear)' })).toBeVisible();
  await screenshot(page, 'import-model-refused.png');
});
