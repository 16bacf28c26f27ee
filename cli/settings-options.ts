/**
 * The `cellwright train` flags of the settings registry
 * (engine/train/settings.ts): one commander Option per setting, with its
 * range or choices and its help line and default.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Setting } from '../engine/train/settings.ts';
import { choiceValues, flagHelp, inRange, pairValue, rangeText } from '../engine/train/settings.ts';
import { CliError } from './io.ts';

/** Parses a number flag against the setting's range (exit code 2 with what is allowed). */
export function numberArg(s: Setting): (v: string) => number {
  const name = s.flag.split(' ')[0];
  return (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !inRange(s, x)) throw new CliError(`${name} must be ${rangeText(s)}, got "${v}"`, 2);
    return x;
  };
}

/** Parses a pair flag, "0.9,0.999", against the setting's range. */
export function pairArg(s: Setting): (v: string) => [number, number] {
  const name = s.flag.split(' ')[0];
  return (v: string): [number, number] => {
    const parts = v.split(',').map((p) => p.trim());
    const pair = parts.length === 2 && parts.every((p) => p !== '') ? pairValue(s, parts.map(Number)) : null;
    if (!pair) throw new CliError(`${name} must be ${rangeText(s)}, separated by a comma (such as 0.9,0.999), got "${v}"`, 2);
    return pair;
  };
}

/** The commander Option of a setting. */
export function settingOption(s: Setting): Option {
  const o = new Option(s.flag, flagHelp(s));
  if (s.conflicts) o.conflicts(s.conflicts);
  if (s.type === 'enum') return o.choices(choiceValues(s));
  if (s.type === 'number' || s.type === 'int') return o.argParser(numberArg(s));
  if (s.type === 'pair') return o.argParser(pairArg(s));
  return o;
}

/** Adds the flags of these settings to a command, in registry order. */
export function addSettingOptions(command: Command, list: readonly Setting[]): Command {
  for (const s of list) command.addOption(settingOption(s));
  return command;
}
