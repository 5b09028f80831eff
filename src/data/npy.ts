/**
 * NumPy .npy files (format versions 1.0, 2.0, 3.0): a magic string, a Python-literal header
 * {'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols)} and the raw little-endian
 * data. Only plain numeric dtypes and 1-D or 2-D shapes make sense as a feature table; anything
 * else is reported with the dtype or shape so the user knows what to convert.
 */
import { quoteUserText } from '../util/user-text';
import { InputError } from '../errors';
import { quoteValue, type RawTable } from './table';

/** A parsed array: shape and an accessor over the data in storage order. */
export interface NpyArray {
  file: string;
  /** The header's descr, e.g. "<f4". */
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  /** Element `i` of the data as stored (C or Fortran order), as a number. */
  get(i: number): number;
  /**
   * The data itself, a typed array over the file's bytes (no copy), for the dtypes JavaScript has
   * one for (not 64-bit integers or bool): loaders read it in place, without a call per value.
   */
  values?: NumericArray;
}

export type NumericArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

interface DtypeInfo {
  size: number;
  /** A typed array over the data, where one fits the dtype. */
  array?(buffer: ArrayBuffer, offset: number, length: number): NumericArray;
  /** Element access for the others. */
  view?(buffer: ArrayBuffer, offset: number, length: number): (i: number) => number;
}

const TWO_32 = 4294967296;

const DTYPES: Record<string, DtypeInfo> = {
  '<f4': { size: 4, array: (b, o, n) => new Float32Array(b, o, n) },
  '<f8': { size: 8, array: (b, o, n) => new Float64Array(b, o, n) },
  '<i1': { size: 1, array: (b, o, n) => new Int8Array(b, o, n) },
  '|i1': { size: 1, array: (b, o, n) => new Int8Array(b, o, n) },
  '<i2': { size: 2, array: (b, o, n) => new Int16Array(b, o, n) },
  '<i4': { size: 4, array: (b, o, n) => new Int32Array(b, o, n) },
  // 64-bit integers as two 32-bit halves: no BigInt per cell. Exact up to 2^53, as any JS number.
  '<i8': {
    size: 8,
    view: (b, o, n) => {
      const lo = new Uint32Array(b, o, n * 2);
      const hi = new Int32Array(b, o, n * 2);
      return (i) => hi[2 * i + 1]! * TWO_32 + lo[2 * i]!;
    },
  },
  '<u1': { size: 1, array: (b, o, n) => new Uint8Array(b, o, n) },
  '|u1': { size: 1, array: (b, o, n) => new Uint8Array(b, o, n) },
  '<u2': { size: 2, array: (b, o, n) => new Uint16Array(b, o, n) },
  '<u4': { size: 4, array: (b, o, n) => new Uint32Array(b, o, n) },
  '<u8': {
    size: 8,
    view: (b, o, n) => {
      const words = new Uint32Array(b, o, n * 2);
      return (i) => words[2 * i + 1]! * TWO_32 + words[2 * i]!;
    },
  },
  // numpy writes only 0 or 1 for bool; any non-zero byte is true all the same.
  '|b1': {
    size: 1,
    view: (b, o, n) => {
      const bytes = new Uint8Array(b, o, n);
      return (i) => (bytes[i] ? 1 : 0);
    },
  },
};

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** What an .npy header says, and where the data starts: enough to know the columns without the data. */
export interface NpyHeader {
  dtype: string;
  shape: number[];
  fortranOrder: boolean;
  /** Byte offset of the data. */
  dataOffset: number;
}

/**
 * Reads and checks the magic, version and header of an .npy file: `bytes` may be only the file's
 * start (`NPY_PREFIX_BYTES`, then up to `dataOffset`). Throws the same errors as `parseNpy`.
 */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError('not a NumPy .npy file: expected it to start with "\\x93NUMPY" (write it with numpy.save)', { file });
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new InputError(`unsupported .npy format version ${major}.${minor}; expected 1.0, 2.0 or 3.0`, { file });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) throw new InputError('the .npy header is truncated', { file });
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthSize + headerLength;
  if (dataOffset > bytes.length) throw new InputError('the .npy header is truncated', { file });
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lengthSize, headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  const { dtype, fortranOrder, shape } = parseHeader(header, file);
  if (!DTYPES[dtype]) {
    throw new InputError(
      `unsupported dtype ${JSON.stringify(dtype)}; expected a little-endian number or bool type: ${Object.keys(DTYPES).join(', ')} (convert with array.astype("<f4"))`,
      { file, field: 'dtype' },
    );
  }
  if (shape.length < 1 || shape.length > 2) {
    throw new InputError(
      `unsupported shape ${formatShape(shape)}; expected a 1-D or 2-D array (rows, features): reshape it before saving, e.g. array.reshape(len(array), -1)`,
      { file, field: 'shape' },
    );
  }
  return { dtype, fortranOrder, shape, dataOffset };
}

/** Bytes that hold an .npy file's magic, version and header length (then the header follows). */
export const NPY_PREFIX_BYTES = 12;

export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const { dtype, fortranOrder, shape, dataOffset } = parseNpyHeader(bytes, file);
  const info = DTYPES[dtype]!;
  const count = shape.reduce((a, b) => a * b, 1);
  const needed = count * info.size;
  const available = bytes.length - dataOffset;
  if (available < needed) {
    throw new InputError(`the data is truncated: shape ${formatShape(shape)} of ${dtype} needs ${needed} bytes, found ${available}`, {
      file,
    });
  }
  // Typed arrays need aligned offsets; numpy pads headers to 64 bytes, but copy when not aligned.
  let buffer = bytes.buffer as ArrayBuffer;
  let offset = bytes.byteOffset + dataOffset;
  if (offset % info.size !== 0 || !(buffer instanceof ArrayBuffer)) {
    // A copy, not `bytes.slice` (on a Buffer that is a view of the same unaligned memory).
    const copy = new Uint8Array(needed);
    copy.set(bytes.subarray(dataOffset, dataOffset + needed));
    buffer = copy.buffer;
    offset = 0;
  }
  assertLittleEndianHost();
  if (info.array) {
    const values = info.array(buffer, offset, count);
    return { file, dtype, shape, fortranOrder, values, get: (i) => values[i]! };
  }
  return { file, dtype, shape, fortranOrder, get: info.view!(buffer, offset, count) };
}

/** The header is a Python dict literal; numpy always writes these three keys. */
function parseHeader(header: string, file: string): { dtype: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(header);
  const order = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr) {
    const structured = /['"]descr['"]\s*:\s*\[/.test(header);
    throw new InputError(
      structured
        ? 'unsupported dtype: a structured (record) array; expected a plain numeric array (rows, features)'
        : `the .npy header has no 'descr'; found ${quoteValue(header.trim())}`,
      { file, field: 'dtype' },
    );
  }
  if (!order || !shape) {
    throw new InputError(`the .npy header is missing 'fortran_order' or 'shape'; found ${quoteValue(header.trim())}`, { file });
  }
  const dims = shape[1]!
    .split(',')
    .map((d) => d.trim().replace(/L$/, ''))
    .filter((d) => d !== '');
  if (dims.some((d) => !/^\d+$/.test(d))) {
    throw new InputError(`the .npy header has an invalid shape (${shape[1]}); expected whole numbers`, { file, field: 'shape' });
  }
  return { dtype: descr[2]!, fortranOrder: order[1] === 'True', shape: dims.map(Number) };
}

function formatShape(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

let hostChecked = false;
function assertLittleEndianHost(): void {
  if (hostChecked) return;
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('reading .npy files needs a little-endian machine');
  }
  hostChecked = true;
}

export interface NpyTableOptions {
  /** Names for the array's columns (the data spec's `columns`); default "0", "1", .... */
  columns?: readonly string[];
  /** A separate 1-D array of labels, added as one more column named `name`. */
  labels?: { name: string; array: NpyArray };
}

/** Presents a 1-D (one column) or 2-D array, plus an optional labels array, as a table. */
export function npyTable(array: NpyArray, options: NpyTableOptions = {}): RawTable {
  const rows = array.shape[0]!;
  const width = array.shape.length === 2 ? array.shape[1]! : 1;
  const names = npyColumnNames(array, options);
  return new NpyTable(array, names, rows, width, options.labels?.array);
}

type Shaped = Pick<NpyArray, 'file' | 'shape'>;

/**
 * The column names of an array (1-D: one column) plus its labels array, checked from the shapes
 * alone: what `npyTable` names its columns, and what `validate` reads from the headers.
 */
export function npyColumnNames(
  array: Shaped,
  options: { columns?: readonly string[]; labels?: { name: string; array: Shaped } },
): string[] {
  const rows = array.shape[0]!;
  const width = array.shape.length === 2 ? array.shape[1]! : 1;
  let names: string[];
  if (options.columns) {
    if (options.columns.length !== width) {
      throw new InputError(
        `columns lists ${options.columns.length} names but the array has ${width} columns (shape ${formatShape(array.shape)}); expected one name per column`,
        { file: array.file, field: 'columns' },
      );
    }
    names = [...options.columns];
  } else {
    names = Array.from({ length: width }, (_, i) => String(i));
  }
  const labels = options.labels;
  if (labels) {
    const shape = labels.array.shape;
    if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
      throw new InputError(`expected a 1-D array of labels, found shape ${formatShape(shape)}`, {
        file: labels.array.file,
        field: 'shape',
      });
    }
    if (shape[0] !== rows) {
      throw new InputError(`has ${shape[0]} labels but ${array.file} has ${rows} rows; expected one label per row`, {
        file: labels.array.file,
      });
    }
    if (names.includes(labels.name)) {
      throw new InputError(
        `the label ${quoteUserText(labels.name)} names both a column of the data and the labels file; expected it in one place`,
        { file: array.file, field: labels.name },
      );
    }
    names.push(labels.name);
  }
  return names;
}

class NpyTable implements RawTable {
  readonly matrix?: { values: NumericArray; width: number };

  constructor(
    private readonly array: NpyArray,
    readonly columns: readonly string[],
    readonly rows: number,
    private readonly width: number,
    private readonly labels: NpyArray | undefined,
  ) {
    // Row-major data in a typed array is the feature matrix as the model takes it.
    if (array.values && !array.fortranOrder) this.matrix = { values: array.values, width };
  }

  get file(): string {
    return this.array.file;
  }

  number(row: number, col: number): number {
    if (col === this.width) return this.labels!.get(row);
    return this.array.get(this.array.fortranOrder ? col * this.rows + row : row * this.width + col);
  }

  describe(row: number, col: number): string {
    return this.format(row, col);
  }

  label(row: number, col: number): string | undefined {
    const value = this.number(row, col);
    return Number.isNaN(value) ? undefined : this.format(row, col);
  }

  locate(): { line?: number; column?: number } {
    return {};
  }

  /** A float32 label like 3.0 reads "3", and 0.1f reads "0.1", not its double expansion. */
  private format(row: number, col: number): string {
    const value = this.number(row, col);
    const source = col === this.width ? this.labels! : this.array;
    return source.dtype === '<f4' ? float32ToString(value) : String(value);
  }
}

/** The shortest decimal that reads back as the same float32. */
export function float32ToString(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = Number(value.toPrecision(digits));
    if (Math.fround(text) === value) return String(text);
  }
  return String(value);
}
