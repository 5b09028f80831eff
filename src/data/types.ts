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
   * Where each loaded row is in the file, for messages about a row: its 1-based line (CSV,
   * JSONL) or, where the format has no lines (NPY), 0 and `sourceRows` says the row.
   */
  sourceLines?: Uint32Array;
  /** Each loaded row's 0-based index among the file's data rows. */
  sourceRows?: Uint32Array;
}
