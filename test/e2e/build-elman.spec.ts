/**
 * Build the Elman RNN from an empty canvas with drag, connect and the
 * inspector only; export it; the CLI accepts it and, given the example's
 * parameters, computes the same loss as the bundled Elman example.
 * Then undo back to an empty canvas and redo to the full graph.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { Graph } from '../../engine/format/types.ts';
import { connect, dragFromPalette, EXAMPLES_DIR, expect, exportJson, nodeLocator, openApp, RESULTS, ROOT, test } from './fixtures.ts';

const CLI = path.join(ROOT, 'cli/cellwright.mjs');

function field(page: Page, label: string) {
  return page.getByRole('region', { name: 'Inspector' }).getByLabel(label, { exact: true });
}

async function setField(page: Page, label: string, value: string) {
  const input = field(page, label);
  await input.fill(value);
  await input.press('Enter');
}

/** Drop a block, then give it its id and fields in the inspector. */
async function place(page: Page, kind: string, at: { x: number; y: number }, id: string, fields: Record<string, string> = {}) {
  await dragFromPalette(page, kind, at);
  await expect(page.getByRole('region', { name: 'Inspector' }).getByRole('heading')).toContainText(kind);
  await setField(page, 'Id', id);
  await expect(nodeLocator(page, id)).toBeVisible();
  for (const [label, value] of Object.entries(fields)) {
    if (label === 'Activation' || label === 'Loss' || label === 'Steps') await field(page, label).selectOption(value);
    else await setField(page, label, value);
  }
}

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

test('build the Elman RNN by hand, export it, check it, and undo/redo the whole build', async ({ page }) => {
  await openApp(page, 'empty');
  await expect(page.locator('.react-flow__node')).toHaveCount(0);

  await place(page, 'Input', { x: 130, y: 180 }, 'x', { Size: '2' });
  await place(page, 'Cell', { x: 130, y: 420 }, 'h', { Size: '16' });
  await place(page, 'Gate', { x: 350, y: 300 }, 'h_new', { Size: '16', Activation: 'tanh' });
  await place(page, 'Gate', { x: 570, y: 180 }, 'y', { Size: '1', Activation: 'identity' });
  await place(page, 'Target', { x: 570, y: 420 }, 'y_t', { Size: '1' });
  await place(page, 'Loss', { x: 770, y: 300 }, 'loss', { Loss: 'mse', Steps: 'last' });

  // A size the inspector refuses, with the reason, and nothing changes.
  await nodeLocator(page, 'x').click();
  const size = field(page, 'Size');
  await size.fill('0');
  await size.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'at least 1' })).toBeVisible();
  await size.fill('2');
  await size.press('Enter');

  await connect(page, 'x', 'h_new');
  await connect(page, 'h', 'h_new');
  await connect(page, 'h_new', 'h');
  await connect(page, 'h_new', 'y');
  await connect(page, 'y', 'loss', 'prediction');
  await connect(page, 'y_t', 'loss', 'target');
  await expect(page.locator('.react-flow__edge')).toHaveCount(6);
  // The edge out of the cell is drawn as recurrent.
  await expect(page.locator('.cw-edge.is-recurrent')).toHaveCount(1);
  await expect(page.getByRole('region', { name: 'Problems' })).toContainText('The graph is valid');

  const text = await exportJson(page);
  const built = JSON.parse(text) as Graph;
  expect(built.nodes.map((n) => n.id).sort()).toEqual(['h', 'h_new', 'loss', 'x', 'y', 'y_t']);

  // Give the built graph the example's parameters (its edges are matched by their ends).
  const example = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'elman.json'), 'utf8')) as Graph;
  const parameters: NonNullable<Graph['parameters']> = {};
  for (const [key, value] of Object.entries(example.parameters ?? {})) {
    if (!key.startsWith('edge:')) {
      parameters[key] = value;
      continue;
    }
    const old = example.edges.find((e) => e.id === key.slice(5))!;
    const mine = built.edges.find((e) => e.source === old.source && e.target === old.target);
    expect(mine, `an edge ${old.source} → ${old.target}`).toBeTruthy();
    parameters[`edge:${mine!.id}`] = value;
  }
  mkdirSync(RESULTS, { recursive: true });
  const exported = path.join(RESULTS, 'elman-built.json');
  writeFileSync(exported, text);
  const withParams = path.join(RESULTS, 'elman-built-with-parameters.json');
  writeFileSync(withParams, JSON.stringify({ ...built, parameters }, null, 2));

  {
    expect(existsSync(CLI), 'the cellwright CLI').toBe(true);
    const check = runCli(['check', exported]);
    expect(check.code, check.stderr).toBe(0);
    const data = path.join(EXAMPLES_DIR, 'elman.data.json');
    const mineGrad = runCli(['grad', withParams, data, '--json']);
    const refGrad = runCli(['grad', path.join(EXAMPLES_DIR, 'elman.json'), data, '--json']);
    expect(mineGrad.code, mineGrad.stderr).toBe(0);
    expect(refGrad.code, refGrad.stderr).toBe(0);
    const a = JSON.parse(mineGrad.stdout) as { loss: number };
    const b = JSON.parse(refGrad.stdout) as { loss: number };
    expect(Number.isFinite(a.loss)).toBe(true);
    expect(a.loss).toBeCloseTo(b.loss, 12);
  }

  // Undo every step back to the empty canvas, then redo all of it.
  const undo = page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Undo' });
  const redo = page.getByRole('toolbar', { name: 'Toolbar' }).getByRole('button', { name: 'Redo' });
  let undos = 0;
  while (await undo.isEnabled()) {
    await undo.click();
    undos += 1;
  }
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  // One entry per gesture: 6 drops, 3 renames (x, h and loss already had their
  // names), 6 changed fields (choosing a value already set records nothing, nor
  // does the refused size), 6 connections.
  expect(undos).toBe(21);
  while (await redo.isEnabled()) await redo.click();
  await expect(page.locator('.react-flow__node')).toHaveCount(6);
  await expect(page.locator('.react-flow__edge')).toHaveCount(6);
  expect(await exportJson(page)).toBe(text);
});
