/** Where a text being encoded came from, so a character a tokeniser cannot encode can be pointed at. */
export interface TextOrigin {
  file: string;
  /** 1-based line of the text's first character in the file. */
  line?: number;
  /** 1-based column of the text's first character on that line. */
  column?: number;
  field?: string;
  /** What the text is, for the message ("member text 3", "canary format"). */
  what?: string;
}
