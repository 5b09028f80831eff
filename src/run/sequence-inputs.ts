/**
 * What a sequence policy's run checks at load time, before any text is encoded: the tokenizer
 * (a tokenizer.json or a character vocabulary), the model and the reference model opened with one
 * adapter, and the sizes they must agree on. Shared by the run (run/sequence.ts), which throws
 * what these find, and `privacy-gate validate` (run/validate-sequence.ts), which reports it at the
 * policy field: one implementation, so validate passes exactly what the run loads.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../errors';
import { openSequenceModel } from '../model/sequence-open';
import type { SequenceModel } from '../model/sequence-types';
import type { ModelSettings, TokenizerSettings } from '../policy/types';
import type { TextTokenizer } from '../text/tokenizer';
import { loadTokenizerJson } from '../text/tokenizer-json';
import { defaultPadId, parseVocabularyJson, Vocabulary } from '../text/vocab';

/** A file the tokenizer was read from, for the audit record: "rows" are the tokens it holds (0 for a config). */
export interface TokenizerSourceFile {
  role: string;
  path: string;
  bytes: Buffer;
  rows: number;
}

/**
 * The policy's tokenizer: a tokenizer.json (with the tokenizer_config.json beside it) or the
 * character vocabulary (inline or a JSON file, its pad id checked). InputErrors name the file
 * (line and column where the parser gives them) or the policy field (`model.tokenizer.pad-id`).
 */
export function readSequenceTokenizer(
  settings: TokenizerSettings,
  relative: (p: string) => string,
): { tokenizer: TextTokenizer; files: TokenizerSourceFile[] } {
  if (settings.file) {
    const { tokenizer, files } = loadTokenizerJson(settings.file, relative(settings.file));
    // "rows": the tokens the tokenizer knows (for its config, the special tokens it names).
    return { tokenizer, files: files.map((f) => ({ ...f, rows: f.role === 'tokenizer' ? tokenizer.size : 0 })) };
  }
  const files: TokenizerSourceFile[] = [];
  let tokens: string[];
  let source: string;
  if (settings.vocabFile) {
    const bytes = readFileSync(settings.vocabFile);
    tokens = parseVocabularyJson(bytes.toString('utf8'), settings.vocabFile);
    source = relative(settings.vocabFile);
    files.push({ role: 'vocabulary', path: settings.vocabFile, bytes, rows: tokens.length });
  } else {
    tokens = settings.vocab!;
    source = 'model.tokenizer.vocab';
  }
  const padId = settings.padId ?? defaultPadId(tokens);
  if (padId !== undefined && padId >= tokens.length) {
    throw new InputError(`model.tokenizer.pad-id is ${padId}, but the vocabulary (${source}) has ${tokens.length} tokens`, {
      ...settings.source,
      field: 'model.tokenizer.pad-id',
    });
  }
  return { tokenizer: new Vocabulary(tokens, padId, source), files };
}

/** Opens a model of the policy: the target and the reference model alike get the same adapter and settings. */
export function sequenceModelOpener(
  settings: Pick<ModelSettings, 'scores' | 'input' | 'output' | 'attentionMask' | 'context'>,
  padId: number | undefined,
): (path: string) => Promise<SequenceModel> {
  return (path) =>
    openSequenceModel({
      path,
      scores: settings.scores,
      ...(settings.input ? { input: settings.input } : {}),
      ...(settings.output ? { output: settings.output } : {}),
      ...(settings.attentionMask ? { attentionMask: settings.attentionMask } : {}),
      ...(settings.context ? { context: settings.context } : {}),
      ...(padId !== undefined ? { padId } : {}),
    });
}

type Scored = { info: { vocabSize: number; output: string } };

/** Why the tokenizer cannot be the model's: it has ids the model does not score (undefined: it fits). */
export function tokenizerSizeProblem(tokenizer: TextTokenizer, model: Scored, shownModel: string): string | undefined {
  if (tokenizer.size <= model.info.vocabSize) return undefined;
  const characters = tokenizer instanceof Vocabulary;
  const what = characters ? 'the vocabulary' : `the tokenizer (${tokenizer.source})`;
  return `${what} has ${tokenizer.size} tokens but the model scores only ${model.info.vocabSize} (its output "${model.info.output}" in ${shownModel}); the ${characters ? 'vocabulary' : 'tokenizer'} must be the one the model was trained with`;
}

/**
 * Why the reference model cannot be compared with the target: it scores another vocabulary, so
 * its log-probabilities would be of other tokens (undefined: same size).
 */
export function referenceVocabularyProblem(
  reference: Scored,
  target: Scored,
  shownReference: string,
  shownTarget: string,
): string | undefined {
  if (reference.info.vocabSize === target.info.vocabSize) return undefined;
  return `the reference model ${shownReference} scores ${reference.info.vocabSize} tokens (its output "${reference.info.output}") but the model ${shownTarget} scores ${target.info.vocabSize} (its output "${target.info.output}"); a reference model must share the target's tokenizer and vocabulary`;
}

/** A data file the system would not let the gate read (permissions, a file gone since the policy checks). */
export function unreadableError(what: string, file: string, error: unknown): InputError {
  return new InputError(`cannot read the ${what}: ${(error as Error).message}`, { file });
}

/** A members or non-members file with no record in it (only empty lines, or nothing). */
export function noRecordsError(role: string, file: string): InputError {
  return new InputError(`the ${role} file holds no records; expected one text per line`, { file });
}
