/**
 * Maps a path inside a flow file (`['steps', 3, 'retry', 'maxAttempts']`) to a line and column of the
 * YAML source, and formats paths the way messages show them (`steps[3].retry.maxAttempts`).
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

/** `['steps', 3, 'retry']` → `steps[3].retry`; keys that are not identifiers are quoted: `settings["a b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds the node at `path` and answers where it starts. When the path runs past what exists (a missing
 * field), the deepest existing node is used, so "x is required" points at the object that lacks it.
 * With `atKey`, the position of the last segment's key is answered instead of its value (for unknown fields).
 */
export function locate(doc: Document, counter: LineCounter, path: readonly PathSegment[], atKey = false): Position {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        next = pair.value;
        keyOffset = rangeStart(pair.key);
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined && keyOffset === undefined) break;
    if (atKey && i === path.length - 1 && keyOffset !== undefined) {
      offset = keyOffset;
      break;
    }
    offset = rangeStart(next) ?? keyOffset ?? offset;
    node = next;
  }
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    if (Array.isArray(range)) return range[0];
  }
  return undefined;
}
