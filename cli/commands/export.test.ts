/** `cellwright export torch` as a user runs it: files written, exit codes, messages. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

const root = new URL('../..', import.meta.url).pathname;
const ex = (f: string): string => join(root, 'assets/examples', f);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s.endsWith('\n') ? s : s + '\n'; }, err: (s) => { err += s.endsWith('\n') ? s : s + '\n'; } });
  return { code, out, err };
}

describe('cellwright export torch', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'cw-export-cli-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes float32 parameters by default and float64 with --dtype float64; refuses another dtype', async () => {
    const d32 = join(tmp(), 'f32');
    const d64 = join(tmp(), 'f64');
    expect((await run('export', 'torch', ex('gru.json'), '-o', d32)).code).toBe(0);
    expect((await run('export', 'torch', ex('gru.json'), '-o', d64, '--dtype', 'float64')).code).toBe(0);
    expect(readFileSync(join(d32, 'model.py'), 'utf8')).toContain('\nDTYPE = torch.float32\n');
    expect(readFileSync(join(d64, 'model.py'), 'utf8')).toContain('\nDTYPE = torch.float64\n');
    const bad = await run('export', 'torch', ex('gru.json'), '-o', join(tmp(), 'f16'), '--dtype', 'float16');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--dtype.*float16.*float32, float64/s);
  });

  it('writes the PyTorch project into -o DIR and says what to run next', async () => {
    const dir = join(tmp(), 'gru-torch');
    const r = await run('export', 'torch', ex('gru.json'), '-o', dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'graph.json', 'model.py', 'params.json', 'tasks.py', 'train.py']);
    expect(r.out).toContain(`to ${dir}`);
    expect(r.out).toContain('python train.py');
    expect(readFileSync(join(dir, 'model.py'), 'utf8')).toContain('class Model(nn.Module):');
    const params = JSON.parse(readFileSync(join(dir, 'params.json'), 'utf8')) as Record<string, unknown>;
    const graph = JSON.parse(readFileSync(ex('gru.json'), 'utf8')) as { parameters: Record<string, unknown> };
    expect(params).toEqual(graph.parameters);
  });

  it('exporting again is harmless; replacing a changed file needs --force', async () => {
    const dir = tmp();
    expect((await run('export', 'torch', ex('lstm.json'), '-o', dir)).code).toBe(0);
    expect((await run('export', 'torch', ex('lstm.json'), '-o', dir)).code).toBe(0);
    writeFileSync(join(dir, 'model.py'), '# my edits\n');
    const refused = await run('export', 'torch', ex('lstm.json'), '-o', dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('model.py');
    expect(refused.err).toContain('--force');
    expect(readFileSync(join(dir, 'model.py'), 'utf8')).toBe('# my edits\n');
    expect((await run('export', 'torch', ex('lstm.json'), '-o', dir, '--force')).code).toBe(0);
    expect(readFileSync(join(dir, 'model.py'), 'utf8')).toContain('class Model(nn.Module):');
  });

  it('an invalid graph: exit 1 with its problems, nothing written', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'cellwright-graph', version: 1, nodes: [{ id: 'x', kind: 'input', size: 1 }], edges: [] }));
    const r = await run('export', 'torch', bad, '-o', join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/loss/);
    expect(readdirSync(dir)).toEqual(['bad.json']);
  });

  it('usage errors exit 2: no -o, a bad --seed', async () => {
    expect((await run('export', 'torch', ex('lstm.json'))).code).toBe(2);
    expect((await run('export', 'torch', ex('lstm.json'), '-o', tmp(), '--seed', 'x')).code).toBe(2);
  });
});
