/**
 * Deep merge of a policy with what it extends, remembering which file wrote every value so that
 * errors, relative paths and threshold annotations point at the right file.
 *
 * Rules: mappings merge key by key; lists, scalars and anything of a different kind written by
 * the extending file replace the inherited value. `extends` itself is not part of the result.
 */
import { PolicyError } from '../errors';
import { positionOf, type PolicyPath, type PolicySource, type Position } from './source';

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value at `path` in a parsed document, or undefined where the path leads nowhere. */
export function valueAt(data: unknown, path: PolicyPath): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

export interface MergedPolicy {
  /** The merged document, as written (kebab-case keys). */
  data: PlainObject;
  /** Files merged, outermost preset first, the policy file last. */
  layers: PolicySource[];
  /** The file that wrote the value at `path` (or at its deepest written parent). */
  origin(path: PolicyPath): PolicySource;
  /** Position of `path` in the file that wrote it. */
  locate(path: PolicyPath, part?: 'key' | 'value'): { source: PolicySource } & Position;
}

const pathKey = (path: PolicyPath): string => JSON.stringify(path);

export function mergeLayers(layers: PolicySource[]): { merged: MergedPolicy; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  const origins = new Map<string, number>();
  const data: PlainObject = {};

  const record = (value: unknown, path: PolicyPath, layer: number): void => {
    origins.set(pathKey(path), layer);
    if (Array.isArray(value)) value.forEach((item, i) => record(item, [...path, i], layer));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) record(v, [...path, k], layer);
  };
  const forget = (path: PolicyPath): void => {
    const prefix = pathKey(path).slice(0, -1) + ',';
    for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key);
  };
  const mergeMap = (target: PlainObject, source: PlainObject, path: PolicyPath, layer: number): void => {
    for (const [key, value] of Object.entries(source)) {
      if (path.length === 0 && key === 'extends') continue;
      const childPath = [...path, key];
      const existing = target[key];
      if (isPlainObject(existing) && isPlainObject(value)) {
        origins.set(pathKey(childPath), layer);
        mergeMap(existing, value, childPath, layer);
      } else {
        forget(childPath);
        target[key] = structuredClone(value);
        record(value, childPath, layer);
      }
    }
  };

  layers.forEach((layer, index) => {
    if (layer.data === null || layer.data === undefined) {
      // An empty preset or base file adds nothing; an empty policy file is reported as such.
      if (index === layers.length - 1) {
        errors.push(
          new PolicyError(
            'the policy file is empty; expected a mapping with at least version, model, data and probes',
            { file: layer.file, line: 1, column: 1 },
          ),
        );
      }
      return;
    }
    if (!isPlainObject(layer.data)) {
      const found = Array.isArray(layer.data) ? 'a list' : `a single value (${JSON.stringify(layer.data)})`;
      const pos = positionOf(layer, [], 'value');
      errors.push(
        new PolicyError(`expected a mapping of policy keys at the top level, found ${found}`, {
          file: layer.file,
          line: pos.line,
          column: pos.column,
        }),
      );
      return;
    }
    origins.set(pathKey([]), index);
    mergeMap(data, layer.data, [], index);
  });

  const origin = (path: PolicyPath): PolicySource => {
    for (let n = path.length; n >= 0; n--) {
      const layer = origins.get(pathKey(path.slice(0, n)));
      if (layer !== undefined) return layers[layer]!;
    }
    return layers[layers.length - 1]!;
  };
  const locate = (path: PolicyPath, part: 'key' | 'value' = 'key') => {
    const source = origin(path);
    return { source, ...positionOf(source, path, part) };
  };
  return { merged: { data, layers, origin, locate }, errors };
}
