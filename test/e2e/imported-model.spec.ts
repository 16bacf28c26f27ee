/** A model imported from ONNX opens in the app as an ordinary graph: named gates, laid out, runnable. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importOnnx } from '../../engine/import/onnx.ts';
import { expect, openApp, openFile, ROOT, screenshot, test } from './fixtures.ts';

test('an ONNX LSTM with a Linear head opens with its gates named and apart', async ({ page }) => {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, 'test/fixtures/models/torch_lstm_head.onnx')));
  const { graph } = importOnnx(bytes, 'torch_lstm_head.onnx');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cw-e2e-')), 'imported-lstm.json');
  writeFileSync(file, JSON.stringify(graph, null, 2));
  await openApp(page);
  await openFile(page, file);
  await expect(page.locator('.cw-doc-file')).toContainText('imported-lstm.json');
  for (const word of ['input', 'forget', 'output', 'candidate', 'head (Linear)']) await expect(page.locator('.react-flow__node', { hasText: word }).first()).toBeVisible();
  // No two nodes on top of each other.
  const boxes = await page.locator('.react-flow__node').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
  expect(boxes.length).toBe(graph.nodes.length);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const overlap = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
      expect(overlap, `nodes ${i} and ${j} overlap`).toBeLessThan(0.25 * Math.min(a.w * a.h, b.w * b.h));
    }
  }
  await screenshot(page, 'imported-onnx-lstm.png');
});
