/**
 * The one shape every file format is parsed into, so feature selection, validation and sampling
 * are written once. Cells stay in the parser's own compact storage (byte offsets into the CSV,
 * typed arrays for NPY) and are converted only when asked: with `max-rows` sampling most cells
 * of a large file are never turned into numbers or strings at all.
 */
import { redactSecrets } from '../util/secrets';

export interface RawTable {
  /** The file the table came from, for error locations. */
  readonly file: string;
  /** Column names in file order. */
  readonly columns: readonly string[];
  readonly rows: number;
  /** The cell as a number, or NaN when it does not hold one (the caller reports it with `describe`). */
  number(row: number, col: number): number;
  /** The cell as it appears in the file, for error messages: `"abc"`, `null`, `NaN`. */
  describe(row: number, col: number): string;
  /** The cell as a class label, or undefined when it cannot be one (empty, null, NaN, an object). */
  label(row: number, col: number): string | undefined;
  /** Where the cell sits in the file (1-based), as far as the format knows. */
  locate(row: number, col: number): { line?: number; column?: number };
  /**
   * The first `width` columns as one row-major typed array over the file's bytes, when the format
   * stores them so (NPY in C order): read in place, with no call per cell, and a float32 matrix
   * used as the model input without a copy. Columns past `width` (NPY labels) are not in it.
   */
  readonly matrix?: { values: ArrayLike<number> & ArrayBufferView; width: number };
}

/** Shortens a user's value for an error message, keeping it recognisable. */
export function quoteValue(text: string): string {
  if (text.trim() === '') return `${JSON.stringify(text)} (an empty value)`;
  // A cell may hold a secret (a data file pointed at an environment dump): masked before the cut.
  text = redactSecrets(text);
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return JSON.stringify(short);
}
