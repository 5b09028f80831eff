/**
 * CSV (RFC 4180): comma-separated, a header row first, fields may be quoted ("a, b"), a quote
 * inside a quoted field is doubled (""), and a quoted field may span lines. LF or CRLF line
 * ends, an optional UTF-8 BOM, blank lines allowed only at the end.
 *
 * Hand-written because csv-parse is too slow for this job on a 100,000 × 65 file: 1.4 s just to
 * split it into strings (2.2 s when every record has a quoted field, 6.9 s when called once per
 * quoted record), before any number is read. Here a line without a quote is only checked for
 * its field count in one pass and its byte offset kept: no string and no stored offset per cell.
 * Its cells are found again when its row is read (one more pass over that line, for the rows a
 * sample reads), because storing two 32-bit offsets per cell cost more than the scan: 52 MB for a
 * 100,000 × 65 file of 14.7 MB, and on a shared machine touching fresh memory costs ~4 ms per MB,
 * three times the whole scan. A record with a quote takes a strict RFC 4180 field reader whose cell offsets are
 * kept (quoted records are rare in numeric data), making a string only for fields with doubled
 * quotes. The tests check this reader against csv-parse on random files.
 */
import { quoteUserText } from '../util/user-text';
import { InputError } from '../errors';
import { parseNumberBytes, parseNumberText } from './number';
import { quoteValue, type RawTable } from './table';

/** Marks a cell whose text had doubled quotes: its `ends` slot indexes the unescaped strings. */
const QUOTED = 0xffffffff;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/** Longest header line read (16 MiB: 100,000 columns of 160-character names). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export function parseCsv(bytes: Uint8Array, file: string): RawTable {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new InputError('the file is UTF-16 encoded; expected UTF-8 (save the CSV as UTF-8)', { file, line: 1 });
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // A header is column names: past MAX_HEADER_BYTES it is not one (a file of one endless line,
  // or the wrong file), and turning it into strings could exceed V8's longest string (exit 3).
  const firstNewline = bytes.indexOf(LF, start);
  const headerBytes = (firstNewline === -1 ? bytes.length : firstNewline) - start;
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new InputError(
      `the header line is ${headerBytes} bytes long; expected a header row of column names of at most ${MAX_HEADER_BYTES} bytes (is this a CSV file with a header?)`,
      { file, line: 1 },
    );
  }
  const scanner = new RecordScanner(buffer, file, start);

  const header = scanner.next(true);
  if (!header) throw new InputError('the file is empty; expected a header row with the column names', { file, line: 1 });
  if (scanner.offset - start > MAX_HEADER_BYTES) {
    // A quoted header cell spanning lines: the same limit, measured on the whole record.
    throw new InputError(
      `the header row is ${scanner.offset - start} bytes long; expected a header row of column names of at most ${MAX_HEADER_BYTES} bytes`,
      { file, line: 1 },
    );
  }
  if (header.blank) {
    throw new InputError('the first line is blank; expected a header row with the column names', { file, line: header.line });
  }
  const columns = headerNames(scanner.texts(header.cells!), file, header.line);
  const width = columns.length;

  // Records never outnumber lines, so one count of newlines sizes every array exactly once.
  let lineCount = 1;
  for (let p = bytes.indexOf(LF, start); p !== -1; p = bytes.indexOf(LF, p + 1)) lineCount++;
  if (bytes.length >= QUOTED) {
    // Offsets are 32-bit, and QUOTED marks a cell: a file this large cannot be addressed.
    throw new InputError(`the file is too large to load (${bytes.length} bytes; at most ${QUOTED - 1})`, { file });
  }
  const lines = new Uint32Array(lineCount);
  const offsets = new Uint32Array(lineCount);
  /** Cell pairs of the records that had a quote, by row (the others are split again when read). */
  const quoted = new Map<number, number[]>();

  let rows = 0;
  let blankLine = 0;
  for (;;) {
    const record = scanner.next();
    if (!record) break;
    if (record.blank) {
      // Blank lines are allowed only at the end of the file; remember the first one.
      if (blankLine === 0) blankLine = record.line;
      continue;
    }
    if (blankLine !== 0) {
      throw new InputError(`line ${blankLine} is blank; expected ${width} fields (as in the header), or no more lines`, {
        file,
        line: blankLine,
      });
    }
    if (record.count !== width) {
      throw new InputError(`expected ${width} fields (as in the header), found ${record.count}`, { file, line: record.line });
    }
    if (record.cells) quoted.set(rows, record.cells);
    lines[rows] = record.line;
    offsets[rows] = record.offset;
    rows++;
  }
  return new CsvTable(file, columns, rows, buffer, lines, offsets, quoted, scanner.unescaped);
}

function headerNames(fields: string[], file: string, line: number): string[] {
  const names = fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') {
      const hint = i === 0 ? ' (an unnamed index column? write the file without the index, e.g. pandas index=False)' : '';
      throw new InputError(`column ${i + 1} of the header has no name; expected a name for every column${hint}`, {
        file,
        line,
      });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new InputError(
        `column name ${quoteUserText(name)} appears twice in the header (columns ${first + 1} and ${i + 1}); expected unique names`,
        { file, line, field: name },
      );
    }
    seen.set(name, i);
  });
  return names;
}

interface ScannedRecord {
  /** 1-based line where the record starts, and its byte offset. */
  line: number;
  offset: number;
  count: number;
  blank: boolean;
  /** (start, end) pairs: the header's, and those of a record with a quote. */
  cells?: number[];
}

/** Walks the file record by record. */
class RecordScanner {
  /** Text of fields that had doubled quotes (their cells point here with QUOTED). */
  readonly unescaped: string[] = [];
  private pos: number;
  private line = 1;
  /** Next quote at or after `pos` (−1: none left), so quote-free files search only once. */
  private nextQuote = -2;

  constructor(
    private readonly bytes: Buffer,
    private readonly file: string,
    start: number,
  ) {
    this.pos = start;
  }

  /** Byte offset of the next record. */
  get offset(): number {
    return this.pos;
  }

  /**
   * The next record. A line without a quote is only counted (its cells are found again when its
   * row is read, see `splitLine`); `withCells` (the header) returns its cells as pairs too.
   */
  next(withCells = false): ScannedRecord | undefined {
    const bytes = this.bytes;
    const begin = this.pos;
    if (begin >= bytes.length) return undefined;
    const line = this.line;
    let newline = bytes.indexOf(LF, begin);
    if (newline === -1) newline = bytes.length;
    if (this.nextQuote !== -1 && this.nextQuote < begin) this.nextQuote = bytes.indexOf(QUOTE, begin);
    if (this.nextQuote !== -1 && this.nextQuote < newline) return this.quotedRecord(begin, line);

    this.pos = newline + 1;
    this.line++;
    const end = newline > begin && bytes[newline - 1] === CR ? newline - 1 : newline;
    let blank = true;
    for (let p = begin; p < end; p++) {
      const b = bytes[p];
      if (b !== 32 && b !== 9) {
        blank = false;
        break;
      }
    }
    if (blank) return { line, offset: begin, count: 0, blank: true };
    if (withCells) {
      const cells: number[] = [];
      let cellStart = begin;
      for (let p = begin; p < end; p++) {
        if (bytes[p] === COMMA) {
          cells.push(cellStart, p);
          cellStart = p + 1;
        }
      }
      cells.push(cellStart, end);
      return { line, offset: begin, count: cells.length / 2, blank: false, cells };
    }
    return { line, offset: begin, count: countCommas(bytes, begin, end) + 1, blank: false };
  }

  /** A record with a quote somewhere: read it field by field, strictly by RFC 4180. */
  private quotedRecord(begin: number, line: number): ScannedRecord {
    const bytes = this.bytes;
    const length = bytes.length;
    const cells: number[] = [];
    let p = begin;
    let extraLines = 0;
    for (;;) {
      if (bytes[p] === QUOTE) {
        // Quoted field: up to the next quote that is not doubled.
        let q = p + 1;
        let doubled = false;
        for (;;) {
          q = bytes.indexOf(QUOTE, q);
          if (q === -1) {
            throw new InputError('a quoted field is never closed; expected a closing quote (")', {
              file: this.file,
              line: line + extraLines,
            });
          }
          if (bytes[q + 1] !== QUOTE) break;
          doubled = true;
          q += 2;
        }
        for (let i = p + 1; i < q; i++) if (bytes[i] === LF) extraLines++;
        if (doubled) {
          const text = bytes.toString('utf8', p + 1, q).replaceAll('""', '"');
          cells.push(QUOTED, this.unescaped.push(text) - 1);
        } else {
          cells.push(p + 1, q);
        }
        p = q + 1;
        if (p >= length || bytes[p] === LF || (bytes[p] === CR && (p + 1 >= length || bytes[p + 1] === LF))) break;
        if (bytes[p] !== COMMA) {
          throw new InputError('unexpected character after a closing quote; expected a comma or the end of the line', {
            file: this.file,
            line: line + extraLines,
          });
        }
        p++;
      } else {
        // Unquoted field: up to a comma or the end of the line; it may not contain a quote.
        const cellStart = p;
        while (p < length) {
          const b = bytes[p];
          if (b === COMMA || b === LF) break;
          if (b === QUOTE) {
            throw new InputError(
              'a quote (") inside an unquoted field; expected the whole field in quotes with inner quotes doubled ("")',
              { file: this.file, line: line + extraLines },
            );
          }
          p++;
        }
        const cellEnd = (p >= length || bytes[p] === LF) && p > cellStart && bytes[p - 1] === CR ? p - 1 : p;
        cells.push(cellStart, cellEnd);
        if (p >= length || bytes[p] === LF) break;
        p++;
      }
    }
    // p is at the end of the file, at the LF, or at the CR of a CRLF.
    if (p < length && bytes[p] === CR) p++;
    this.pos = p + 1;
    this.line += extraLines + 1;
    this.nextQuote = -2;
    return { line, offset: begin, count: cells.length / 2, blank: false, cells };
  }

  /** Cell pairs as strings (the header). */
  texts(cells: number[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < cells.length; i += 2) {
      out.push(cells[i] === QUOTED ? this.unescaped[cells[i + 1]!]! : this.bytes.toString('utf8', cells[i], cells[i + 1]));
    }
    return out;
  }
}

/** Commas in bytes[begin, end): the hot loop of parsing, kept small so V8 optimises it once. */
function countCommas(bytes: Uint8Array, begin: number, end: number): number {
  let count = 0;
  for (let p = begin; p < end; p++) if (bytes[p] === COMMA) count++;
  return count;
}

/**
 * Writes the (start, end) offsets of the cells of the quote-free line at `begin` into `starts`
 * and `ends`; the parser has checked that the line has exactly as many fields as they have room for.
 */
function splitLine(bytes: Uint8Array, begin: number, starts: Uint32Array, ends: Uint32Array): void {
  let cell = 0;
  let cellStart = begin;
  let p = begin;
  for (; p < bytes.length; p++) {
    const b = bytes[p];
    if (b === COMMA) {
      starts[cell] = cellStart;
      ends[cell] = p;
      cell++;
      cellStart = p + 1;
    } else if (b === LF) {
      break;
    }
  }
  starts[cell] = cellStart;
  ends[cell] = p > cellStart && bytes[p - 1] === CR ? p - 1 : p;
}

class CsvTable implements RawTable {
  /** The row whose cell offsets `starts` and `ends` hold (reads go row by row: each line is split once); none at first. */
  private current = NaN;
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;

  constructor(
    readonly file: string,
    readonly columns: readonly string[],
    readonly rows: number,
    private readonly bytes: Buffer,
    private readonly lines: Uint32Array,
    private readonly offsets: Uint32Array,
    private readonly quoted: ReadonlyMap<number, readonly number[]>,
    private readonly unescaped: string[],
  ) {
    this.starts = new Uint32Array(columns.length);
    this.ends = new Uint32Array(columns.length);
  }

  number(row: number, col: number): number {
    if (row !== this.current) this.select(row);
    const start = this.starts[col]!;
    if (start === QUOTED) return parseNumberText(this.unescaped[this.ends[col]!]!);
    return parseNumberBytes(this.bytes, start, this.ends[col]!);
  }

  describe(row: number, col: number): string {
    return quoteValue(this.text(row, col));
  }

  label(row: number, col: number): string | undefined {
    const text = this.text(row, col).trim();
    return text === '' ? undefined : text;
  }

  locate(row: number, col: number): { line?: number; column?: number } {
    // The first cell of a quote-free record starts its line (the loader asks this for every row).
    if (col === 0 && row >= 0 && row < this.rows && !this.quoted.has(row)) return { line: this.lines[row]!, column: 1 };
    if (row !== this.current) this.select(row);
    let line = this.lines[row]!;
    let start = this.starts[col]!;
    if (start === QUOTED) return { line };
    if (start > 0 && this.bytes[start - 1] === QUOTE) start--; // point at the opening quote
    // Count lines inside earlier multi-line fields; column in bytes (exact for ASCII).
    let lineStart = this.offsets[row]!;
    for (let p = lineStart; p < start; p++) {
      if (this.bytes[p] === LF) {
        line++;
        lineStart = p + 1;
      }
    }
    return { line, column: start - lineStart + 1 };
  }

  private text(row: number, col: number): string {
    if (row !== this.current) this.select(row);
    const start = this.starts[col]!;
    if (start === QUOTED) return this.unescaped[this.ends[col]!]!;
    return this.bytes.toString('utf8', start, this.ends[col]!);
  }

  /** Loads the cell offsets of `row`: kept from parsing for a record with a quote, else found by splitting its line. */
  private select(row: number): void {
    if (!(row >= 0 && row < this.rows)) throw new RangeError(`row ${row} is outside [0, ${this.rows})`);
    const cells = this.quoted.get(row);
    if (cells) {
      for (let c = 0; c < this.columns.length; c++) {
        this.starts[c] = cells[2 * c]!;
        this.ends[c] = cells[2 * c + 1]!;
      }
    } else {
      splitLine(this.bytes, this.offsets[row]!, this.starts, this.ends);
    }
    this.current = row;
  }
}
