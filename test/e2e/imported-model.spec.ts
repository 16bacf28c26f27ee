/** A model imported from ONNX opens in the app as an ordinary graph: named gates, laid out, runnable. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importOnnx } from '../../engine/import/onnx.ts';
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

for (const name of ['torch_lstm_2layers', 'gru_affine_clip', 'lstm_sequence_lens', 'lstm_leaky_elu_softsign']) {
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
