/**
 * Runs the full `cellwright reproduce` presets and keeps their measured
 * results in docs/reproduce/results.json, then regenerates the table in the
 * README's "Compare and reproduce" section and docs/reproduce.md from it.
 * Not part of `npm test` (the full presets take minutes each).
 *
 *   npm run reproduce-table                      # run every preset (long), then render
 *   npm run reproduce-table -- --only adding,copy   # run these, keep the others' stored results
 *   npm run reproduce-table -- --render          # only re-render from the stored results
 *   npm run reproduce-table -- --import adding=DIR/report.json   # store a run made with reproduce --out DIR
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { reproduce } from '../cli/commands/reproduce.ts';
import { describeSetup, judgePreset, PRESET_NAMES, PRESETS, reportMarkdown } from '../engine/experiments/presets.ts';
import type { StoredResult, StoredResults } from '../engine/experiments/table.ts';
import { reproduceTable, withTable } from '../engine/experiments/table.ts';

const root = new URL('../', import.meta.url).pathname;
const dataFile = join(root, 'docs/reproduce/results.json');

function load(): StoredResults {
  return existsSync(dataFile) ? (JSON.parse(readFileSync(dataFile, 'utf8')) as StoredResults) : { results: {} };
}

function save(s: StoredResults): void {
  mkdirSync(join(root, 'docs/reproduce'), { recursive: true });
  writeFileSync(dataFile, JSON.stringify(s, null, 2) + '\n');
}

function machine(): string {
  return `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'} (shared), Node ${process.version}`;
}

function render(s: StoredResults): void {
  const table = reproduceTable(s);
  const readmePath = join(root, 'README.md');
  writeFileSync(readmePath, withTable(readFileSync(readmePath, 'utf8'), table));
  const parts = [
    '# Reproduce the classics: measured results', '',
    'Made by `npm run reproduce-table` (scripts/reproduce-table.ts) from [reproduce/results.json](reproduce/results.json); each row is a full `cellwright reproduce NAME` run on fresh test data. Times are wall-clock on a shared machine.', '',
    table, '',
  ];
  for (const name of PRESET_NAMES) {
    const r = s.results[name];
    const p = PRESETS[name];
    if (!r) {
      parts.push(`## ${p.title}`, '', 'Not run yet.', '', ...describeSetup(p, 'full').map((l) => `- ${l}`), '');
      continue;
    }
    parts.push(reportMarkdown(p, judgePreset(p, r.mode, r.measures), r.measures).replace(/\n## /g, '\n### ').replace(/^# /, '## ').replace(/\nThe trained graphs are in this folder.*\n/, '\n'), `Ran ${r.ran}; wall time ${r.seconds.toFixed(1)} s.`, '');
  }
  writeFileSync(join(root, 'docs/reproduce.md'), parts.join('\n'));
  console.log(table);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const s = load();
  if (args.includes('--render')) { render(s); return; }
  const imp = args.indexOf('--import');
  if (imp >= 0) {
    const [name, path] = (args[imp + 1] ?? '').split('=');
    if (!PRESETS[name] || !path) throw new Error('--import NAME=DIR/report.json');
    const rep = JSON.parse(readFileSync(path, 'utf8')) as Omit<StoredResult, 'ran'>;
    s.results[name] = { ...rep, ran: machine() };
    save(s);
    render(s);
    return;
  }
  const only = args.indexOf('--only');
  const names = only >= 0 ? (args[only + 1] ?? '').split(',').filter(Boolean) : PRESET_NAMES;
  for (const name of names) {
    if (!PRESETS[name]) throw new Error(`unknown preset ${name}`);
    const out = mkdtempSync(join(tmpdir(), `cw-reproduce-${name}-`));
    console.error(`${name}: training (graphs and report in ${out})`);
    const r = await reproduce(name, 'full', { jobs: availableParallelism(), out, say: (l) => console.error(l) });
    s.results[name] = { ...r.report, measures: r.measures, seconds: r.seconds, ran: machine() };
    console.error(`${name}: ${r.report.pass ? 'PASS' : 'FAIL'} in ${r.seconds.toFixed(1)} s`);
    save(s);
  }
  render(s);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
