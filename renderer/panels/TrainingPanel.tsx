/**
 * Training settings: the graph's `task` and `training` blocks edited with
 * proper controls, so they are saved with the file (docs/training-format.md).
 * Each change is one undo entry; the training client recompiles after it.
 */
import { memo } from 'react';
import type { Graph } from '../../engine/format/types.ts';
import { TASK_NAMES } from '../../engine/tasks/types.ts';
import { taskLength } from '../doc/fixes.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { useTraining } from '../store/training.ts';
import { chooseDataFile, clearDataFile } from '../app/training.ts';
import { NumberField, SelectField, type Option } from './fields.tsx';

type Block = Record<string, unknown>;

function g(): Graph {
  return documentStore.getState().graph;
}

function setBlock(label: string, which: 'task' | 'training', patch: Block): void {
  const graph = g();
  const block: Block = { ...(graph[which] ?? {}) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete block[key];
    else block[key] = value;
  }
  const next: Graph = { ...graph };
  if (Object.keys(block).length > 0) next[which] = block;
  else delete next[which];
  documentStore.getState().commit(label, next);
}

const TASK_BLURB: Record<string, string> = {
  parity: 'running parity of random bits (the reference text’s example 3)',
  adding: 'sum of the two marked numbers, answered at the last step',
  copy: 'repeat a few symbols after a delay',
  sine: 'next value of a noisy sine mixture',
  text: 'next character of a text',
  csv: 'your CSV file: target columns from a window of rows',
};

const OPTIMIZERS: Option[] = [
  { value: 'adam', label: 'Adam' },
  { value: 'sgd', label: 'SGD' },
  { value: 'momentum', label: 'SGD with momentum' },
  { value: 'rmsprop', label: 'RMSProp' },
];

const DEFAULT_LR: Record<string, number> = { sgd: 0.01, momentum: 0.01, adam: 0.001, rmsprop: 0.01 };

function numberParser(o: { int?: boolean; min?: number; gt?: number; max?: number; optional?: boolean }) {
  return (text: string): { value: number | undefined } | { error: string } => {
    const t = text.trim();
    if (t === '') return o.optional ? { value: undefined } : { error: 'A value is required.' };
    const n = Number(t);
    if (!Number.isFinite(n)) return { error: `"${t}" is not a number.` };
    if (o.int && !Number.isInteger(n)) return { error: 'Use a whole number.' };
    if (o.min !== undefined && n < o.min) return { error: `At least ${o.min}.` };
    if (o.gt !== undefined && n <= o.gt) return { error: `Must be greater than ${o.gt}.` };
    if (o.max !== undefined && n > o.max) return { error: `At most ${o.max}.` };
    return { value: n };
  };
}

function num(block: Block | undefined, key: string): number | undefined {
  const v = block?.[key];
  return typeof v === 'number' ? v : undefined;
}

function TaskFields({ task }: { task: Block }) {
  const name = String(task.name ?? '');
  const length = taskLength(g());
  return (
    <>
      {length ? (
        <NumberField
          label={name === 'copy' ? 'Delay (steps between the symbols and their recall)' : name === 'csv' ? 'Window (rows per sequence)' : 'Sequence length T'}
          help={name === 'copy' ? 'T = 2 × symbols shown + delay.' : 'How many steps the gradient must travel back through.'}
          value={num(task, length.field) ?? length.value}
          parse={numberParser({ int: true, min: name === 'copy' ? 0 : 2, max: 100000 })}
          onCommit={(v) => setBlock('Set sequence length', 'task', { [length.field]: v })}
        />
      ) : null}
      {name === 'copy' ? (
        <>
          <NumberField label="Symbols" value={num(task, 'symbols') ?? 8} parse={numberParser({ int: true, min: 1, max: 256 })} onCommit={(v) => setBlock('Set symbols', 'task', { symbols: v })} />
          <NumberField label="Symbols shown" value={num(task, 'sequence') ?? 5} parse={numberParser({ int: true, min: 1, max: 1000 })} onCommit={(v) => setBlock('Set sequence', 'task', { sequence: v })} />
        </>
      ) : null}
      {name === 'sine' ? (
        <>
          <NumberField label="Components" value={num(task, 'components') ?? 2} parse={numberParser({ int: true, min: 1, max: 16 })} onCommit={(v) => setBlock('Set components', 'task', { components: v })} />
          <NumberField label="Noise" value={num(task, 'noise') ?? 0.05} parse={numberParser({ min: 0, max: 10 })} onCommit={(v) => setBlock('Set noise', 'task', { noise: v })} />
        </>
      ) : null}
    </>
  );
}

function ClipFields({ training }: { training: Block }) {
  const mode = num(training, 'clipNorm') !== undefined ? 'norm' : num(training, 'clipValue') !== undefined ? 'value' : 'none';
  return (
    <>
      <SelectField
        label="Gradient clipping"
        help="Rescales the gradient when its norm is too large (g ← max·g/‖g‖): biased, but keeps updates stable when it explodes."
        value={mode}
        options={[
          { value: 'none', label: 'none' },
          { value: 'norm', label: 'by global norm (clip_grad_norm_)' },
          { value: 'value', label: 'by value (clip_grad_value_)' },
        ]}
        onCommit={(v) => setBlock('Set clipping', 'training', {
          clipNorm: v === 'norm' ? num(training, 'clipNorm') ?? 1 : undefined,
          clipValue: v === 'value' ? num(training, 'clipValue') ?? 1 : undefined,
        })}
      />
      {mode !== 'none' ? (
        <NumberField
          label={mode === 'norm' ? 'Clip norm at' : 'Clip each entry at ±'}
          value={num(training, mode === 'norm' ? 'clipNorm' : 'clipValue')}
          parse={numberParser({ gt: 0 })}
          onCommit={(v) => setBlock('Set clipping', 'training', { [mode === 'norm' ? 'clipNorm' : 'clipValue']: v })}
        />
      ) : null}
    </>
  );
}

export const TrainingPanel = memo(function TrainingPanel() {
  const task = useDocument((state) => state.graph.task);
  const training = useDocument((state) => state.graph.training) ?? {};
  const data = useTraining((state) => state.data);
  const info = useTraining((state) => state.info);
  const taskName = typeof task?.name === 'string' ? task.name : '';
  const optimizer = typeof training.optimizer === 'string' ? training.optimizer : 'adam';
  const taskOptions: Option[] = [{ value: '', label: data ? `data file: ${data.name}` : 'none (train on a data file)' }, ...TASK_NAMES.map((name) => ({ value: name, label: `${name} — ${TASK_BLURB[name] ?? ''}` }))];
  return (
    <section className="cw-training-panel" aria-label="Training settings">
      <div className="cw-inspector-body">
        <SelectField
          label="Task"
          help={info?.task ? info.task.description : data ? 'Every step trains on the whole data file.' : 'What the network learns. Saved with the graph.'}
          value={taskName}
          options={taskOptions}
          onCommit={(v) => {
            if (v === '') setBlock('Remove task', 'task', { name: undefined, length: undefined });
            else {
              // A new task keeps only the stream bindings of the old block.
              const keep: Block = { name: v };
              if (task?.input !== undefined) keep.input = task.input;
              if (task?.target !== undefined) keep.target = task.target;
              const next: Graph = { ...g(), task: keep };
              documentStore.getState().commit(`Task ${v}`, next);
            }
          }}
        />
        {task ? <TaskFields task={task} /> : (
          <div className="cw-field">
            <span className="cw-field-label">Data file</span>
            <div className="cw-button-row">
              <button type="button" className="cw-small-button" onClick={() => void chooseDataFile()}>{data ? 'Another data file…' : 'Choose a data file…'}</button>
              {data ? <button type="button" className="cw-small-button" onClick={clearDataFile}>Forget it</button> : null}
            </div>
            <div className="cw-field-help">A JSON data file (inputs, targets, initial states) as `cellwright grad` reads it.</div>
          </div>
        )}
        <div className="cw-field-row">
          <NumberField label="Batch" help="Sequences per step." value={num(training, 'batch') ?? 32} parse={numberParser({ int: true, min: 1, max: 65536 })} onCommit={(v) => setBlock('Set batch', 'training', { batch: v })} />
          <NumberField label="Steps" help="Length of a run." value={num(training, 'steps') ?? 1000} parse={numberParser({ int: true, min: 1, max: 10_000_000 })} onCommit={(v) => setBlock('Set steps', 'training', { steps: v })} />
        </div>
        <div className="cw-field-row">
          <SelectField label="Optimizer" value={optimizer} options={OPTIMIZERS} onCommit={(v) => setBlock('Set optimizer', 'training', { optimizer: v })} />
          <NumberField label="Learning rate" value={num(training, 'lr') ?? DEFAULT_LR[optimizer]} parse={numberParser({ gt: 0, max: 100 })} onCommit={(v) => setBlock('Set learning rate', 'training', { lr: v })} />
        </div>
        <ClipFields training={training} />
        <div className="cw-field-row">
          <NumberField label="Init seed" help="Draws the weights the file does not give, and the training sequences." value={num(training, 'seed') ?? 1} parse={numberParser({ int: true })} onCommit={(v) => setBlock('Set seed', 'training', { seed: v })} />
          <SelectField
            label="Numbers"
            value={training.dtype === 'float32' ? 'float32' : 'float64'}
            options={[{ value: 'float64', label: 'float64' }, { value: 'float32', label: 'float32 (faster)' }]}
            onCommit={(v) => setBlock('Set dtype', 'training', { dtype: v })}
          />
        </div>
        {info ? <p className="cw-note">Trains in a background worker ({info.runtime}).</p> : null}
        <p className="cw-note">These settings are the graph's <code>task</code> and <code>training</code> blocks: Save keeps them, and <code>cellwright train</code> repeats the run from them.</p>
      </div>
    </section>
  );
});
