/** The Training panel shows a field for every registry setting (for the task and optimizer it applies to); a new setting gets a field. */
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../../engine/train/optimizers.ts';
import type { Setting } from '../../engine/train/settings.ts';
import { SETTINGS, settingPath, TASKS } from '../../engine/train/settings.ts';
import { taskLength } from '../doc/fixes.ts';
import { taskMenu, trainingPanelFields } from './training-fields.ts';

describe('trainingPanelFields', () => {
  it('covers every setting over the tasks and optimizers', () => {
    const seen = new Set<string>();
    for (const t of TASKS) for (const o of OPTIMIZERS) for (const f of trainingPanelFields({ name: t.name }, { optimizer: o })) seen.add(f.path);
    expect([...seen].sort()).toEqual(SETTINGS.map(settingPath).sort());
  });

  it('shows the task\'s own fields with the registry defaults for that task and optimizer', () => {
    const fields = trainingPanelFields({ name: 'copy', delay: 30 }, { optimizer: 'sgd' });
    const value = (path: string) => fields.find((f) => f.path === path)?.value;
    expect(fields.filter((f) => f.setting.block === 'task' && !f.advanced).map((f) => f.path)).toEqual(['task.symbols', 'task.sequence', 'task.delay']);
    expect(fields.filter((f) => f.setting.block === 'task' && f.advanced).map((f) => f.path)).toEqual(['task.validation', 'task.seed']);
    expect(value('task.delay')).toBe(30);
    expect(value('task.symbols')).toBe(8);
    expect(value('training.lr')).toBe(0.01);
    expect(value('training.momentum')).toBe(0);
    const adam = trainingPanelFields({ name: 'adding' }, {});
    expect(adam.find((f) => f.path === 'training.lr')).toMatchObject({ value: 0.001, label: 'Learning rate', help: undefined });
    expect(adam.find((f) => f.path === 'training.batch')?.help).toBe('Sequences per step.');
    expect(adam.some((f) => f.path === 'training.momentum')).toBe(false);
    expect(adam.find((f) => f.path === 'task.length')?.value).toBe(50);
    expect(trainingPanelFields(undefined, {}).some((f) => f.setting.block === 'task')).toBe(false);
  });

  it('takes the engine\'s ranges, capped where the panel guards typos', () => {
    const f = trainingPanelFields({ name: 'sine' }, {});
    expect(f.find((x) => x.path === 'task.components')?.accepts).toMatchObject({ int: true, min: 1, max: 6, optional: false });
    expect(f.find((x) => x.path === 'training.lr')?.accepts).toMatchObject({ gt: 0, max: 100 });
    expect(f.find((x) => x.path === 'training.clipNorm')?.accepts?.optional).toBe(true);
  });

  it('shows the optimizer\'s own details under More settings, nested values read from their object', () => {
    const paths = (o: string) => trainingPanelFields({ name: 'parity' }, { optimizer: o }).filter((f) => f.advanced).map((f) => f.path);
    expect(paths('adam')).toEqual(expect.arrayContaining(['training.betas', 'training.eps', 'training.weightDecay', 'training.schedule.every', 'training.flags.vanishing']));
    expect(paths('adam')).not.toContain('training.alpha');
    expect(paths('rmsprop')).toEqual(expect.arrayContaining(['training.alpha', 'training.centered', 'training.eps']));
    expect(paths('sgd')).toEqual(expect.arrayContaining(['training.dampening']));
    expect(paths('sgd')).not.toContain('training.betas');
    const f = trainingPanelFields({ name: 'parity' }, { schedule: { every: 40, gamma: 0.3 }, flags: { exploding: 20 } });
    const value = (path: string) => f.find((x) => x.path === path)?.value;
    expect(value('training.schedule.every')).toBe(40);
    expect(value('training.schedule.gamma')).toBe(0.3);
    expect(value('training.flags.exploding')).toBe(20);
    expect(value('training.flags.vanishing')).toBe(0.01);
    expect(value('training.betas')).toEqual([0.9, 0.999]);
    expect(f.find((x) => x.path === 'training.betas')?.accepts).toMatchObject({ min: 0, lt: 1 });
  });

  it('gives a setting added to the registry a field', () => {
    const extra: Setting = { block: 'task', key: 'warmup', type: 'int', range: { min: 0 }, defaults: { parity: 3 }, tasks: ['parity'], flag: '--warmup <n>', label: 'Warm-up', help: 'steps before the first target' };
    const f = trainingPanelFields({ name: 'parity' }, {}, [...SETTINGS, extra]).find((x) => x.path === 'task.warmup');
    expect(f).toMatchObject({ label: 'Warm-up', help: 'Steps before the first target.', value: 3 });
  });

  it('gives the shorter-sequence fix the registry\'s length of every task', () => {
    const graph = (task: Record<string, unknown>) => ({ version: 1, nodes: [], edges: [], task }) as never;
    expect(taskLength(graph({ name: 'temporal-order' }))).toEqual({ field: 'length', value: 100 });
    expect(taskLength(graph({ name: 'copy' }))).toEqual({ field: 'delay', value: 10 });
    expect(taskLength(graph({ name: 'csv', window: 7 }))).toEqual({ field: 'window', value: 7 });
    expect(taskLength(graph({ name: 'nonesuch' }))).toBeNull();
  });

  it('lists every task with its blurb in the menu', () => {
    expect(taskMenu().map((o) => o.value)).toEqual(TASKS.map((t) => t.name));
    expect(taskMenu()[0].label).toBe('parity — running parity of random bits (the reference text’s example 3)');
  });
});
