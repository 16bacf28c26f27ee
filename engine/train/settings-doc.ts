/**
 * docs/settings.md, generated from the settings registry (scripts/make-settings-doc.ts
 * writes it; test/settings-doc.test.ts fails when it is out of date).
 */
import type { Setting } from './settings.ts';
import { defaultText, rangeText, settingPath, TASK_SETTINGS, TASKS, TRAINING_SETTINGS } from './settings.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function allowed(s: Setting): string {
  if (s.type === 'enum') return (s.choices ?? []).map((c) => `\`${c.value}\``).join(', ');
  if (s.type === 'bool') return 'true / false';
  return rangeText(s);
}

function table(list: readonly Setting[]): string[] {
  const rows = ['| field | type | allowed | default | `cellwright train` flag | Training panel | meaning |', '| --- | --- | --- | --- | --- | --- | --- |'];
  const where = (s: Setting) => (s.advanced ? `More settings: ${s.label}` : s.label);
  for (const s of list) {
    const who = s.tasks ? ` (${s.tasks.join(', ')})` : '';
    rows.push(`| \`${settingPath(s)}\` | ${s.type} | ${cell(allowed(s))} | ${cell(defaultText(s))} | \`${s.flag.split(' ')[0]}\` | ${cell(where(s))} | ${cell(s.help)}${cell(who)} |`);
  }
  return rows;
}

/** The whole of docs/settings.md. */
export function settingsMarkdown(): string {
  return [
    '# Training and task settings',
    '',
    '<!-- Generated from engine/train/settings.ts by `npx tsx scripts/make-settings-doc.ts`: edit the registry, not this file. -->',
    '',
    'Every setting below is defined once, in `engine/train/settings.ts`: the',
    'engine validates the graph file\'s `training` and `task` blocks with its',
    'range and fills in its default, `cellwright train` offers it as a flag, and',
    'the Training panel shows it as a field. A flag wins over the graph\'s block,',
    'which wins over the default; a dotted field (`training.schedule.every`) is',
    'a field of an object in the block (`"schedule": {"every": 500}`). The',
    'Training panel folds the settings most runs leave alone under **More',
    'settings**. [training-format.md](training-format.md) describes the blocks;',
    'the csv columns, delimiter and header have their own controls there.',
    '',
    '## Tasks',
    '',
    '| task | what the network learns |',
    '| --- | --- |',
    ...TASKS.map((t) => `| \`${t.name}\` | ${cell(t.blurb)} |`),
    '',
    '## `task` settings',
    '',
    ...table(TASK_SETTINGS),
    '',
    '## `training` settings',
    '',
    ...table(TRAINING_SETTINGS),
    '',
  ].join('\n');
}
