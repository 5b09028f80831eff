/**
 * The gate's path for sequence models (`model.task: sequence`): tokenizer (a tokenizer.json or a
 * character vocabulary) → ONNX sequence model → member / non-member texts → the context every
 * probe of this task gets. It fills the
 * same audit record as the feature path; probes run and the verdict is decided in run/gate.ts.
 */
import { readFileSync } from 'node:fs';
import { sha256 } from '../data';
import { InputError } from '../errors';
import { ObservedSequence } from '../model/sequence-surface';
import type { DataFileSettings, Policy } from '../policy/types';
import type { SequenceProbeContext, TextData } from '../probes/types';
import type { GateReport } from '../result';
import { parseTextRecords } from '../text/records';
import type { TextTokenizer } from '../text/tokenizer';
import { JsonTokenizer } from '../text/tokenizer-json';
import { Vocabulary } from '../text/vocab';
import { rngFor } from '../util/random';
import {
  noRecordsError,
  readSequenceTokenizer,
  referenceVocabularyProblem,
  sequenceModelOpener,
  tokenizerSizeProblem,
  unreadableError,
} from './sequence-inputs';
import type { TaskRun, TaskTools } from './task';
import { modelDigest } from './model-digest';

export async function openSequenceTask(policy: Policy, report: GateReport, { relative, lap }: TaskTools): Promise<TaskRun> {
  const tokenizer = loadTokenizer(policy, report, relative);
  const settings = policy.model;
  // The reference model is opened the same way as the target: same adapter, same settings.
  const open = sequenceModelOpener(settings, tokenizer?.padId);
  const model = await open(settings.path);
  report.inputs.model = modelDigest(settings.path, relative);
  const tooBig = tokenizer && tokenizerSizeProblem(tokenizer, model, relative(settings.path));
  if (tooBig) throw new InputError(tooBig, { file: policy.file, field: 'model.tokenizer' });
  const reference = settings.referenceModel
    ? await openReference(settings.referenceModel, model, open, policy, report, relative)
    : undefined;
  report.timings.model = lap();

  const load = (file: DataFileSettings, role: string): TextData => {
    const data = loadTexts(file, role, policy, tokenizer, model.info.vocabSize);
    report.inputs.data.push({
      role,
      path: relative(file.path),
      sha256: data.sha256,
      rows: data.texts.rows,
      rowsInFile: data.texts.rowsInFile,
    });
    return data.texts;
  };
  const members = load(policy.data.members, 'members');
  const nonMembers = load(policy.data.nonMembers, 'non-members');
  report.timings.data = lap();

  const context: SequenceProbeContext = {
    task: 'sequence',
    model: new ObservedSequence(model, policy.surface),
    members,
    nonMembers,
    seed: policy.seed,
    confidence: policy.gate.confidence,
  };
  if (tokenizer) context.tokenizer = tokenizer;
  // The character walk of canary exposure needs the character vocabulary itself.
  if (tokenizer instanceof Vocabulary) context.vocabulary = tokenizer;
  if (reference) context.reference = new ObservedSequence(reference, policy.surface);
  return {
    task: 'sequence',
    context,
    finish: () => {
      report.queries = model.queries + (reference?.queries ?? 0);
      const info = model.info;
      report.sequenceModel = {
        input: info.input,
        output: info.output,
        context: info.context,
        fixedContext: info.fixedContext,
        vocabSize: info.vocabSize,
        scoreKind: info.scoreKind,
        scoreKindReason: info.scoreKindReason,
      };
      if (info.attentionMask) report.sequenceModel.attentionMask = info.attentionMask;
      if (info.decoder) report.sequenceModel.decoder = info.decoder;
      if (tokenizer instanceof Vocabulary) {
        report.sequenceModel.vocabulary = { source: tokenizer.source, tokens: tokenizer.size };
        if (tokenizer.padId !== undefined) report.sequenceModel.vocabulary.padId = tokenizer.padId;
      }
      if (tokenizer) report.sequenceModel.tokenizer = tokenizerFacts(tokenizer);
    },
  };
}

/** What the report says about the tokenizer: kind, where it came from, size and special ids. */
function tokenizerFacts(tokenizer: TextTokenizer): NonNullable<NonNullable<GateReport['sequenceModel']>['tokenizer']> {
  const facts: NonNullable<NonNullable<GateReport['sequenceModel']>['tokenizer']> = {
    kind: tokenizer.kind,
    source: tokenizer.source,
    tokens: tokenizer.size,
  };
  if (tokenizer instanceof JsonTokenizer) facts.model = tokenizer.model;
  if (tokenizer.padId !== undefined) facts.padId = tokenizer.padId;
  if (tokenizer.eosId !== undefined) facts.eosId = tokenizer.eosId;
  if (tokenizer.bosId !== undefined) facts.bosId = tokenizer.bosId;
  return facts;
}

/** The policy's tokenizer (run/sequence-inputs.ts), the files it was read from recorded with their digests. */
function loadTokenizer(policy: Policy, report: GateReport, relative: (p: string) => string): TextTokenizer | undefined {
  if (!policy.model.tokenizer) return undefined;
  const { tokenizer, files } = readSequenceTokenizer(policy.model.tokenizer, relative);
  for (const f of files) {
    report.inputs.data.push({ role: f.role, path: relative(f.path), sha256: sha256(f.bytes), rows: f.rows, rowsInFile: f.rows });
  }
  return tokenizer;
}

/**
 * `model.reference-model`: opened like the target, recorded with its digest, and refused when
 * it scores another vocabulary than the target (its log-probabilities would be of other tokens).
 */
async function openReference<M extends { info: { vocabSize: number; output: string } }>(
  path: string,
  target: M,
  open: (path: string) => Promise<M>,
  policy: Policy,
  report: GateReport,
  relative: (p: string) => string,
): Promise<M> {
  const reference = await open(path);
  report.inputs.referenceModel = modelDigest(path, relative);
  const problem = referenceVocabularyProblem(reference, target, relative(path), relative(policy.model.path));
  if (problem) throw new InputError(problem, { file: policy.file, field: 'model.reference-model' });
  return reference;
}

function loadTexts(
  file: DataFileSettings,
  role: string,
  policy: Policy,
  tokenizer: TextTokenizer | undefined,
  modelVocab: number,
): { texts: TextData; sha256: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file.path);
  } catch (error) {
    throw unreadableError(`${role} file`, file.path, error);
  }
  const format = file.format === 'text' ? 'text' : 'jsonl';
  const records = parseTextRecords(bytes.toString('utf8'), file.path, format, policy.data.textField ?? 'text');
  if (records.length === 0) throw noRecordsError(role, file.path);
  const chosen = rngFor(policy.seed, `texts/${role}`).sampleIndices(records.length, policy.data.maxRows);
  const tokens: Int32Array[] = [];
  const lines: number[] = [];
  for (const index of chosen) {
    const record = records[index]!;
    lines.push(record.line);
    if (record.text !== undefined) {
      if (!tokenizer) {
        throw new InputError(
          `line ${record.line} is text, but there is no tokenizer to turn it into token ids; add model.tokenizer (a tokenizer.json or a character vocabulary), or give token ids`,
          { file: file.path, line: record.line },
        );
      }
      const column = format === 'text' ? 1 : undefined;
      tokens.push(
        tokenizer.encode(record.text, { file: file.path, line: record.line, ...(column ? { column } : {}), what: `the ${role} file` }),
      );
    } else {
      const bad = record.ids!.find((id) => id >= modelVocab);
      if (bad !== undefined) {
        throw new InputError(`line ${record.line} has token id ${bad}, but the model scores ids 0 to ${modelVocab - 1}`, {
          file: file.path,
          line: record.line,
        });
      }
      tokens.push(Int32Array.from(record.ids!));
    }
  }
  // The secret scan looks for verbatim matches in every record, not only the sampled ones.
  const corpus = records.map((r) => r.text ?? (tokenizer ? tokenizer.decode(r.ids!) : '')).join('\n');
  return {
    texts: { role, file: file.path, tokens, lines, corpus, rows: tokens.length, rowsInFile: records.length },
    sha256: sha256(bytes),
  };
}
