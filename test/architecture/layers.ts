/**
 * The layers of src/, lowest first, and the checks that hold them: no import cycle, no import
 * from a lower layer to a higher one, every file in a layer, and the two heavy outside worlds
 * (onnxruntime, GitHub) reached only from the layers that own them, so that probes, metrics and
 * reports stay pure.
 */
import type { ImportGraph } from './import-graph';

/**
 * Each layer may import itself and the layers below it. A name is a folder of src/ (`util`
 * covers src/util/**) or a file directly in src/ (`errors.ts`).
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['util'],
  ['errors.ts', 'version.ts'],
  // Foundations: pure helpers that know nothing of policies, models or probes.
  ['metrics', 'data', 'text', 'optim'],
  ['policy'],
  ['model'],
  // The contract that probes produce and gate, reports, publishing and GitHub read.
  ['result.ts'],
  ['probes'],
  ['gate'],
  ['report'],
  ['run'],
  // Sharded runs and their merge: a run's composition with recorded or replayed model answers.
  ['shard'],
  ['publish'],
  ['github'],
  // Entries: the CLI and the Action.
  ['main.ts', 'cli.ts', 'cli-main.ts', 'action-top.ts', 'action-main.ts'],
];

/** npm packages that only some layers may import (any other package is free to all). */
export const PACKAGE_OWNERS: readonly { pattern: RegExp; owners: readonly string[] }[] = [
  { pattern: /^onnxruntime-/, owners: ['model'] },
  { pattern: /^@actions\//, owners: ['github', 'main.ts', 'action-top.ts', 'action-main.ts'] },
];

/** A known breach, tolerated until the change that removes it lands; then it must go. */
export interface Known {
  /** Cycles: the files of the cycle, sorted. Upward imports: `from -> to`. */
  key: string;
  why: string;
}

export interface Allowances {
  cycles: readonly Known[];
  upward: readonly Known[];
}

export interface Layering {
  layers: readonly (readonly string[])[];
  packages: typeof PACKAGE_OWNERS;
  allow: Allowances;
}

/** What the checks found; `problems` is empty when the tree holds the line. */
export interface Findings {
  problems: string[];
  /** The allowances that matched, so that a run shows what is still tolerated. */
  tolerated: Known[];
}

export function checkLayering(graph: ImportGraph, layering: Layering, folder = 'src'): Findings {
  const problems: string[] = [];
  const tolerated: Known[] = [];
  const placeOf = (file: string): string | undefined => {
    const inside = file.slice(folder.length + 1);
    return inside.includes('/') ? inside.slice(0, inside.indexOf('/')) : inside;
  };
  const rank = new Map<string, number>();
  layering.layers.forEach((names, index) => names.forEach((name) => rank.set(name, index)));
  const rankOf = (file: string): number | undefined => rank.get(placeOf(file) ?? '');
  const inTree = new Set(graph.files);

  for (const file of graph.files) {
    if (rankOf(file) === undefined) {
      problems.push(`${file} is in no layer: add '${placeOf(file)}' to LAYERS in test/architecture/layers.ts`);
    }
  }

  const seenUpward = new Set<string>();
  for (const edge of graph.imports) {
    if (!inTree.has(edge.to)) continue; // package.json, JSON schemas: data, not layers
    const fromRank = rankOf(edge.from);
    const toRank = rankOf(edge.to);
    if (fromRank === undefined || toRank === undefined || toRank <= fromRank) continue;
    const key = `${edge.from} -> ${edge.to}`;
    const known = layering.allow.upward.find((entry) => entry.key === key);
    if (known !== undefined) {
      if (!seenUpward.has(key)) tolerated.push(known);
      seenUpward.add(key);
      continue;
    }
    problems.push(
      `${edge.from}:${edge.line} imports ${edge.to}: layer '${placeOf(edge.from)}' is below '${placeOf(edge.to)}' ` +
        `and may not import it (layers, lowest first: ${layering.layers.map((names) => names.join(' ')).join(' < ')})`,
    );
  }
  for (const known of layering.allow.upward) {
    if (!seenUpward.has(known.key)) {
      problems.push(`the known upward import ${known.key} is gone: remove it from the allowances (${known.why})`);
    }
  }

  const seenCycles = new Set<string>();
  for (const cycle of importCycles(graph)) {
    const key = [...cycle.files].sort().join(' ');
    seenCycles.add(key);
    const known = layering.allow.cycles.find((entry) => entry.key === key);
    if (known !== undefined) tolerated.push(known);
    else {
      const others = cycle.files.filter((file) => !cycle.path.includes(file));
      const more = others.length > 0 ? ` (and through ${others.join(', ')})` : '';
      problems.push(`import cycle: ${cycle.path.join(' -> ')}${more}`);
    }
  }
  for (const known of layering.allow.cycles) {
    if (!seenCycles.has(known.key)) {
      problems.push(`the known cycle of ${known.key} is gone or changed: remove it from the allowances (${known.why})`);
    }
  }

  for (const use of graph.packages) {
    const rule = layering.packages.find((entry) => entry.pattern.test(use.name));
    const place = placeOf(use.from) ?? '';
    if (rule !== undefined && !rule.owners.includes(place)) {
      problems.push(`${use.from}:${use.line} imports '${use.name}': only ${rule.owners.join(', ')} may`);
    }
  }
  return { problems, tolerated };
}

/**
 * The strongly connected parts of the file graph that hold more than one file (or a file that
 * imports itself), each with one loop through it as a readable path. Tarjan's algorithm, in the
 * order of the file list so the output is stable.
 */
export function importCycles(graph: ImportGraph): { files: string[]; path: string[] }[] {
  const next = new Map<string, string[]>();
  for (const file of graph.files) next.set(file, []);
  for (const edge of graph.imports) next.get(edge.from)?.push(edge.to);
  for (const targets of next.values()) targets.sort();

  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const parts: string[][] = [];
  let counter = 0;
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of next.get(file) ?? []) {
      if (!next.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const part: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        part.push(member);
      } while (member !== file);
      const selfLoop = (next.get(file) ?? []).includes(file);
      if (part.length > 1 || selfLoop) parts.push(part.sort());
    }
  };
  for (const file of graph.files) if (!index.has(file)) connect(file);
  return parts.map((files) => ({ files, path: loopThrough(files, next) }));
}

/** A shortest loop from the first file of a cycle back to itself, staying inside the cycle. */
function loopThrough(files: string[], next: Map<string, string[]>): string[] {
  const inside = new Set(files);
  const start = files[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of next.get(file) ?? []) {
      if (!inside.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let step: string | undefined = file; step !== start && step !== undefined; step = cameFrom.get(step)) {
          path.splice(1, 0, step);
        }
        return [...path, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, file);
        queue.push(target);
      }
    }
  }
  return files;
}
