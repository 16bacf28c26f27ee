import { describe, expect, it } from 'vitest';
import { createTask } from '../tasks/index.ts';
import { TaskError, TASK_NAMES } from '../tasks/types.ts';
import { DEFAULT_LR, resolveTraining } from './config.ts';
import { OPTIMIZERS } from './optimizers.ts';
import { defaultText, flagKey, SETTINGS, setting, settingDefault, TASK_SETTINGS, TASKS, TRAINING_SETTINGS, unknownTasks } from './settings.ts';

describe('settings registry', () => {
  it('names every task once, with a blurb, and only known tasks', () => {
    expect(TASKS.map((t) => t.name)).toEqual([...TASK_NAMES]);
    for (const t of TASKS) expect(t.blurb.length).toBeGreaterThan(10);
    expect(unknownTasks()).toEqual([]);
  });

  it('gives each setting a flag named after its key, a help line, and a label', () => {
    for (const s of SETTINGS) {
      expect(flagKey(s.flag), s.key).toBe(s.key);
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
    for (const key of ['steps', 'batch', 'seed', 'dtype', 'validateEvery'] as const) expect(c[key], key).toBe(settingDefault(setting('training', key)));
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
