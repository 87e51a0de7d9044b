/**
 * How MySQL compares the values the Webservice filters and sorts by: numbers as numbers and (with the
 * default *_ci collations) text case-insensitively. `sortKey` prepares a value once, for the lists that
 * compare each row's value many times (a date window over every order, a sort).
 */

const NUM = /^-?\d+(\.\d+)?$/;

export function compare(a: string, b: string): number {
  if (NUM.test(a) && NUM.test(b)) return Number(a) - Number(b);
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface SortKey {
  /** The number, when the value is one (NUM). */
  num: number | undefined;
  lower: string;
}

export function sortKey(v: string): SortKey {
  return { num: NUM.test(v) ? Number(v) : undefined, lower: v.toLowerCase() };
}

/** `compare` of the two values the keys were made from. */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
  return a.lower < b.lower ? -1 : a.lower > b.lower ? 1 : 0;
}
