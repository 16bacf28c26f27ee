/**
 * Training settings: the graph's `task` and `training` blocks edited with
 * proper controls, so they are saved with the file (docs/training-format.md).
 * Each change is one undo entry; the training client recompiles after it.
 */
import { memo, useMemo, useState, type ChangeEvent } from 'react';
import type { Graph } from '../../engine/format/types.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { useTraining } from '../store/training.ts';
import { chooseDataFile, clearDataFile, loadCsvText, loadTextFile, setCsvColumns, taskFit } from '../app/training.ts';
import { csvPreview } from '../doc/csv.ts';
import { CheckField, NumberField, SelectField, TextField, type Option } from './fields.tsx';
import { pairValue, rangeText, withSetting } from '../../engine/train/settings.ts';
import { OWN_CONTROL, taskMenu, trainingPanelFields, type PanelField } from './training-fields.ts';

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

/** One registry setting as a control: a number box, a menu or a check box. */
function SettingControl({ field }: { field: PanelField }) {
  const { setting: st } = field;
  const commit = (value: unknown) => {
    const graph = g();
    const block = withSetting(graph[st.block], st, value);
    const next: Graph = { ...graph };
    if (Object.keys(block).length > 0) next[st.block] = block;
    else delete next[st.block];
    documentStore.getState().commit(`Set ${field.label.toLowerCase()}`, next);
  };
  if (st.type === 'pair') {
    const shown = Array.isArray(field.value) ? field.value.join(', ') : '';
    const parse = (text: string): [number, number] | null => {
      const parts = text.split(',').map((p) => p.trim());
      return parts.length === 2 && parts.every((p) => p !== '') ? pairValue(st, parts.map(Number)) : null;
    };
    return (
      <TextField
        label={field.label}
        help={field.help}
        value={shown}
        mono
        validate={(text) => (text.trim() === '' || parse(text) ? null : `Two numbers separated by a comma, each ${rangeText(st).replace(/^two numbers, each /, '')}.`)}
        onCommit={(text) => commit(text.trim() === '' ? undefined : parse(text) ?? undefined)}
      />
    );
  }
  if (st.type === 'enum') {
    return <SelectField label={field.label} help={field.help} value={String(field.value ?? '')} options={field.options ?? []} onCommit={commit} />;
  }
  if (st.type === 'bool') return <CheckField label={field.label} help={field.help} checked={field.value === true} onCommit={commit} />;
  return <NumberField label={field.label} help={field.help} value={typeof field.value === 'number' ? field.value : undefined} parse={numberParser(field.accepts ?? {})} onCommit={commit} />;
}

/** The settings most runs leave alone (optimizer details, schedule, flag thresholds, validation set), folded away. */
function MoreSettings({ fields }: { fields: PanelField[] }) {
  if (fields.length === 0) return null;
  return (
    <details className="cw-more-settings">
      <summary>More settings ({fields.length})</summary>
      <FieldRows fields={fields} />
    </details>
  );
}

/** Fields two to a row. */
function FieldRows({ fields }: { fields: PanelField[] }) {
  const rows: PanelField[][] = [];
  for (let i = 0; i < fields.length; i += 2) rows.push(fields.slice(i, i + 2));
  return (
    <>
      {rows.map((row) => (
        <div className="cw-field-row" key={row[0].path}>
          {row.map((field) => <SettingControl key={field.path} field={field} />)}
        </div>
      ))}
    </>
  );
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Read a chosen file's text; the input is cleared so choosing the same file again reloads it. */
async function readChosen(event: ChangeEvent<HTMLInputElement>): Promise<{ name: string; text: string } | null> {
  const input = event.currentTarget;
  const file = input.files?.[0];
  if (!file) return null;
  const text = await file.text();
  input.value = '';
  return { name: file.name, text };
}

/** A file button: a plain file input (browser and desktop alike), labelled for screen readers. */
function FilePicker({ label, text, accept, onFile }: { label: string; text: string; accept: string; onFile: (file: { name: string; text: string }) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <label className="cw-small-button cw-file-button">
        {text}
        <input
          type="file"
          accept={accept}
          aria-label={label}
          onChange={(event) => {
            readChosen(event).then((file) => {
              setError(null);
              if (file) onFile(file);
            }, (reason: unknown) => setError(`The file could not be read: ${(reason as Error).message}`));
          }}
        />
      </label>
      {error ? <div className="cw-field-error" role="alert">{error}</div> : null}
    </>
  );
}

function CsvFields({ task, fields }: { task: Block; fields: PanelField[] }) {
  const field = (key: string): PanelField | undefined => fields.find((f) => f.setting.key === key);
  const csv = useTraining((state) => state.resources.csv);
  const fileName = typeof task.file === 'string' ? task.file : null;
  const loaded = csv && csv.name === (fileName ?? 'data.csv') ? csv : null;
  const delimiter = typeof task.delimiter === 'string' ? task.delimiter : ',';
  const header = task.header !== false;
  const preview = useMemo(() => (loaded ? csvPreview(loaded.text, { delimiter, header }) : null), [loaded, delimiter, header]);
  const inputs = strings(task.inputs);
  const targets = strings(task.targets);
  const toggle = (list: string[], column: string, on: boolean): string[] => {
    const set = new Set(list);
    if (on) set.add(column);
    else set.delete(column);
    // In file order, as the task block lists them.
    return (preview?.columns ?? []).filter((c) => set.has(c));
  };
  return (
    <>
      <div className="cw-field">
        <span className="cw-field-label">CSV file</span>
        <div className="cw-button-row cw-file-row">
          <FilePicker label="Choose CSV file" text={loaded ? 'Another CSV…' : 'Choose CSV…'} accept=".csv,text/csv" onFile={(file) => loadCsvText(file.name, file.text)} />
          {fileName ? <span className="cw-file-name" title={fileName}>{fileName}</span> : null}
        </div>
        {loaded && preview ? (
          <div className="cw-field-help" aria-label="CSV summary">{preview.rows} row{preview.rows === 1 ? '' : 's'} · {preview.columns.length} column{preview.columns.length === 1 ? '' : 's'}. The graph saves only the file&apos;s name.</div>
        ) : fileName ? (
          <div className="cw-field-error" role="status">Not loaded: choose the CSV file again ({fileName}); a graph file keeps only its name.</div>
        ) : (
          <div className="cw-field-help">Rows in time order, one column per series; a first row of column names.</div>
        )}
      </div>
      {preview && preview.columns.length > 0 ? (
        <fieldset className="cw-field cw-columns">
          <legend className="cw-field-label">Columns found</legend>
          <table>
            <thead><tr><th scope="col">column</th><th scope="col">input</th><th scope="col">target</th></tr></thead>
            <tbody>
              {preview.columns.map((column, i) => (
                <tr key={`${i}:${column}`} className={preview.numeric[i] ? '' : 'is-text'}>
                  <th scope="row" title={preview.numeric[i] ? column : `${column}: not numbers in the first rows`}>{column}{preview.numeric[i] ? null : <span className="cw-faint"> (text)</span>}</th>
                  <td><input type="checkbox" aria-label={`Input column ${column}`} checked={inputs.includes(column)} disabled={!preview.numeric[i]} onChange={(e) => setCsvColumns(toggle(inputs, column, e.target.checked), targets)} /></td>
                  <td><input type="checkbox" aria-label={`Target column ${column}`} checked={targets.includes(column)} disabled={!preview.numeric[i]} onChange={(e) => setCsvColumns(inputs, toggle(targets, column, e.target.checked))} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="cw-field-help">A target that is also an input is forecast {typeof task.shift === 'number' ? task.shift : 1} row ahead; the input and target nodes take one number per chosen column.</div>
        </fieldset>
      ) : null}
      {field('window') ? <SettingControl field={field('window')!} /> : null}
      <div className="cw-field-row">
        {field('normalize') ? <SettingControl field={field('normalize')!} /> : null}
        {field('validationFraction') ? <SettingControl field={field('validationFraction')!} /> : null}
      </div>
      <div className="cw-field-row">
        {field('shift') ? <SettingControl field={field('shift')!} /> : null}
        <SelectField
          label="Bad rows"
          value={task.badRows === 'skip' ? 'skip' : 'error'}
          options={[{ value: 'error', label: 'stop and list them' }, { value: 'skip', label: 'skip them' }]}
          onCommit={(v) => setBlock('Set bad rows', 'task', { badRows: v === 'skip' ? 'skip' : undefined })}
        />
      </div>
      <div className="cw-field-row">
        <SelectField
          label="Delimiter"
          value={delimiter}
          options={[{ value: ',', label: 'comma ,' }, { value: ';', label: 'semicolon ;' }, { value: '\t', label: 'tab' }, { value: '|', label: 'bar |' }]}
          onCommit={(v) => setBlock('Set delimiter', 'task', { delimiter: v === ',' ? undefined : v })}
        />
        <CheckField label="First row names the columns" checked={header} onCommit={(v) => setBlock('Set header', 'task', { header: v ? undefined : false })} />
      </div>
    </>
  );
}

function TextFileField({ task }: { task: Block }) {
  const text = useTraining((state) => state.resources.text);
  const fileName = typeof task.file === 'string' ? task.file : null;
  const loaded = text && text.name === fileName ? text : null;
  return (
    <div className="cw-field">
      <span className="cw-field-label">Text</span>
      <div className="cw-button-row cw-file-row">
        <FilePicker label="Choose text file" text="Choose text…" accept=".txt,.md,text/plain" onFile={(file) => loadTextFile(file)} />
        {fileName ? <button type="button" className="cw-small-button" onClick={() => loadTextFile(null)}>Bundled text</button> : null}
      </div>
      {loaded ? (
        <div className="cw-field-help">{fileName}: {Array.from(loaded.text).length.toLocaleString('en')} characters. The graph saves only the file&apos;s name.</div>
      ) : fileName ? (
        <div className="cw-field-error" role="status">Not loaded: choose the text file again ({fileName}), or use the bundled text.</div>
      ) : (
        <div className="cw-field-help">The bundled Declaration of Independence, or a plain-text file of your own.</div>
      )}
    </div>
  );
}

/** The engine's reason a task does not fit, with its detail lines (each bad CSV row and its line number). */
function TaskProblem() {
  const run = useTraining((state) => state.run);
  // A graph that does not fit the task: the run bar lists every mismatch and offers Fit graph to task.
  const mismatched = useDocument((state) => run.kind === 'error' && run.source === 'task' && (taskFit(state.graph)?.problems.length ?? 0) > 0);
  if (run.kind !== 'error' || run.source !== 'task' || mismatched) return null;
  return (
    <div className="cw-task-problem" role="group" aria-label="Task problem">
      <p>{run.message}</p>
      {run.lines && run.lines.length > 0 ? <ul>{run.lines.map((line, i) => <li key={i}><code>{line}</code></li>)}</ul> : null}
    </div>
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
  const csvLoaded = useTraining((state) => state.resources.csv);
  const taskName = typeof task?.name === 'string' ? task.name : '';
  const fields = trainingPanelFields(task, training);
  const taskFields = fields.filter((f) => f.setting.block === 'task' && !f.advanced);
  const trainingFields = fields.filter((f) => f.setting.block === 'training' && !OWN_CONTROL.has(f.path) && !f.advanced);
  const moreFields = fields.filter((f) => f.advanced);
  const taskOptions: Option[] = [{ value: '', label: data ? `data file: ${data.name}` : 'none (train on a data file)' }, ...taskMenu()];
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
            else if (v === 'csv' && csvLoaded) loadCsvText(csvLoaded.name, csvLoaded.text);
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
        <TaskProblem />
        {taskName === 'csv' && task ? <CsvFields task={task} fields={taskFields} /> : null}
        {taskName === 'text' && task ? <TextFileField task={task} /> : null}
        {/* The csv fields place theirs among the columns. */}
        {task ? (taskName === 'csv' ? null : <FieldRows fields={taskFields} />) : (
          <div className="cw-field">
            <span className="cw-field-label">Data file</span>
            <div className="cw-button-row">
              <button type="button" className="cw-small-button" onClick={() => void chooseDataFile()}>{data ? 'Another data file…' : 'Choose a data file…'}</button>
              {data ? <button type="button" className="cw-small-button" onClick={clearDataFile}>Forget it</button> : null}
            </div>
            <div className="cw-field-help">A JSON data file (inputs, targets, initial states) as `cellwright grad` reads it.</div>
          </div>
        )}
        <FieldRows fields={trainingFields} />
        <ClipFields training={training} />
        <MoreSettings fields={moreFields} />
        {info ? <p className="cw-note">Trains in a background worker ({info.runtime}).</p> : null}
        <p className="cw-note">These settings are the graph's <code>task</code> and <code>training</code> blocks: Save keeps them, and <code>cellwright train</code> repeats the run from them.</p>
      </div>
    </section>
  );
});
