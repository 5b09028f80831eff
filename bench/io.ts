/**
 * Data loading speed: a 100,000-row digits file (64 features + the label) as CSV and as NPY
 * (float32 features, int64 labels), each parsed and loaded (parse + select + validate + label
 * texts, as a gate run does) nine times; medians in MB/s of file bytes. Targets: CSV parsing
 * ≥ 80 MB/s; NPY at memory speed (no per-value parsing, float32 used in place).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDataset, parseCsv } from '../src/data';
import { readRows, selectColumns } from '../src/data/select';
import { writeResampledDigits } from './membership';

const ROWS = 100_000;
const RUNS = 9;

export function bench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-io-'));
  try {
    writeResampledDigits(dir, ROWS, 3);
    const csv = path.join(dir, 'members.csv');
    const { features, labels } = writeNpyCopy(csv, dir);
    const csvBytes = readFileSync(csv);
    const options = { role: 'members', label: 'digit', maxRows: ROWS, seed: 1 };

    // Parsing checks every record and keeps one offset per line; a row's cells are split when it is read.
    report(`CSV parse (${ROWS} × 65, ${mb(csvBytes.length)} MB)`, csvBytes.length, () => parseCsv(csvBytes, csv));
    report(`CSV parse + every cell read (numbers and labels)`, csvBytes.length, () => {
      const table = parseCsv(csvBytes, csv);
      readRows(table, selectColumns(table, 'digit'), everyRow(table.rows));
    });
    report(`CSV load incl. read, hash, numbers, labels`, csvBytes.length, () => loadDataset({ path: csv, format: 'csv' }, options));
    const npyBytes = statSync(features).size + statSync(labels).size;
    report(`NPY load (float32 features + int64 labels, ${mb(npyBytes)} MB)`, npyBytes, () =>
      loadDataset({ path: features, format: 'npy', labels }, options),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}

/**
 * Wall time, and the process's CPU time beside it: on a shared machine the wall clock measures the
 * neighbours; the loaders are single-threaded, so on a quiet machine the two agree. The first run
 * is also shown alone: a gate run loads each file once, before V8 has optimised anything.
 */
function report(what: string, bytes: number, run: () => unknown): void {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const startedCpu = process.cpuUsage();
    run();
    const used = process.cpuUsage(startedCpu);
    cpu.push((used.user + used.system) / 1e6);
    wall.push((performance.now() - started) / 1000);
  }
  const [w, c, best, first] = [median(wall), median(cpu), Math.min(...cpu), cpu[0]!];
  console.log(
    `${what}: ${(w * 1000).toFixed(1)} ms, ${rate(bytes, w)} MB/s wall; ${(c * 1000).toFixed(1)} ms, ${rate(bytes, c)} MB/s CPU time ` +
      `(medians of ${RUNS}; best CPU time ${(best * 1000).toFixed(1)} ms, ${rate(bytes, best)} MB/s; first run ${(first * 1000).toFixed(1)} ms, ${rate(bytes, first)} MB/s)`,
  );
}

function everyRow(count: number): Uint32Array {
  const rows = new Uint32Array(count);
  for (let i = 0; i < count; i++) rows[i] = i;
  return rows;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const rate = (bytes: number, seconds: number) => (bytes / 1e6 / seconds).toFixed(0);

/** The CSV's features as a float32 .npy and its labels as an int64 .npy, as numpy.save writes them. */
function writeNpyCopy(csv: string, dir: string): { features: string; labels: string } {
  const lines = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
  const x = new Float32Array(lines.length * 64);
  const y = new BigInt64Array(lines.length);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    for (let j = 0; j < 64; j++) x[r * 64 + j] = Number(cells[j]);
    y[r] = BigInt(cells[64]!);
  });
  const features = path.join(dir, 'members.npy');
  const labels = path.join(dir, 'members-labels.npy');
  writeFileSync(features, npy('<f4', `(${lines.length}, 64)`, x));
  writeFileSync(labels, npy('<i8', `(${lines.length},)`, y));
  return { features, labels };
}

/** A version 1.0 .npy file: header padded so the data starts at a multiple of 64 bytes. */
export function npy(descr: string, shape: string, data: ArrayBufferView): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
