/**
 * The `cellwright train` flags of the settings registry
 * (engine/train/settings.ts): one commander Option per setting, with its
 * range or choices and its help line and default.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Setting } from '../engine/train/settings.ts';
import { choiceValues, flagHelp, rangeText } from '../engine/train/settings.ts';
import { CliError } from './io.ts';

/** Parses a number flag against the setting's range (exit code 2 with what is allowed). */
export function numberArg(s: Setting): (v: string) => number {
  const name = s.flag.split(' ')[0];
  const r = s.range ?? {};
  return (v: string): number => {
    const x = Number(v);
    const bad = v.trim() === '' || !Number.isFinite(x) || (s.type === 'int' && !Number.isInteger(x))
      || (r.min !== undefined && x < r.min) || (r.gt !== undefined && x <= r.gt) || (r.max !== undefined && x > r.max);
    if (bad) throw new CliError(`${name} must be ${rangeText(s)}, got "${v}"`, 2);
    return x;
  };
}

/** The commander Option of a setting. */
export function settingOption(s: Setting): Option {
  const o = new Option(s.flag, flagHelp(s));
  if (s.conflicts) o.conflicts(s.conflicts);
  if (s.type === 'enum') return o.choices(choiceValues(s));
  if (s.type === 'number' || s.type === 'int') return o.argParser(numberArg(s));
  return o;
}

/** Adds the flags of these settings to a command, in registry order. */
export function addSettingOptions(command: Command, list: readonly Setting[]): Command {
  for (const s of list) command.addOption(settingOption(s));
  return command;
}
