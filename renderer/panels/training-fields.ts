/**
 * The Training panel's model: which registry settings (engine/train/settings.ts)
 * it shows for a graph's `task` and `training` blocks, with their label, help,
 * current value, choices and accepted range. A pure function, so a test can
 * check that every setting has a field.
 */
import type { Setting, SettingValue } from '../../engine/train/settings.ts';
import { SETTINGS, settingDefault, settingPath, settingValue, TASKS } from '../../engine/train/settings.ts';

type Block = Record<string, unknown>;

export interface PanelField {
  setting: Setting;
  /** `training.lr`. */
  path: string;
  label: string;
  /** The registry's help line as a sentence (undefined when it only repeats the label). */
  help: string | undefined;
  /** The block's value, else the default for this optimizer or task (undefined: none, the field is empty). */
  value: SettingValue | undefined;
  /** What the number box accepts (a pair: each of its numbers); empty is allowed where the setting has no default. */
  accepts?: { int: boolean; min?: number; gt?: number; max?: number; lt?: number; optional: boolean };
  /** Shown under "More settings". */
  advanced: boolean;
  /** Choices of a menu. */
  options?: { value: string; label: string }[];
}

/** Rendered by the panel's own controls (clipping mode menu), not by the generic field. */
export const OWN_CONTROL = new Set(['training.clipNorm', 'training.clipValue']);

function sentence(help: string): string {
  const s = help.charAt(0).toUpperCase() + help.slice(1);
  return s.endsWith('.') ? s : `${s}.`;
}

/** The optimizer a training block uses (the registry's default when it names none). */
export function optimizerOf(training: Block | undefined, registry: readonly Setting[] = SETTINGS): string {
  const o = training?.optimizer;
  if (typeof o === 'string') return o;
  const s = registry.find((x) => x.block === 'training' && x.key === 'optimizer');
  return String(s ? settingDefault(s) : 'adam');
}

/** Whether a setting applies to the current task or optimizer (a setting with per-optimizer defaults applies to those optimizers only). */
function applies(s: Setting, taskName: string, optimizer: string): boolean {
  if (s.block === 'task') return (s.tasks ?? []).includes(taskName as never);
  if (s.optimizers) return s.optimizers.includes(optimizer);
  if (s.defaults && s.default === undefined) return Object.hasOwn(s.defaults, optimizer);
  return true;
}

/**
 * The fields the Training panel shows, in registry order: the task's
 * settings (none without a task), then the training settings that apply to
 * the chosen optimizer.
 *
 * @example
 * trainingPanelFields({ name: 'copy' }, {}).map((f) => f.path) // task.symbols, task.sequence, task.delay, training.optimizer, …
 */
export function trainingPanelFields(task: Block | undefined, training: Block | undefined, registry: readonly Setting[] = SETTINGS): PanelField[] {
  const taskName = typeof task?.name === 'string' ? task.name : '';
  const optimizer = optimizerOf(training, registry);
  const out: PanelField[] = [];
  for (const s of registry) {
    if (s.block === 'task' && !task) continue;
    if (!applies(s, taskName, optimizer)) continue;
    const block = s.block === 'task' ? task : training;
    const given = settingValue(block, s);
    const def = settingDefault(s, s.block === 'task' ? taskName : optimizer);
    const value = given !== undefined && typeof given === typeof (def ?? given) ? (given as SettingValue) : def;
    const help = s.help.toLowerCase() === s.label.toLowerCase() ? undefined : sentence(s.help);
    const field: PanelField = { setting: s, path: settingPath(s), label: s.label, help, value, advanced: s.advanced === true };
    if (s.type === 'enum') field.options = (s.choices ?? []).map((c) => ({ ...c }));
    if (s.type === 'number' || s.type === 'int' || s.type === 'pair') {
      field.accepts = { int: s.type === 'int', ...s.range, optional: def === undefined };
      if (s.panelMax !== undefined) field.accepts.max = Math.min(s.panelMax, s.range?.max ?? Infinity);
    }
    out.push(field);
  }
  return out;
}

/** The task menu: every task with its one-line blurb. */
export function taskMenu(): { value: string; label: string }[] {
  return TASKS.map((t) => ({ value: t.name, label: `${t.name} — ${t.blurb}` }));
}
