/**
 * `cellwright train GRAPH --out TRAINED.json`: trains a graph on its task (or
 * on a data file) and writes the graph back with trained parameters, the
 * task and training blocks that reproduce the run, and the training state to
 * resume from (training.state). Every file is written atomically. Ctrl-C
 * (SIGINT) or SIGTERM stops after the current step, writes --out and exits
 * 130 / 143; `--checkpoint-every N` writes the state every N steps.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { DataFile, Graph } from '../../engine/format/types.ts';
import { serializeGraph } from '../../engine/format/parse.ts';
import type { Block } from '../../engine/tasks/read.ts';
import { TaskError } from '../../engine/tasks/types.ts';
import type { MetricRow, Trainer } from '../../engine/train/trainer.ts';
import { createTrainer } from '../../engine/train/trainer.ts';
import type { Setting } from '../../engine/train/settings.ts';
import { flagKey, TASK_SETTINGS, TASKS, TRAINING_SETTINGS, withSetting } from '../../engine/train/settings.ts';
import { addSettingOptions } from '../settings-options.ts';
import { atomicWrite } from '../../common/node/atomic-write.ts';
import type { Io } from '../main.ts';
import { checkWritable, CliError, limitsOf, limitsOption, maxMemoryOption, readData, readGraph, readText, shown, STDIO } from '../io.ts';

/** The registry's flags (engine/train/settings.ts) arrive under their setting's key: `--validate-every` as validateEvery. */
interface TrainOpts extends Record<string, unknown> {
  task?: string;
  csv?: string;
  text?: string;
  inputs?: string;
  targets?: string;
  csvSkipBad?: boolean;
  data?: string;
  out: string;
  metrics?: string;
  checkpoint?: string;
  checkpointEvery?: number;
  restart?: boolean;
  quiet?: boolean;
  maxMemory?: string;
  limits?: string;
}

/** Exit codes of a run stopped by a signal: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

function num(name: string, o: { int?: boolean; positive?: boolean; min?: number } = {}) {
  return (v: string): number => {
    const x = Number(v);
    const bad = v.trim() === '' || !Number.isFinite(x) || (o.int && !Number.isInteger(x)) || (o.positive && x <= 0) || (o.min !== undefined && x < o.min);
    if (bad) throw new CliError(`${name} must be ${o.int ? 'an integer' : 'a number'}${o.positive ? ' > 0' : o.min !== undefined ? ` ≥ ${o.min}` : ''}, got "${v}"`, 2);
    return x;
  };
}

/** The values the command line gives for a block's registry settings (undefined where a flag is absent). */
function registryValues(list: readonly Setting[], o: TrainOpts): Block {
  let block: Block = {};
  for (const s of list) {
    const v = o[flagKey(s.flag)];
    if (v !== undefined) block = withSetting(block, s, v);
  }
  return block;
}

/** A path in a task block is relative to the graph file it is in (to the current folder for a graph from stdin). */
function fromGraph(graphPath: string, p: string): string {
  return isAbsolute(p) ? p : resolve(graphPath === STDIO ? '.' : dirname(graphPath), p);
}

/** The task block: the graph's, with the command line's choices on top. */
function taskBlock(graph: Graph, graphPath: string, o: TrainOpts): { block: Block | undefined; csvPath?: string; textPath?: string } {
  const base = graph.task ? { ...graph.task } : undefined;
  let block: Block | undefined = base;
  if (o.task) block = base && base.name === o.task ? base : { name: o.task };
  const set: Block = {
    ...registryValues(TASK_SETTINGS, o),
    inputs: o.inputs?.split(',').map((s) => s.trim()), targets: o.targets?.split(',').map((s) => s.trim()),
    ...(o.csvSkipBad ? { badRows: 'skip' } : {}),
  };
  const given = Object.entries(set).filter(([, v]) => v !== undefined);
  // --csv and --text name their task.
  for (const [flag, name] of [[o.csv, 'csv'], [o.text, 'text']] as const) {
    if (!flag) continue;
    if (o.task && o.task !== name) throw new CliError(`--${name} belongs to the ${name} task, but --task is ${o.task}`, 2);
    if (!block || block.name !== name) block = base && base.name === name ? base : { name };
  }
  if (given.length > 0 && !block) throw new CliError(`task options were given but there is no task: add --task NAME (${TASKS.map((t) => t.name).join(', ')})`, 2);
  if (block) for (const [k, v] of given) block[k] = v;
  let csvPath: string | undefined;
  let textPath: string | undefined;
  if (block?.name === 'csv') {
    if (o.csv) { csvPath = resolve(o.csv); block.file = o.csv; } else if (typeof block.file === 'string') csvPath = fromGraph(graphPath, block.file);
    else throw new CliError('the csv task needs a file: give --csv FILE.csv (or "file" in the task block)', 2);
  }
  if (block?.name === 'text') {
    if (o.text) { textPath = resolve(o.text); block.file = o.text; } else if (typeof block.file === 'string') textPath = fromGraph(graphPath, block.file);
  }
  return { block, csvPath, textPath };
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4);
}

function metricText(m: Record<string, number | undefined>): string {
  return Object.entries(m).map(([k, v]) => `${k} ${k === 'accuracy' ? `${((v ?? NaN) * 100).toFixed(2)}%` : fmt(v)}`).join(' ');
}

/** The metrics file: CSV with a header, or JSON lines. Only numbers of the run, so the same seed gives the same file. */
function metricsText(path: string, trainer: Trainer): string {
  const names = trainer.metricNames();
  const rows = trainer.history;
  const n = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '' : String(x));
  if (path.endsWith('.jsonl')) {
    const j = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);
    return rows.map((r) => JSON.stringify({
      step: r.step, loss: j(r.loss), ...Object.fromEntries(names.map((k) => [k, j(r.metrics[k as keyof MetricRow['metrics']])])),
      grad_norm: j(r.gradNorm), clipped: r.clipped, lr: j(r.lr),
      val_loss: j(r.val?.loss), ...Object.fromEntries(names.map((k) => [`val_${k}`, j(r.val?.metrics[k as keyof MetricRow['metrics']])])),
    })).join('\n') + '\n';
  }
  const head = ['step', 'loss', ...names, 'grad_norm', 'clipped', 'lr', 'val_loss', ...names.map((k) => `val_${k}`)];
  const lines = [head.join(',')];
  for (const r of rows) {
    lines.push([
      String(r.step), n(r.loss), ...names.map((k) => n(r.metrics[k as keyof MetricRow['metrics']])), n(r.gradNorm), r.step === 0 ? '' : r.clipped ? '1' : '0', n(r.lr),
      n(r.val?.loss), ...names.map((k) => n(r.val?.metrics[k as keyof MetricRow['metrics']])),
    ].join(','));
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('train')
    .description('Train a graph on its task (or on a data file) and write it back with trained parameters.')
    .argument('<graph>', 'graph file (- reads standard input); its "task" and "training" blocks are the defaults of every option below, and its training state (if any) is resumed')
    .requiredOption('--out <file>', 'where to write the trained graph (may be the input file); - writes it to standard output (messages then go to standard error)')
    .option('--task <name>', TASKS.map((t) => t.name).join(' | '));
  // The task and training flags come from the settings registry (engine/train/settings.ts).
  addSettingOptions(command, TASK_SETTINGS);
  command
    .option('--csv <file>', 'csv: the CSV file (implies --task csv)')
    .option('--inputs <columns>', 'csv: input columns, comma-separated')
    .option('--targets <columns>', 'csv: target columns, comma-separated')
    .option('--csv-skip-bad', 'csv: drop bad rows (reported with their line numbers) instead of stopping')
    .option('--text <file>', 'text: train on this text file instead of the bundled one')
    .option('--data <file>', 'train on this data file instead of a task: each step is all of it');
  addSettingOptions(command, TRAINING_SETTINGS);
  command
    .option('--metrics <file>', 'write every step\'s metrics to FILE.csv or FILE.jsonl')
    .addOption(new Option('--checkpoint-every <n>', 'write the graph with its training state every n steps (to --checkpoint, else --out), and the metrics file').argParser(num('--checkpoint-every', { int: true, positive: true })))
    .option('--checkpoint <file>', 'where --checkpoint-every writes (default: --out)')
    .option('--restart', 'ignore the graph\'s saved training state: step count, optimizer moments and data stream start afresh from its parameters')
    .option('--quiet', 'no progress output')
    .addOption(maxMemoryOption())
    .addOption(limitsOption())
    .action(async (graphPath: string, o: TrainOpts) => {
      const limits = limitsOf(o);
      const { graph } = readGraph(graphPath, { validate: true, limits });
      const toStdout = o.out === STDIO;
      // With --out -, standard output carries the graph only: every message goes to stderr.
      const say = toStdout ? io.err : io.out;
      if (o.metrics && !o.metrics.endsWith('.csv') && !o.metrics.endsWith('.jsonl')) throw new CliError(`--metrics must end in .csv or .jsonl, got "${o.metrics}"`, 2);
      if (o.checkpoint && !o.checkpointEvery) throw new CliError('--checkpoint needs --checkpoint-every N (how often to write it)', 2);
      const checkpointPath = o.checkpointEvery ? (o.checkpoint ?? o.out) : undefined;
      if (checkpointPath === STDIO) throw new CliError('--checkpoint-every cannot write checkpoints to standard output: give --checkpoint FILE', 2);
      if (o.metrics === STDIO) throw new CliError('--metrics needs a file name ending in .csv or .jsonl', 2);
      // Every path is checked before the first step, so a long run never ends in "cannot write".
      const targets: [string, string][] = [];
      if (!toStdout) targets.push(['--out', o.out]);
      if (o.metrics) targets.push(['--metrics', o.metrics]);
      if (checkpointPath && checkpointPath !== o.out) targets.push(['--checkpoint', checkpointPath]);
      for (const [flag, path] of targets) await checkWritable(path, flag);
      const same = targets.find(([, p], i) => targets.findIndex(([, q]) => resolve(q) === resolve(p)) !== i);
      if (same) throw new CliError(`${same[0]} ${same[1]} is also given to another option: each file needs its own name`, 2);
      let data: DataFile | undefined;
      let block: Block | undefined;
      let resources: { csv?: string; text?: string } = {};
      if (o.data) {
        if (o.task) throw new CliError('give either --task or --data, not both', 2);
        data = readData(o.data, graph, limits);
      } else {
        const t = taskBlock(graph, graphPath, o);
        block = t.block;
        if (t.csvPath) resources = { csv: readText(t.csvPath, 'CSV file') };
        if (t.textPath) resources = { text: readText(t.textPath, 'text file') };
        // A path given on the command line is stored relative to the output file.
        if (block && typeof block.file === 'string' && (o.csv || o.text)) {
          block.file = relative(toStdout ? resolve('.') : dirname(resolve(o.out)), resolve(block.file as string)) || block.file;
        }
      }
      const training: Block = registryValues(TRAINING_SETTINGS, o);
      let trainer: Trainer;
      try {
        trainer = createTrainer(graph, { data, task: block, training, resources, resume: !o.restart, limits });
      } catch (e) {
        if (e instanceof TaskError) throw new CliError(`${shown(graphPath)}: ${e.message}`, 1, e.lines);
        throw e;
      }
      const c = trainer.config;
      const meta = trainer.meta;
      for (const w of [...(meta?.warnings ?? []), ...trainer.warnings]) io.err(w);
      const from = trainer.stepCount;
      const until = from + c.steps;
      if (!o.quiet) {
        io.err(`training ${graph.name ? `"${graph.name}"` : shown(graphPath)} on ${meta ? meta.description : `${shown(o.data!)} (T×B×size ${data ? Object.values(data.inputs)[0]?.shape.join('×') : ''})`}`);
        io.err(`  ${c.optimizer.name} lr ${c.lr}${c.clipNorm !== null ? `, clip norm ${c.clipNorm}` : ''}${c.clipValue !== null ? `, clip value ${c.clipValue}` : ''}, batch ${data ? 'the data file' : c.batch}, ${c.steps} steps, seed ${c.seed}, ${c.dtype}${meta ? `; ${meta.note}` : ''}`);
        if (from > 0) io.err(`  resuming at step ${from} (the file's training state): steps ${from + 1}–${until}`);
      }
      const outName = toStdout ? 'standard output' : o.out;
      const graphText = (): string => serializeGraph(trainer.graphWithParameters());
      const writeOut = async (): Promise<void> => {
        if (toStdout) {
          io.out(graphText());
        } else {
          await atomicWrite(o.out, graphText());
        }
      };
      const writeMetrics = async (): Promise<void> => {
        if (o.metrics) await atomicWrite(o.metrics, metricsText(o.metrics, trainer));
      };

      // Signals: the first stops training after the current step (then --out is written
      // and the exit code says which signal); later ones only say that the write goes on,
      // so a second Ctrl-C can never cut a file short. The handlers stay until the end.
      let stoppedBy: 'SIGINT' | 'SIGTERM' | null = null;
      const onSignal = (sig: 'SIGINT' | 'SIGTERM'): void => {
        if (stoppedBy === null) {
          stoppedBy = sig;
          trainer.pause();
          if (!o.quiet) io.err(`\ncellwright: ${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: stopping after this step and writing ${outName}`);
        } else {
          io.err(`cellwright: still writing ${outName}; it finishes in a moment`);
        }
      };
      const onInt = (): void => onSignal('SIGINT');
      const onTerm = (): void => onSignal('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      try {
        const tty = !o.quiet && process.stderr.isTTY === true;
        const bar = tty ? new SingleBar({
          format: 'step {value}/{total} |{bar}| loss {loss} {metric} | {rate} steps/s | ETA {eta_formatted}',
          barsize: 24, hideCursor: true, etaBuffer: 50,
        }, undefined) : null;
        bar?.start(until, from, { loss: '-', metric: '', rate: '-' });
        const started = Date.now();
        let lastLine = from;
        let state;
        try {
          const every = Math.max(1, c.validateEvery);
          state = await trainerRun(trainer, until, (r) => {
            const secs = (Date.now() - started) / 1000;
            const rate = secs > 0 ? ((r.step - from) / secs).toFixed(1) : '-';
            if (bar) {
              bar.update(r.step, { loss: fmt(r.loss), metric: metricText(r.metrics), rate });
            } else if (!o.quiet && (r.val || r.step - lastLine >= every)) {
              lastLine = r.step;
              io.err(`step ${r.step}/${until} loss ${fmt(r.loss)} ${metricText(r.metrics)}${r.val ? ` | val loss ${fmt(r.val.loss)} ${metricText(r.val.metrics)}` : ''} | ${rate} steps/s`);
            }
          }, checkpointPath && o.checkpointEvery ? {
            every: o.checkpointEvery,
            save: async (step) => {
              await atomicWrite(checkpointPath, graphText());
              await writeMetrics();
              if (!o.quiet && !bar) io.err(`  checkpoint: step ${step} written to ${checkpointPath}`);
            },
          } : undefined);
        } finally {
          bar?.stop();
        }
        await writeOut();
        await writeMetrics();
        const secs = (Date.now() - started) / 1000;
        const v = trainer.validate(false);
        const d = trainer.diagnose();
        const last = trainer.history[trainer.history.length - 1];
        const done = trainer.stepCount - from;
        const interrupted = state === 'paused' && !trainer.failure;
        say(`${trainer.failure ? 'stopped' : interrupted ? 'interrupted' : 'trained'}: ${done} steps in ${secs.toFixed(1)} s (${(done / Math.max(secs, 1e-9)).toFixed(1)} steps/s)${from > 0 ? `, now at step ${trainer.stepCount}` : ''}, clipped ${(trainer.clippedFraction * 100).toFixed(1)}% of steps`);
        if (last && Number.isFinite(last.loss)) say(`  training loss ${fmt(last.loss)} ${metricText(last.metrics)}`);
        if (v) say(`  validation loss ${fmt(v.loss)} ${metricText(v.metrics)}${meta?.baseline ? ` (baseline: ${fmt(meta.baseline.value)}, ${meta.baseline.what})` : ''}`);
        for (const f of d.flags) say(`  flag: ${f.node} ${f.kind}${f.kind === 'nonfinite' ? ` at step ${f.step}` : ` (gradient ratio first/last ${f.ratio.toExponential(2)}, ×${f.perStep.toPrecision(3)} per step)`}`);
        say(`  wrote ${outName}${o.metrics ? ` and ${o.metrics}` : ''}`);
        if (trainer.failure) {
          io.err(`cellwright: ${trainer.failure.message}`);
          io.err(`  ${outName} holds the parameters of step ${trainer.stepCount}, the last finite ones${trainer.stepCount > 0 ? ', with their training state' : ''}`);
          setExit(1);
        } else if (stoppedBy) {
          if (!o.quiet && trainer.stepCount < until) io.err(`  stopped at step ${trainer.stepCount} of ${until}; to finish the run: cellwright train ${toStdout ? 'SAVED.json' : o.out} --steps ${until - trainer.stepCount} --out FILE`);
          setExit(SIGNAL_EXIT[stoppedBy]);
        }
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
    });
}

/** Runs the trainer to its end, calling `onRow` for each new metric row. */
async function trainerRun(
  trainer: Trainer, until: number, onRow: (r: MetricRow) => void,
  checkpoint?: { every: number; save: (step: number) => Promise<void> },
): Promise<string> {
  let seen = 0;
  const flush = (): void => {
    const h = trainer.history;
    for (; seen < h.length; seen++) if (h[seen].step > 0) onRow(h[seen]);
  };
  const state = await trainer.run({
    until,
    yieldFn: () => { flush(); return new Promise((r) => setImmediate(r)); },
    ...(checkpoint ? { checkpoint: { every: checkpoint.every, save: async (step: number) => { flush(); await checkpoint.save(step); } } } : {}),
  });
  flush();
  return state;
}
