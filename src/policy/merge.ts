/**
 * Deep merge of a policy with what it extends, remembering which file wrote every value so that
 * errors, relative paths and threshold annotations point at the right file.
 *
 * Rules: mappings merge key by key; lists, scalars and anything of a different kind written by
 * the extending file replace the inherited value. `extends` itself is not part of the result.
 */
import { quoteUserText } from '../util/user-text';
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

/**
 * Which layer wrote each path, as a tree keyed by path segment: replacing a value forgets
 * everything recorded under it by dropping one branch (a flat map of paths had to be scanned
 * for every replaced key, quadratic in the number of keys).
 */
interface OriginNode {
  layer?: number;
  children?: Map<string | number, OriginNode>;
}

export function mergeLayers(layers: PolicySource[]): { merged: MergedPolicy; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  const origins: OriginNode = {};
  const data: PlainObject = {};

  const child = (node: OriginNode, segment: string | number): OriginNode => {
    node.children ??= new Map();
    let next = node.children.get(segment);
    if (!next) node.children.set(segment, (next = {}));
    return next;
  };
  const record = (value: unknown, node: OriginNode, layer: number): void => {
    node.layer = layer;
    if (Array.isArray(value)) value.forEach((item, i) => record(item, child(node, i), layer));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) record(v, child(node, k), layer);
  };
  const mergeMap = (target: PlainObject, source: PlainObject, node: OriginNode, layer: number, top: boolean): void => {
    for (const [key, value] of Object.entries(source)) {
      if (top && key === 'extends') continue;
      const existing = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
      if (isPlainObject(existing) && isPlainObject(value)) {
        const next = child(node, key);
        next.layer = layer;
        mergeMap(existing, value, next, layer, false);
      } else {
        // The new value replaces the inherited one and everything recorded under it.
        node.children?.delete(key);
        target[key] = structuredClone(value);
        record(value, child(node, key), layer);
      }
    }
  };

  layers.forEach((layer, index) => {
    if (layer.data === null || layer.data === undefined) {
      // An empty preset or base file adds nothing; an empty policy file is reported as such.
      if (index === layers.length - 1) {
        errors.push(
          new PolicyError('the policy file is empty; expected a mapping with at least version, model, data and probes', {
            file: layer.file,
            line: 1,
            column: 1,
          }),
        );
      }
      return;
    }
    if (!isPlainObject(layer.data)) {
      const found = Array.isArray(layer.data)
        ? 'a list'
        : `a single value (${quoteUserText(String(layer.data as string | number | boolean | null))})`;
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
    origins.layer = index;
    mergeMap(data, layer.data, origins, index, true);
  });

  const origin = (path: PolicyPath): PolicySource => {
    // The deepest recorded ancestor (or the path itself) names the file.
    let node: OriginNode | undefined = origins;
    let layer = origins.layer;
    for (const segment of path) {
      node = node.children?.get(segment);
      if (!node) break;
      if (node.layer !== undefined) layer = node.layer;
    }
    return layers[layer ?? layers.length - 1]!;
  };
  const locate = (path: PolicyPath, part: 'key' | 'value' = 'key') => {
    const source = origin(path);
    return { source, ...positionOf(source, path, part) };
  };
  return { merged: { data, layers, origin, locate }, errors };
}
