/**
 * One policy (or preset) YAML file, parsed with source positions so that every mistake found
 * later (schema, extends, missing files) can be reported at the line and column that holds it.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { PolicyError } from '../errors';

/** A path into the policy document: mapping keys and sequence indexes. */
export type PolicyPath = (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/**
 * Policy texts from somewhere other than the disk, by absolute path: the base commit's version of
 * the policy and of what it extends (src/github/base-policy.ts). `text` gives the file's text,
 * null when the file does not exist there (the disk is then not asked), or undefined for a file
 * it does not hold (the shipped presets), which is read from the disk.
 */
export interface PolicyTexts {
  text(file: string): string | null | undefined;
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
  texts?: PolicyTexts,
): { source?: PolicySource; errors: PolicyError[] } {
  const fail = (message: string) =>
    referencedFrom
      ? { errors: [errorAt(referencedFrom.source, referencedFrom.path, 'value', message)] }
      : { errors: [new PolicyError(message, { file })] };
  let text: string;
  try {
    const given = texts?.text(file);
    if (given === null) return fail(`policy file not found: ${file}`);
    text = given ?? readPolicyText(file);
    if (given !== undefined && given.length > MAX_POLICY_BYTES) {
      throw new PolicyFileProblem(`policy file is ${given.length} bytes; expected at most ${MAX_POLICY_BYTES} (1 MiB)`);
    }
  } catch (error) {
    if (error instanceof PolicyFileProblem) return fail(`${error.message}: ${file}`);
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'unreadable';
    return fail(`policy file ${reason}: ${file}`);
  }
  const lines = new LineCounter();
  // yaml's own unique-key check compares every key with every earlier one (quadratic: 20,000
  // keys took seconds), so duplicates are found here with one set per mapping instead.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false });
  const duplicates = duplicateKeyErrors(doc, lines, file);
  if (doc.errors.length > 0 || duplicates.length > 0) {
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
    return { errors: [...errors, ...duplicates] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? null;
  } catch (error) {
    return {
      errors: [new PolicyError(`YAML error: ${(error as Error).message}`, { file, line: 1, column: 1 })],
    };
  }
  return { source: { file, doc, lines, data }, errors: [] };
}

/** Largest policy file read: real policies are a few KB; anything near this is a mistake or an attack. */
export const MAX_POLICY_BYTES = 1024 * 1024;

class PolicyFileProblem extends Error {}

/**
 * The file's text, after checking what it is: a FIFO would block the read forever and a device
 * such as /dev/zero never ends, so the file is opened without blocking and must be a regular
 * file of at most MAX_POLICY_BYTES (checked on the open descriptor, so it cannot be swapped).
 */
function readPolicyText(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new PolicyFileProblem(`policy file is ${kindOf(stats)}, not a regular file`);
    if (stats.size > MAX_POLICY_BYTES) {
      throw new PolicyFileProblem(`policy file is ${stats.size} bytes; expected at most ${MAX_POLICY_BYTES} (1 MiB)`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A key written twice in one mapping, reported as YAML reports it, at the second key. */
function duplicateKeyErrors(doc: Document, lines: LineCounter, file: string): PolicyError[] {
  const errors: PolicyError[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        // Scalars compare by value, as in yaml's own check; any other key is unique by identity.
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const pos = lines.linePos((pair.key as Node | null)?.range?.[0] ?? 0);
        errors.push(new PolicyError('YAML syntax error: Map keys must be unique', { file, line: pos.line, column: pos.col }));
      }
    },
  });
  return errors;
}

/** Pairs of a mapping by key text, built once per mapping: a lookup per error must not scan the mapping. */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairByKey(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/**
 * Where a path sits in a file. `key` gives the position of the mapping key (e.g. `fail:`),
 * `value` the position of a scalar value (block collections are reported at their key, which is
 * where a reader looks). A path that is not in the file resolves to its deepest existing parent.
 */
export function positionOf(source: PolicySource, path: PolicyPath, part: 'key' | 'value' = 'key'): Position {
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
      const pair = pairByKey(node as YAMLMap, String(segment));
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
