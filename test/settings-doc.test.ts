/** docs/settings.md is the settings registry's own text: regenerate it (npx tsx scripts/make-settings-doc.ts) when a setting changes. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsMarkdown } from '../engine/train/settings-doc.ts';
import { SETTINGS, settingPath, TASKS } from '../engine/train/settings.ts';

describe('docs/settings.md', () => {
  const file = readFileSync(resolve(import.meta.dirname, '../docs/settings.md'), 'utf8');
  it('is up to date with the registry (run npx tsx scripts/make-settings-doc.ts)', () => {
    expect(file).toBe(settingsMarkdown());
  });
  it('has a row for every setting and task', () => {
    for (const s of SETTINGS) expect(file).toContain(`| \`${settingPath(s)}\` |`);
    for (const t of TASKS) expect(file).toContain(`| \`${t.name}\` | ${t.blurb} |`);
    expect(file).toContain('| `training.lr` | number | a number > 0 | sgd 0.01, momentum 0.01, adam 0.001, rmsprop 0.01 | `--lr` |');
  });
});
