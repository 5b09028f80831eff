/**
 * Where a character of a text sits in the file it came from, so a tokeniser's refusal can point
 * at it: the text's origin (line and column of its first character) advanced over the text.
 */
import type { SourceLocation } from '../errors';
import type { TextOrigin } from './origin';

export interface TextPosition {
  /** "line 8, column 3", "line 4, character 5" or "character 5". */
  where: string;
  location: SourceLocation;
}

/** The position of the code point starting at UTF-16 index `index` of `text`. */
export function positionInText(text: string, index: number, origin: TextOrigin): TextPosition {
  let line = origin.line;
  let column = origin.column;
  let offset = 0;
  for (let i = 0; i < index;) {
    const char = String.fromCodePoint(text.codePointAt(i)!);
    if (char === '\n' && line !== undefined) {
      line += 1;
      column = 1;
    } else if (column !== undefined) {
      column += 1;
    }
    offset += 1;
    i += char.length;
  }
  const where =
    line !== undefined && column !== undefined
      ? `line ${line}, column ${column}`
      : `${line !== undefined ? `line ${line}, ` : ''}character ${offset + 1}`;
  const location: SourceLocation = { file: origin.file };
  if (line !== undefined) location.line = line;
  if (line !== undefined && column !== undefined) location.column = column;
  if (origin.field) location.field = origin.field;
  return { where, location };
}

/** "U+00E9" for the code point at `index`. */
export function codePointName(text: string, index: number): string {
  return `U+${text.codePointAt(index)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** 1-based line and column of UTF-16 offset `position` in `text` (for JSON syntax errors). */
export function lineColumnAt(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(position, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}
