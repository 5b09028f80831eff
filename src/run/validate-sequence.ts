/**
 * `privacy-gate validate` for `model.task: sequence`: what the run refuses at load time, found
 * before any run and reported at the policy field that causes it. The tokenizer is read, the model
 * and the reference model opened, and their sizes compared by the run's own functions
 * (run/sequence-inputs.ts), so validate and the run cannot disagree. The data files' first lines
 * are parsed as the run parses them; encoding every text is left to the run (see textDataProblems).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError, type SourceLocation } from '../errors';
import type { SequenceModel } from '../model/sequence-types';
import type { ModelSettings, TokenizerSettings } from '../policy/types';
import { buildSequenceModel } from '../policy/build';
import { dataFormat } from '../policy/fields';
import { isPlainObject, valueAt, type MergedPolicy } from '../policy/merge';
import type { PolicyPath } from '../policy/source';
import { parseTextRecords } from '../text/records';
import type { TextTokenizer } from '../text/tokenizer';
import {
  noRecordsError,
  readSequenceTokenizer,
  referenceVocabularyProblem,
  sequenceModelOpener,
  tokenizerSizeProblem,
  unreadableError,
} from './sequence-inputs';

/** Where validate's problems go: an error at a policy field, and a file path as messages show it. */
export interface FieldReport {
  at(path: PolicyPath, message: string, field?: PolicyPath): void;
  shown(file: string): string;
}

/** The file a path field names when it is usable (inside the roots, existing); the policy checks report the rest. */
export type UsableFile = (path: PolicyPath) => string | undefined;

export async function sequenceInputProblems(merged: MergedPolicy, report: FieldReport, usable: UsableFile): Promise<void> {
  const tokenizer = tokenizerProblems(merged, report, usable);
  await modelProblems(merged, report, usable, tokenizer);
  textDataProblems(merged, report, usable);
}

/** The tokenizer as the run reads it, or undefined (none, unusable, or reported here). */
function tokenizerProblems(merged: MergedPolicy, report: FieldReport, usable: UsableFile): TextTokenizer | undefined {
  const declared = tokenizerSettings(merged, usable);
  if (!declared) return undefined;
  const { settings, field } = declared;
  try {
    return readSequenceTokenizer(settings, (file) => report.shown(file)).tokenizer;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    if (error.location?.field === 'model.tokenizer.pad-id') {
      // An inline vocabulary's pad id is one of the policy's own checks; a vocabulary file's only the run's.
      if (settings.vocabFile) report.at(['model', 'tokenizer', 'pad-id'], error.message);
    } else {
      report.at(field, `${located(error.location, report)}${error.message}`);
    }
    return undefined;
  }
}

/** `model.tokenizer` as the run's settings, when every part of it is of the type the schema wants and its files are usable. */
function tokenizerSettings(merged: MergedPolicy, usable: UsableFile): { settings: TokenizerSettings; field: PolicyPath } | undefined {
  const model = valueAt(merged.data, ['model']);
  const value = valueAt(merged.data, ['model', 'tokenizer']);
  if (!isPlainObject(model) || value === undefined) return undefined;
  const build = () => buildSequenceModel(merged, model).tokenizer;
  if (typeof value === 'string') {
    const settings = usable(['model', 'tokenizer']) ? build() : undefined;
    return settings && { settings, field: ['model', 'tokenizer'] };
  }
  if (!isPlainObject(value)) return undefined;
  const pad = value['pad-id'];
  if (pad !== undefined && !(Number.isInteger(pad) && (pad as number) >= 0)) return undefined;
  const vocab = value['vocab'];
  if (vocab !== undefined && value['vocab-file'] === undefined) {
    const wellFormed =
      (typeof vocab === 'string' && vocab.length > 0) ||
      (Array.isArray(vocab) && vocab.length > 0 && vocab.every((t) => typeof t === 'string' && t.length > 0));
    const settings = wellFormed ? build() : undefined;
    return settings && { settings, field: ['model', 'tokenizer', 'vocab'] };
  }
  if (vocab === undefined && typeof value['vocab-file'] === 'string') {
    const settings = usable(['model', 'tokenizer', 'vocab-file']) ? build() : undefined;
    return settings && { settings, field: ['model', 'tokenizer', 'vocab-file'] };
  }
  return undefined;
}

/** The model and the reference model opened as the run opens them, and checked against the tokenizer and each other. */
async function modelProblems(merged: MergedPolicy, report: FieldReport, usable: UsableFile, tokenizer: TextTokenizer | undefined) {
  const open = sequenceModelOpener(openSettings(merged), tokenizer?.padId);
  const path = usable(['model', 'path']);
  let refusedSetting: string | undefined;
  let model: SequenceModel | undefined;
  if (path) {
    try {
      model = await open(path);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      refusedSetting = settingProblem(error, merged, report, `model ${report.shown(path)}`);
    }
  }
  if (model && tokenizer) {
    const problem = tokenizerSizeProblem(tokenizer, model, report.shown(path!));
    if (problem) report.at(['model', 'tokenizer'], problem);
  }
  const referencePath = usable(['model', 'reference-model']);
  if (!referencePath) return;
  const shownReference = report.shown(referencePath);
  let reference: SequenceModel;
  try {
    reference = await open(referencePath);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // The settings are the target's too: a setting both refuse is said once, at the setting.
    const field = error.location?.field;
    if (field === undefined || field === 'model.path' || field !== refusedSetting) {
      report.at(['model', 'reference-model'], `reference model ${shownReference}: ${error.message}`);
    }
    return;
  }
  const problem = model && referenceVocabularyProblem(reference, model, shownReference, report.shown(path!));
  if (problem) report.at(['model', 'reference-model'], problem);
}

/**
 * A refusal of the model reported at the policy field it names (model.input, model.context, ...)
 * or at model.path; returns the field when it is a setting rather than the file.
 */
function settingProblem(error: InputError, merged: MergedPolicy, report: FieldReport, what: string): string | undefined {
  const named = error.location?.field;
  const setting = named?.startsWith('model.') && named !== 'model.path' ? named : undefined;
  const field: PolicyPath = setting ? ['model', ...setting.slice('model.'.length).split('.')] : ['model', 'path'];
  const written = valueAt(merged.data, field) !== undefined;
  report.at(written ? field : ['model'], `${what}: ${error.message}`, field);
  return setting;
}

/** The model settings the opener reads, each only when of the type the schema wants (the policy checks report the rest). */
function openSettings(merged: MergedPolicy): Pick<ModelSettings, 'scores' | 'input' | 'output' | 'attentionMask' | 'context'> {
  const at = (key: string) => valueAt(merged.data, ['model', key]);
  const text = (key: string) => (typeof at(key) === 'string' ? (at(key) as string) : undefined);
  const scores = at('scores');
  const context = at('context');
  const input = text('input');
  const output = text('output');
  const attentionMask = text('attention-mask');
  return {
    scores: scores === 'probabilities' || scores === 'logits' ? scores : 'auto',
    ...(input !== undefined ? { input } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(attentionMask !== undefined ? { attentionMask } : {}),
    ...(Number.isInteger(context) && (context as number) > 0 ? { context: context as number } : {}),
  };
}

/** Bytes of a data file's start that validate parses: enough for many records, cheap for any file. */
const HEAD_BYTES = 64 * 1024;

/**
 * The data files read and their first records parsed by the run's parser (a line that is not
 * JSON, an object without data.text-field), at data.<role>.path with the file's line; a small
 * file with no record at all is refused as the run refuses it. Only the first 64 KiB: the run
 * parses every line, and encodes every sampled text (an unknown character) and checks every
 * sampled list of ids (an id the model does not score, a text with no tokenizer). Those need the
 * whole corpus and the run's sample of it, so they stay the run's work, not validate's.
 */
function textDataProblems(merged: MergedPolicy, report: FieldReport, usable: UsableFile): void {
  const textField = valueAt(merged.data, ['data', 'text-field']);
  const field = typeof textField === 'string' ? textField : 'text';
  for (const role of ['members', 'non-members']) {
    const entry = valueAt(merged.data, ['data', role]);
    if (!isPlainObject(entry)) continue;
    const format = dataFormat(entry);
    if (format !== 'text' && format !== 'jsonl') continue;
    const path = usable(['data', role, 'path']);
    if (!path) continue;
    try {
      const { text, whole } = head(path, role);
      const records = parseTextRecords(text, path, format, field);
      if (whole && records.length === 0) throw noRecordsError(role, path);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      report.at(['data', role, 'path'], `${located(error.location, report)}${error.message}`);
    }
  }
}

/** The file's first HEAD_BYTES, cut after their last complete line (a line cut in two would not parse); `whole`: that is all of it. */
function head(path: string, role: string): { text: string; whole: boolean } {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(HEAD_BYTES);
    const read = readSync(fd, buffer, 0, HEAD_BYTES, 0);
    const bytes = buffer.subarray(0, read);
    if (read < HEAD_BYTES) return { text: bytes.toString('utf8'), whole: true };
    const end = bytes.lastIndexOf(0x0a);
    return { text: end < 0 ? '' : bytes.subarray(0, end).toString('utf8'), whole: false };
  } catch (error) {
    throw unreadableError(`${role} file`, path, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** "file:line:column: " of a location in a file the policy names (the tokenizer, a data file), for messages. */
function located(location: SourceLocation | undefined, report: FieldReport): string {
  if (!location) return '';
  const position = location.line ? `:${location.line}${location.column ? `:${location.column}` : ''}` : '';
  return `${report.shown(location.file)}${position}: `;
}
