import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgePreset, PRESETS } from './presets.ts';
import type { StoredResults } from './table.ts';
import { reproduceTable, TABLE_END, TABLE_START, withTable } from './table.ts';

const root = new URL('../../', import.meta.url);
const stored = JSON.parse(readFileSync(new URL('docs/reproduce/results.json', root), 'utf8')) as StoredResults;
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('the README\'s "Compare and reproduce" table', () => {
  it('is exactly what scripts/reproduce-table.ts renders from docs/reproduce/results.json', () => {
    const a = readme.indexOf(TABLE_START);
    const b = readme.indexOf(TABLE_END);
    expect(a).toBeGreaterThan(0);
    expect(readme.slice(a + TABLE_START.length, b).trim()).toBe(reproduceTable(stored));
    expect(withTable(readme, reproduceTable(stored))).toBe(readme);
  });

  it('every stored verdict is the judge\'s verdict on the stored numbers, and adding PASSes its full criterion', () => {
    for (const [name, r] of Object.entries(stored.results)) {
      expect(judgePreset(PRESETS[name], r.mode, r.measures).pass, name).toBe(r.pass);
      expect(r.mode).toBe('full');
    }
    const adding = stored.results.adding;
    expect(adding.pass).toBe(true);
    expect(adding.measures.find((m) => m.arm === 'lstm')!.metric).toBeLessThanOrEqual(0.01);
    expect(adding.measures.find((m) => m.arm === 'elman')!.metric).toBeGreaterThanOrEqual(0.1);
  });

  it('a preset without a stored run says "not run yet", never a number', () => {
    const t = reproduceTable({ results: {} });
    expect(t.split('\n').slice(2).every((l) => l.includes('| not run yet | – | – | – |'))).toBe(true);
    expect(() => withTable('# no markers', t)).toThrow(/has no/);
  });
});
