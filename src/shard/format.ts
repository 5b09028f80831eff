/**
 * The signals file a shard writes (docs/sharding.md): one line of JSON (the header: what was
 * measured, from which inputs, and an index of the answers), a newline, then the answers as
 * little-endian float64 or float32 values, back to back. The header's `payload.sha256` covers the
 * bytes after the newline, so a truncated or altered file is refused, not half read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { sha256 } from '../data';
import { InputError } from '../errors';
import type { ModelInfo, RegressorInfo } from '../model/types';
import type { GateReport } from '../result';
import type { ShardSpec } from './spec';

export const SIGNALS_FORMAT = 'privacy-gate-signals';
export const SIGNALS_FORMAT_VERSION = 1;
/** File names end in this; a folder given to `merge` is searched for them. */
export const SIGNALS_EXTENSION = '.signals';

/** The model a recorded answer came from: `candidate`, `baseline` (the released model), or `reference-K` (K in the memberships file's order). */
export type ModelKey = string;

/** What a merge must know of a model it never opens: what the run reads of it, and the queries opening it cost. */
export interface RecordedModel {
  task: 'classification' | 'regression';
  info: ModelInfo | RegressorInfo;
  /** Rows the adapter queried while opening it (one all-zero row when the class count is not declared). */
  openQueries: number;
}

/** One recorded answer: rows [start, end) of a query of `rows` rows whose input rows hash to `input`. */
export interface SignalsEntry {
  model: ModelKey;
  rows: number;
  start: number;
  end: number;
  /** SHA-256 of the float32 input rows [start, end), as the model received them. */
  input: string;
  /** Class scores as the adapter handed them out (probabilities or logits), or a regressor's values. */
  kind: 'probabilities' | 'logits' | 'values';
  dtype: 'float64' | 'float32';
  /** Byte offset in the payload. */
  offset: number;
  /** Number of values. */
  length: number;
}

/** The facts of the run a merge checks against its own run, and that every shard must share. */
export interface RunFacts {
  tool: GateReport['tool'];
  policyFile: string;
  inputs: GateReport['inputs'];
  seed: number | null;
}

export interface SignalsHeader extends RunFacts {
  format: typeof SIGNALS_FORMAT;
  formatVersion: number;
  shard: ShardSpec;
  /** Rows per block of the candidate's queries (see shardRows). */
  blockRows: number;
  models: Record<ModelKey, RecordedModel>;
  entries: SignalsEntry[];
  payload: { bytes: number; sha256: string };
}

/** An answer's values as recorded. */
export type Answer = Float64Array | Float32Array;

export interface SignalsFile {
  file: string;
  header: SignalsHeader;
  payload: Buffer;
}

export function writeSignals(file: string, header: Omit<SignalsHeader, 'entries' | 'payload'>, answers: readonly RecordedAnswer[]): void {
  const entries: SignalsEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { values, ...entry } of answers) {
    const bytes = littleEndian(values);
    entries.push({ ...entry, dtype: values instanceof Float64Array ? 'float64' : 'float32', offset, length: values.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const payload = Buffer.concat(chunks);
  const full: SignalsHeader = { ...header, entries, payload: { bytes: payload.length, sha256: sha256(payload) } };
  writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(full)}\n`, 'utf8'), payload]));
}

export type RecordedAnswer = Omit<SignalsEntry, 'dtype' | 'offset' | 'length'> & { values: Answer };

export function readSignals(file: string): SignalsFile {
  const bytes = readFileSync(file);
  const newline = bytes.indexOf(0x0a);
  const bad = (what: string) =>
    new InputError(`not a signals file written by privacy-gate run --shard: ${what}`, { file, field: 'signals header' });
  if (newline < 0) throw bad('no header line');
  let parsed: { format?: unknown; formatVersion?: unknown } | null;
  try {
    parsed = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as typeof parsed;
  } catch (error) {
    throw bad(`the first line is not JSON (${(error as Error).message})`);
  }
  if (parsed?.format !== SIGNALS_FORMAT) throw bad(`"format" is not "${SIGNALS_FORMAT}"`);
  if (parsed.formatVersion !== SIGNALS_FORMAT_VERSION) {
    throw bad(`format version ${JSON.stringify(parsed.formatVersion)}; this gate reads version ${SIGNALS_FORMAT_VERSION}`);
  }
  const header = parsed as SignalsHeader;
  checkShape(header, bad);
  const payload = bytes.subarray(newline + 1);
  if (payload.length !== header.payload.bytes || sha256(payload) !== header.payload.sha256) {
    throw bad(`the answers after the header (${payload.length} bytes) do not match its SHA-256; the file is truncated or was changed`);
  }
  for (const entry of header.entries) {
    const size = entry.dtype === 'float64' ? 8 : 4;
    if (entry.offset + entry.length * size > payload.length) throw bad(`an answer reaches past the end of the file`);
  }
  return { file, header, payload };
}

/** An entry's values, copied out of the payload (aligned, whatever the offset). */
export function answerOf(signals: SignalsFile, entry: SignalsEntry): Answer {
  const size = entry.dtype === 'float64' ? 8 : 4;
  const bytes = signals.payload.subarray(entry.offset, entry.offset + entry.length * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = entry.dtype === 'float64' ? new Float64Array(entry.length) : new Float32Array(entry.length);
  for (let i = 0; i < entry.length; i++) out[i] = entry.dtype === 'float64' ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  return out;
}

function littleEndian(values: Answer): Buffer {
  const size = values instanceof Float64Array ? 8 : 4;
  const out = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) {
    if (size === 8) out.writeDoubleLE(values[i]!, i * 8);
    else out.writeFloatLE(values[i]!, i * 4);
  }
  return out;
}

/** The header fields a merge reads, with the types it reads them as. */
function checkShape(h: SignalsHeader, bad: (what: string) => InputError): void {
  const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!h.shard || !isCount(h.shard.index) || !isCount(h.shard.count) || h.shard.index < 1 || h.shard.index > h.shard.count) {
    throw bad('"shard" must be {index, count} with 1 ≤ index ≤ count');
  }
  if (!h.tool || typeof h.tool.version !== 'string') throw bad('"tool.version" is missing');
  if (!h.tool.runtime || !['native', 'wasm'].includes(h.tool.runtime.kind) || typeof h.tool.runtime.version !== 'string') {
    throw bad('"tool.runtime" must be {kind: "native" or "wasm", version}');
  }
  if (typeof h.policyFile !== 'string' || !h.inputs || !Array.isArray(h.inputs.policy) || !Array.isArray(h.inputs.data)) {
    throw bad('"policyFile" and "inputs" are missing');
  }
  if (!isCount(h.blockRows) || h.blockRows < 1) throw bad('"blockRows" must be a positive integer');
  if (!h.models || typeof h.models !== 'object') throw bad('"models" is missing');
  if (!h.payload || !isCount(h.payload.bytes) || typeof h.payload.sha256 !== 'string') throw bad('"payload" is missing');
  if (!Array.isArray(h.entries)) throw bad('"entries" is missing');
  for (const e of h.entries) {
    const ok =
      typeof e.model === 'string' &&
      typeof e.input === 'string' &&
      [e.rows, e.start, e.end, e.offset, e.length].every(isCount) &&
      e.start <= e.end &&
      e.end <= e.rows &&
      (e.dtype === 'float64' || e.dtype === 'float32') &&
      ['probabilities', 'logits', 'values'].includes(e.kind);
    if (!ok) throw bad('an entry of "entries" is malformed');
  }
}
