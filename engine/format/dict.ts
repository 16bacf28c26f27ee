/**
 * Tables keyed by ids from a file. An id may be any string, `__proto__`,
 * `constructor` and `toString` included: on a plain `{}` writing
 * `t["__proto__"]` replaces the prototype (and JSON.stringify drops it), and
 * reading `t["constructor"]` finds Object. These helpers make ids plain keys.
 */

/**
 * An empty table with no prototype: every key is its own.
 *
 * Example: const t = idTable<number>(); t.__proto__ = 1; JSON.stringify(t) // '{"__proto__":1}'
 */
export function idTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * `table[key]` when the table has that key of its own, else undefined (never
 * an inherited `toString` or `constructor`).
 *
 * Example: own({}, 'constructor') // undefined
 */
export function own<T>(table: Readonly<Record<string, T>> | undefined | null, key: string): T | undefined {
  return table !== undefined && table !== null && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A table from [key, value] pairs, safe for any key (as Object.fromEntries, with no prototype). */
export function tableFrom<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = idTable<T>();
  for (const [k, v] of entries) out[k] = v;
  return out;
}
