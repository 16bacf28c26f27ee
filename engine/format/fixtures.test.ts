/**
 * The invalid graph fixtures (test/fixtures/invalid/*.json, shared with the
 * CLI tests) are refused with the problems their "expectedCodes" name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGraphText } from './parse.ts';
import { hasErrors, validateGraph } from './validate.ts';
import type { Problem } from './types.ts';

const dir = join(import.meta.dirname, '../../test/fixtures/invalid');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

function expectedCodes(text: string): string[] {
  try {
    const json = JSON.parse(text) as { expectedCodes?: unknown };
    if (Array.isArray(json.expectedCodes)) return json.expectedCodes.map(String);
  } catch {
    // the bad-JSON fixture names its codes in its text
  }
  return [...text.matchAll(/CW\d{3}/g)].map((m) => m[0]);
}

describe('invalid graph fixtures', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s is refused with its expected problems', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toContain('"description"');
    const codes = expectedCodes(text);
    expect(codes.length).toBeGreaterThan(0);
    const loaded = loadGraphText(text);
    const problems: Problem[] = loaded.ok ? [...loaded.problems, ...validateGraph(loaded.graph)] : loaded.problems;
    expect(hasErrors(problems)).toBe(true);
    expect(problems.map((p) => p.code)).toEqual(expect.arrayContaining(codes));
  });
});
