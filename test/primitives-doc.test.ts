/** docs/primitives.md is the registries' own text: regenerate it (npx tsx scripts/make-primitives-doc.ts) when a primitive changes. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activationNames } from '../engine/ops/activations.ts';
import { primitivesMarkdown } from '../engine/ops/docs.ts';
import { opNames } from '../engine/ops/ops.ts';

describe('docs/primitives.md', () => {
  const file = readFileSync(resolve(import.meta.dirname, '../docs/primitives.md'), 'utf8');
  it('is up to date with the registries (run npx tsx scripts/make-primitives-doc.ts)', () => {
    expect(file).toBe(primitivesMarkdown());
  });
  it('has a row for every activation and op', () => {
    for (const name of [...activationNames(), ...opNames()]) expect(file).toContain(`| \`${name}\` |`);
  });
});
