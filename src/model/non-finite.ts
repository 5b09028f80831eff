/**
 * A model that answers NaN or ±Infinity cannot be audited: a NaN would read as a score the
 * surface hides, an infinity as certainty, and either silently moves the attack's figures. So a
 * non-finite value in a model output is the user's problem to fix (exit 2), reported with the
 * model, the output, how many rows, and where the first such row came from.
 */
import { rowPlace } from '../data/origin';
import { InputError } from '../errors';
import type { NonFiniteRows } from './scores';
import type { QuerySource, TextRecords } from './types';

export class NonFiniteOutput extends InputError {
  constructor(
    readonly model: string,
    readonly output: string,
    readonly found: NonFiniteRows,
    readonly queried: number,
    /** Where the first bad row came from, once the caller knows (see {@link traced}). */
    readonly origin?: string,
  ) {
    super(
      `model output "${output}" holds non-finite values (${String(found.value)}) in ${found.count} of ${queried} rows queried, the first ${origin ?? `at row ${found.first + 1} of the query`}; a model must answer every query with finite scores (NaN or ±Infinity would read as hidden or certain scores): fix the model or its export`,
      { file: model, field: 'model.output' },
    );
    this.name = 'NonFiniteOutput';
  }

  /** The same error, saying where its first row came from. */
  traced(source: QuerySource): NonFiniteOutput {
    return new NonFiniteOutput(this.model, this.output, this.found, this.queried, describeRow(source, this.found.first));
  }
}

/** "at line 17 of /data/members.csv (members)", or which probe's synthetic query it was. */
export function describeRow(source: QuerySource, row: number): string {
  if ('probe' in source) return `in row ${row + 1} of ${source.probe} (synthetic inputs, not from a data file)`;
  if ('texts' in source) return describeTextRow(source.texts, row);
  const { file, role } = source.data;
  return `at ${rowPlace(source.data, row)} of ${file} (${role})`;
}

function describeTextRow(texts: readonly TextRecords[], row: number): string {
  let at = row;
  for (const { file, role, lines } of texts) {
    if (at < lines.length) return `at line ${lines[at]!} of ${file} (${role})`;
    at -= lines.length;
  }
  return `at row ${row + 1} of the query`;
}

/** A model's answer, with a non-finite output error told where its first bad row came from. */
export async function traced<T>(answer: Promise<T>, source: QuerySource): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    throw error instanceof NonFiniteOutput ? error.traced(source) : error;
  }
}
