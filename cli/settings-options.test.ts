/** Every registry setting is a `cellwright train` flag with the registry's default and help; a new setting becomes a flag. */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Setting } from '../engine/train/settings.ts';
import { defaultText, SETTINGS, TRAINING_SETTINGS } from '../engine/train/settings.ts';
import { register } from './commands/train.ts';
import { addSettingOptions } from './settings-options.ts';

function trainCommand(): Command {
  const program = new Command();
  register(program, { out: () => {}, err: () => {} } as never, () => {});
  return program.commands.find((c) => c.name() === 'train')!;
}

const EXTRA: Setting = {
  block: 'training', key: 'warmupSteps', type: 'int', range: { min: 0 }, default: 7, flag: '--warmup-steps <n>', label: 'Warm-up steps', help: 'steps of linear learning-rate warm-up',
};

describe('cellwright train flags from the settings registry', () => {
  const train = trainCommand();
  it('has a flag for every setting, with its help line and default', () => {
    for (const s of SETTINGS) {
      const o = train.options.find((x) => x.flags === s.flag);
      expect(o, s.flag).toBeDefined();
      expect(o!.description).toContain(s.help);
      expect(o!.description).toContain(`(default: ${defaultText(s)})`);
      if (s.choices) expect(o!.argChoices).toEqual(s.choices.map((c) => c.value));
    }
    expect(train.options.find((x) => x.long === '--lr')!.description).toContain('adam 0.001');
  });

  it('checks a number flag against the setting\'s range', () => {
    const lr = train.options.find((x) => x.long === '--batch')!;
    expect(() => lr.parseArg!('0', undefined)).toThrow('--batch must be an integer ≥ 1 and ≤ 65536, got "0"');
    expect(lr.parseArg!('64', undefined)).toBe(64);
  });

  it('reads a pair flag as two numbers in the setting\'s range', () => {
    const betas = train.options.find((x) => x.long === '--betas')!;
    expect(betas.parseArg!('0.8, 0.99', undefined)).toEqual([0.8, 0.99]);
    expect(() => betas.parseArg!('0.9', undefined)).toThrow('--betas must be two numbers, each ≥ 0 and < 1, separated by a comma');
    expect(() => betas.parseArg!('0.9,1', undefined)).toThrow('got "0.9,1"');
  });

  it('turns a setting added to the registry into a flag', () => {
    const c = addSettingOptions(new Command(), [...TRAINING_SETTINGS, EXTRA]);
    const o = c.options.find((x) => x.long === '--warmup-steps');
    expect(o?.description).toBe('steps of linear learning-rate warm-up (default: 7)');
    expect(() => o!.parseArg!('-1', undefined)).toThrow('≥ 0');
  });
});
