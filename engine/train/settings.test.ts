import { describe, expect, it } from 'vitest';
import { createTask } from '../tasks/index.ts';
import { TaskError, TASK_NAMES } from '../tasks/types.ts';
import { DEFAULT_LR, resolveTraining } from './config.ts';
import { OPTIMIZERS } from './optimizers.ts';
import { defaultText, flagKey, SETTINGS, setting, settingDefault, settingPath, settingValue, TASK_SETTINGS, TASKS, TRAINING_SETTINGS, unknownTasks, withSetting } from './settings.ts';
import { trainingBlock } from './config.ts';

describe('settings registry', () => {
  it('names every task once, with a blurb, and only known tasks', () => {
    expect(TASKS.map((t) => t.name)).toEqual([...TASK_NAMES]);
    for (const t of TASKS) expect(t.blurb.length).toBeGreaterThan(10);
    expect(unknownTasks()).toEqual([]);
  });

  it('gives each setting its own flag named after its key, a help line, and a label', () => {
    // Flags not named after their key: a nested field, or a task key that would read ambiguously on its own.
    const renamed: Record<string, string> = {
      'task.validation': 'validationSequences', 'task.seed': 'validationSeed',
      'training.schedule.every': 'lrStepEvery', 'training.schedule.gamma': 'lrStepGamma',
      'training.flags.exploding': 'flagExploding', 'training.flags.vanishing': 'flagVanishing',
    };
    expect(new Set(SETTINGS.map((s) => flagKey(s.flag))).size).toBe(SETTINGS.length);
    for (const s of SETTINGS) {
      expect(flagKey(s.flag), s.key).toBe(renamed[settingPath(s)] ?? s.key);
      expect(s.help.length).toBeGreaterThan(3);
      expect(s.label.length).toBeGreaterThan(2);
    }
  });

  it('is what resolveTraining fills in when the block is empty', () => {
    for (const o of OPTIMIZERS) {
      const c = resolveTraining({ optimizer: o });
      expect(c.lr).toBe(settingDefault(setting('training', 'lr'), o));
      expect(DEFAULT_LR[o]).toBe(c.lr);
    }
    const c = resolveTraining();
    expect(c.optimizer.name).toBe(settingDefault(setting('training', 'optimizer')));
    for (const key of ['steps', 'batch', 'seed', 'dtype', 'validateEvery', 'diagnosticsEvery'] as const) expect(c[key], key).toBe(settingDefault(setting('training', key)));
    expect(c.flags).toEqual({ exploding: settingDefault(setting('training', 'flags.exploding')), vanishing: settingDefault(setting('training', 'flags.vanishing')) });
    expect(c.schedule).toEqual({ kind: 'constant' });
  });

  it('reads the optimizer details, the schedule and the flag thresholds through the registry', () => {
    const c = resolveTraining({ optimizer: 'rmsprop', eps: 1e-6, alpha: 0.9, centered: true, weightDecay: 0.01 });
    expect(c.optimizer).toMatchObject({ name: 'rmsprop', eps: 1e-6, alpha: 0.9, centered: true, weightDecay: 0.01 });
    expect(resolveTraining({ betas: [0.8, 0.99] }).optimizer.betas).toEqual([0.8, 0.99]);
    expect(() => resolveTraining({ betas: [0.9, 1] })).toThrow('training.betas must be two numbers, each ≥ 0 and < 1');
    expect(() => resolveTraining({ alpha: 2 })).toThrow(/training\.alpha/);
    expect(() => resolveTraining({ dampening: -1 })).toThrow(/training\.dampening/);
    // {"every": n} alone is a step schedule, with the registry's gamma; the older {"kind": "step"} form still reads.
    expect(resolveTraining({ schedule: { every: 10 } }).schedule).toEqual({ kind: 'step', every: 10, gamma: settingDefault(setting('training', 'schedule.gamma')) });
    expect(resolveTraining({ schedule: { kind: 'step', every: 5, gamma: 0.1 } }).schedule).toEqual({ kind: 'step', every: 5, gamma: 0.1 });
    expect(resolveTraining({ schedule: 'constant' }).schedule).toEqual({ kind: 'constant' });
    expect(() => resolveTraining({ schedule: { gamma: 0.1 } })).toThrow('training.schedule.gamma needs training.schedule.every');
    expect(() => resolveTraining({ schedule: { every: 0 } })).toThrow(/training\.schedule\.every/);
    // Overrides of one field of an object keep the block's others (a flag on the command line over the file's flags).
    const f = resolveTraining({ flags: { exploding: 50 } }, { flags: { vanishing: 0.001 } });
    expect(f.flags).toEqual({ exploding: 50, vanishing: 0.001 });
    expect(trainingBlock(f).flags).toEqual({ exploding: 50, vanishing: 0.001 });
    expect(trainingBlock(resolveTraining({})).flags).toBeUndefined();
    expect(() => resolveTraining({ flags: { vanishing: 0 } })).toThrow(/training\.flags\.vanishing/);
  });

  it('reads and writes a nested setting by its dotted key, dropping an emptied object', () => {
    const every = setting('training', 'schedule.every');
    const b = withSetting({ lr: 0.1 }, every, 20);
    expect(b).toEqual({ lr: 0.1, schedule: { every: 20 } });
    expect(settingValue(b, every)).toBe(20);
    expect(settingValue({ schedule: 'constant' }, every)).toBeUndefined();
    expect(withSetting(b, every, undefined)).toEqual({ lr: 0.1 });
    const hostile = JSON.parse('{"__proto__": {"every": 3}, "schedule": {"__proto__": 1}}') as Record<string, unknown>;
    expect(settingValue(hostile, every)).toBeUndefined();
    expect(({} as Record<string, unknown>).every).toBeUndefined();
  });

  it('gives the validation set its size and seed from the registry', () => {
    for (const t of ['parity', 'adding', 'copy', 'sine', 'temporal-order', 'flip-flop'] as const) {
      expect(createTask({ name: t }).meta.validationSize, t).toBe(settingDefault(setting('task', 'validation'), t));
    }
    expect(createTask({ name: 'parity', validation: 7 }).meta.validationSize).toBe(7);
    const a = createTask({ name: 'parity' }).validation();
    const b = createTask({ name: 'parity', seed: settingDefault(setting('task', 'seed')) as number }).validation();
    const c = createTask({ name: 'parity', seed: 5 }).validation();
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(Array.from(c.x)).not.toEqual(Array.from(a.x));
  });

  it('is the range resolveTraining enforces, with the JSON path in the message', () => {
    expect(() => resolveTraining({ batch: 1 + (1 << 16) })).toThrow(/training\.batch/);
    expect(() => resolveTraining({ lr: 0 })).toThrow(TaskError);
    expect(() => resolveTraining({ momentum: 1.5 })).toThrow(/training\.momentum/);
    expect(resolveTraining({ steps: 0 }).steps).toBe(0);
  });

  it('is what the tasks use by default and the range they enforce', () => {
    for (const s of TASK_SETTINGS) {
      for (const t of s.tasks ?? []) {
        if (t === 'csv' || t === 'text') continue; // need a file; checked by their own tests
        const d = settingDefault(s, t);
        if (typeof d === 'number' && s.range?.max !== undefined) {
          expect(() => createTask({ name: t, [s.key]: s.range!.max! + 1 }), `${t}.${s.key}`).toThrow(new RegExp(`task\\.${s.key}`));
        }
      }
    }
    expect(createTask({ name: 'adding' }).meta.T).toBe(settingDefault(setting('task', 'length'), 'adding'));
    expect(createTask({ name: 'temporal-order' }).meta.T).toBe(settingDefault(setting('task', 'length'), 'temporal-order'));
  });

  it('says the defaults in words', () => {
    expect(defaultText(setting('training', 'lr'))).toBe('sgd 0.01, momentum 0.01, adam 0.001, rmsprop 0.01');
    expect(defaultText(setting('training', 'steps'))).toBe('1000');
    expect(TRAINING_SETTINGS.every((s) => defaultText(s) !== 'none')).toBe(true);
  });
});
