/**
 * `privacy-gate merge`: pools the shards' signals files and runs the gate on them exactly as
 * one run would (same code, same answers), so its report is the single run's apart from timings.
 * Refused, exit 2 naming the file: slices from another gate version or another onnxruntime
 * (native vs WebAssembly, or another version), of another run (policy, model, data, reference
 * models, seed), a shard missing or given twice, or a shard count that differs between files.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import type { GateReport } from '../result';
import { runGate, type RunOptions } from '../run/gate';
import { TOOL } from '../version';
import { readSignals, SIGNALS_EXTENSION, type RunFacts, type SignalsFile } from './format';
import { ReplayModels } from './replay';

export interface MergeOptions extends Omit<RunOptions, 'split'> {
  /** The policy to run; default: the one the shards ran (its path as they recorded it). */
  policy?: string;
}

export async function mergeSignals(inputs: readonly string[], options: MergeOptions = {}): Promise<GateReport> {
  const slices = checkSlices(signalsFiles(inputs).map(readSignals));
  const where = inputs.join(', ');
  const first = slices[0]!;
  return runGate(options.policy ?? first.header.policyFile, {
    ...options,
    split: {
      models: new ReplayModels(slices, where),
      // Before any probe: the files here must be those the shards measured.
      beforeProbes: (report) =>
        checkSameRun(first, { tool: report.tool, policyFile: report.policy.file, inputs: report.inputs, seed: report.seed }),
    },
  });
}

/** The signals files named, and those in the folders named (searched recursively: one artifact per shard gives one folder each). */
export function signalsFiles(inputs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(SIGNALS_EXTENSION)) files.push(full);
    }
  };
  for (const input of inputs) {
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new InputError(`${input} does not exist; expected signals files written by privacy-gate run --shard, or folders holding them`, {
        file: input,
      });
    }
    if (stat.isDirectory()) walk(input);
    else files.push(input);
  }
  if (files.length === 0) {
    throw new InputError(
      `no signals files (*${SIGNALS_EXTENSION}) in ${inputs.join(', ')}; expected the files privacy-gate run --shard i/n wrote`,
      {
        file: inputs[0] ?? '.',
      },
    );
  }
  return files;
}

/** The slices in shard order, once each, all of one run by this gate version; else the first problem, naming its file. */
export function checkSlices(slices: readonly SignalsFile[]): SignalsFile[] {
  const first = slices[0]!;
  for (const s of slices) {
    if (s.header.tool.version !== TOOL.version) {
      throw new InputError(
        `written by privacy-gate ${s.header.tool.version}; this is ${TOOL.version}: merge with the version that ran the shards`,
        { file: s.file, field: 'tool.version' },
      );
    }
    if (s.header.shard.count !== first.header.shard.count) {
      throw new InputError(
        `is shard ${s.header.shard.index} of ${s.header.shard.count}, but ${first.file} is shard ${first.header.shard.index} of ${first.header.shard.count}; expected every file from one split`,
        { file: s.file, field: 'shard' },
      );
    }
    checkSameRun(first, s.header, s.file);
  }
  const count = first.header.shard.count;
  const byIndex = new Map<number, SignalsFile>();
  for (const s of slices) {
    const twin = byIndex.get(s.header.shard.index);
    if (twin)
      throw new InputError(`is shard ${s.header.shard.index}/${count} again (also ${twin.file}); expected each shard once`, {
        file: s.file,
        field: 'shard',
      });
    byIndex.set(s.header.shard.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new InputError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: ${slices.length} of ${count} signals files given (${slices.map((s) => s.file).join(', ')}); expected all ${count}`,
      { file: first.file, field: 'shard' },
    );
  }
  return Array.from({ length: count }, (_, i) => byIndex.get(i + 1)!);
}

/**
 * The facts that make two runs the same run: gate version, policy (every file of its extends
 * chain, by SHA-256), model, data and reference files (by SHA-256, with the rows used) and seed.
 */
function checkSameRun(reference: SignalsFile, facts: RunFacts, file?: string): void {
  const fields: Array<[string, unknown, unknown]> = [
    ['tool.version', reference.header.tool.version, facts.tool.version],
    // native and wasm agree only up to float32 rounding: pooled answers from both would be no single run's.
    ['onnxruntime', reference.header.tool.runtime, facts.tool.runtime],
    ['policy', [reference.header.policyFile, reference.header.inputs.policy], [facts.policyFile, facts.inputs.policy]],
    ['model', reference.header.inputs.model, facts.inputs.model],
    ['data', reference.header.inputs.data, facts.inputs.data],
    ['reference models', reference.header.inputs.references, facts.inputs.references],
    ['seed', reference.header.seed, facts.seed],
  ];
  for (const [field, expected, found] of fields) {
    if (JSON.stringify(expected) === JSON.stringify(found)) continue;
    const against = file ? `${reference.file}` : 'the files here';
    throw new InputError(
      file
        ? `was computed with a different ${field} than ${against} (${brief(found)} vs ${brief(expected)}); expected slices of one run: same gate version, onnxruntime, policy, model, data and seed`
        : `the ${field} here differs from what the shards measured (here ${brief(found)}, the shards ${brief(expected)}); merge in a checkout of the commit the shards ran on`,
      { file: file ?? reference.file, field },
    );
  }
}

/** A short form of a compared value: the SHA-256 digests' first 12 digits and the paths. */
function brief(value: unknown): string {
  const text = JSON.stringify(value ?? null).replace(/"sha256":"([0-9a-f]{12})[0-9a-f]{52}"/g, '"sha256":"$1…"');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
