/**
 * One policy (or preset) YAML file, parsed with source positions so that every mistake found
 * later (schema, extends, missing files) can be reported at the line and column that holds it.
 */
import { readFileSync } from 'node:fs';
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node,
} from 'yaml';
import { PolicyError } from '../errors';

/** A path into the policy document: mapping keys and sequence indexes. */
export type PolicyPath = (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export interface PolicySource {
  /** Absolute path. */
  file: string;
  doc: Document;
  lines: LineCounter;
  /** The document as plain data (null for an empty file). */
  data: unknown;
}

/** Reads and parses one YAML file; YAML syntax errors come back as PolicyErrors with positions. */
export function readPolicySource(
  file: string,
  referencedFrom?: { source: PolicySource; path: PolicyPath },
): { source?: PolicySource; errors: PolicyError[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'unreadable';
    const message = `policy file ${reason}: ${file}`;
    if (referencedFrom) {
      return { errors: [errorAt(referencedFrom.source, referencedFrom.path, 'value', message)] };
    }
    return { errors: [new PolicyError(message, { file })] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
      // The pretty message ends with "at line L, column C:" and a snippet; the location says that.
      const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return new PolicyError(`YAML syntax error: ${message}`, {
        file,
        line: pos.line,
        column: pos.col,
      });
    });
    return { errors };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? null;
  } catch (error) {
    return {
      errors: [
        new PolicyError(`YAML error: ${(error as Error).message}`, { file, line: 1, column: 1 }),
      ],
    };
  }
  return { source: { file, doc, lines, data }, errors: [] };
}

/**
 * Where a path sits in a file. `key` gives the position of the mapping key (e.g. `fail:`),
 * `value` the position of a scalar value (block collections are reported at their key, which is
 * where a reader looks). A path that is not in the file resolves to its deepest existing parent.
 */
export function positionOf(
  source: PolicySource,
  path: PolicyPath,
  part: 'key' | 'value' = 'key',
): Position {
  const { doc, lines } = source;
  const at = (node: Node | null | undefined): Position | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  let node: unknown = resolve(doc.contents);
  let best: Position = at(node as Node) ?? { line: 1, column: 1 };
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) return best;
      const keyPos = at(pair.key as Node) ?? best;
      const value = resolve(pair.value);
      if (last) {
        if (part === 'key') return keyPos;
        if (isScalar(value) || isFlow(value)) return at(value as Node) ?? keyPos;
        return keyPos;
      }
      best = keyPos;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = resolve(node.items[segment]);
      const itemPos = at(item as Node);
      if (!itemPos) return best;
      if (last) return itemPos;
      best = itemPos;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}

function isFlow(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && node.flow === true;
}

/** Does the file itself write this path (as opposed to inheriting it)? */
export function hasPath(source: PolicySource, path: PolicyPath): boolean {
  let value: unknown = source.data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return false;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return false;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return true;
}

/** `probes.membership.attacks[2]`; the empty path is the top level. */
export function fieldName(path: PolicyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/** "in probes.membership" or "at the top level". */
export function whereName(path: PolicyPath): string {
  return path.length === 0 ? 'at the top level' : `in ${fieldName(path)}`;
}

export function errorAt(
  source: PolicySource,
  path: PolicyPath,
  part: 'key' | 'value',
  message: string,
  field: PolicyPath = path,
): PolicyError {
  const pos = positionOf(source, path, part);
  return new PolicyError(message, {
    file: source.file,
    line: pos.line,
    column: pos.column,
    field: field.length ? fieldName(field) : undefined,
  });
}
