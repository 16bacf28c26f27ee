/**
 * `cellwright bench` as a user runs it: JSON lines with the fields,
 * the memory budget refusing a workload that would not fit (with what it
 * needs and how to fix it) before allocating anything, and the compile timing.
 * No timing is asserted: the numbers only have to be there and be positive.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s.endsWith('\n') ? s : s + '\n'; }, err: (s) => { err += s.endsWith('\n') ? s : s + '\n'; } });
  return { code, out, err };
}

describe('cellwright bench', () => {
  it('--json prints one object per cell with ms per step, min, max, GFLOP/s and memory', async () => {
    const r = await run('bench', '--workload', 'S', '--json', '--min-steps', '5', '--min-seconds', '0.01');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.cell)).toEqual(['lstm', 'gru', 'rnn']);
    for (const l of lines) {
      expect(l).toMatchObject({ workload: 'S', dtype: 'float32', threads: 1 });
      for (const k of ['ms_per_step', 'min', 'max', 'gflops', 'steps_per_s', 'memory_bytes']) expect(l[k], k).toBeGreaterThan(0);
      expect(l.min as number).toBeLessThanOrEqual(l.ms_per_step as number);
      expect(l.max as number).toBeGreaterThanOrEqual(l.ms_per_step as number);
      expect(l.steps as number).toBeGreaterThanOrEqual(5);
      // SGD on a fixed batch lowers the loss.
      expect(l.loss_last as number).toBeLessThan(l.loss_first as number);
    }
  });

  it('--memory-budget refuses a workload that would not fit, saying what it needs and what to change', async () => {
    const r = await run('bench', '--workload', 'L', '--cell', 'lstm', '--memory-budget', '100');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/lstm L float32: refused: one training step needs about \d+ MB .* at T=100, B=64, more than the budget of 100 MB: shorten the sequences \(T\), use a smaller batch \(B\)/);
  });

  it('--memory-budget lets a workload that fits run', async () => {
    const r = await run('bench', '--workload', 'S', '--cell', 'rnn', '--memory-budget', '100', '--json', '--min-seconds', '0.01');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).memory_bytes).toBeLessThan(100 * 1048576);
  });

  it('--compile times a graph of about 300 nodes', async () => {
    const r = await run('bench', '--compile', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, number>;
    expect(j.nodes).toBeGreaterThanOrEqual(300);
    expect(j.compile_ms).toBeGreaterThan(0);
    expect(j.plan_ms).toBeGreaterThan(0);
  });
});
