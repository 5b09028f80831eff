/** A table of numeric features plus the label column, as the model will see it. */
export interface Dataset {
  /** Role in the attack: "members" or "non-members". */
  role: string;
  /** Absolute path of the file it came from. */
  file: string;
  /** Feature column names, in the order they are fed to the model. */
  features: string[];
  /** Row-major feature matrix, rows × features.length. */
  x: Float32Array;
  /** The label column's raw values as text (e.g. "7" or "cat"), one per row. */
  labels: string[];
  rows: number;
  /** Rows in the file before the seeded `max-rows` sample. */
  rowsInFile: number;
  /**
   * Where each row sits in the file, so that a model's bad answer on a row can be traced back:
   * its 0-based data row in the file, and for line-based formats (CSV, JSONL) its 1-based line.
   * Absent for rows built in memory.
   */
  origin?: { fileRows: Uint32Array; lines?: Uint32Array };
}
