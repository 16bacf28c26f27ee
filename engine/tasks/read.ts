/** Reading fields of a `task` / `training` block with errors that name the field and the fix. */
import { TaskError } from './types.ts';

export type Block = Record<string, unknown>;

export class BlockReader {
  constructor(readonly block: Block, readonly where: string) {}

  private fail(key: string, expected: string): never {
    const got = JSON.stringify(this.block[key]);
    throw new TaskError(`${this.where}.${key} must be ${expected}, got ${got}`, `${this.where}.${key}`);
  }

  has(key: string): boolean {
    return this.block[key] !== undefined && this.block[key] !== null;
  }

  num(key: string, def: number, o: { min?: number; max?: number; int?: boolean; gt?: number } = {}): number {
    if (!this.has(key)) return def;
    const v = this.block[key];
    const parts: string[] = [o.int ? 'an integer' : 'a number'];
    if (o.min !== undefined) parts.push(`≥ ${o.min}`);
    if (o.gt !== undefined) parts.push(`> ${o.gt}`);
    if (o.max !== undefined) parts.push(`≤ ${o.max}`);
    const expected = parts.join(' ');
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, expected);
    if (o.int && !Number.isInteger(v)) this.fail(key, expected);
    if (o.min !== undefined && v < o.min) this.fail(key, expected);
    if (o.gt !== undefined && v <= o.gt) this.fail(key, expected);
    if (o.max !== undefined && v > o.max) this.fail(key, expected);
    return v;
  }

  optNum(key: string, o: { min?: number; max?: number; int?: boolean; gt?: number } = {}): number | undefined {
    return this.has(key) ? this.num(key, 0, o) : undefined;
  }

  bool(key: string, def: boolean): boolean {
    if (!this.has(key)) return def;
    const v = this.block[key];
    if (typeof v !== 'boolean') this.fail(key, 'true or false');
    return v;
  }

  str(key: string, def: string): string {
    if (!this.has(key)) return def;
    const v = this.block[key];
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string');
    return v;
  }

  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key, '') : undefined;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], def: T): T {
    if (!this.has(key)) return def;
    const v = this.block[key];
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) this.fail(key, `one of ${choices.map((c) => `"${c}"`).join(', ')}`);
    return v as T;
  }

  strings(key: string, def: string[]): string[] {
    if (!this.has(key)) return def;
    const v = this.block[key];
    const arr = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(arr) || arr.length === 0 || !arr.every((s) => typeof s === 'string' && s !== '')) this.fail(key, 'a column name or a list of them');
    return arr as string[];
  }
}
