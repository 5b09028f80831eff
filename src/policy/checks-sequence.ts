/**
 * Policy checks for sequence models (`model.task: sequence`) and the extraction probe: what the
 * schema cannot express. Messages never quote a canary secret: policy errors end up in
 * annotations and PR comments, and a privacy tool must not become the leak.
 *
 * Decisions:
 * - Only the extraction probe runs on a sequence model, and it runs on nothing else.
 * - Canary exposure needs every next-token probability (`surface.scores: full`): under top-k the
 *   likelihood of most candidates is hidden, so a rank cannot be computed. The secret scan
 *   samples, so it needs scores (full or top-k); memorisation decodes greedily and works on
 *   every surface.
 * - A tokenizer is required whenever text must become token ids: text data files, canaries,
 *   secret-scan prompts. Pre-tokenised JSONL data with memorisation alone needs none.
 */
import { existsSync, statSync } from 'node:fs';
import { parseCanaryFormat, secretProblem } from '../text/canary';
import { compileUserRegex } from '../text/patterns';
import type { AllowedRoots } from '../util/paths';
import { dataFormat, resolvePathValue } from './checks';
import { policyPathProblem } from './paths';
import { isPlainObject, valueAt, type MergedPolicy } from './merge';
import { fieldName, type PolicyPath } from './source';

type Report = (path: PolicyPath, part: 'key' | 'value', message: string, field?: PolicyPath) => void;

const SEQUENCE_ONLY_MODEL_KEYS = ['attention-mask', 'context', 'tokenizer'] as const;

export function sequenceChecks(merged: MergedPolicy, error: Report, roots: AllowedRoots): void {
  const data = merged.data;
  const task = valueAt(data, ['model', 'task']) ?? 'classification';
  const probes = valueAt(data, ['probes']);
  const extraction = valueAt(data, ['probes', 'extraction']);

  if (task !== 'sequence') {
    if (isPlainObject(extraction)) {
      error(['probes', 'extraction'], 'key', `the extraction probe needs a sequence model (model.task: sequence, token ids in, next-token scores out); model.task is ${String(task)}`);
    }
    const model = valueAt(data, ['model']);
    for (const key of SEQUENCE_ONLY_MODEL_KEYS) {
      if (isPlainObject(model) && model[key] !== undefined) {
        error(['model', key], 'key', `model.${key} is only for sequence models (model.task: sequence); model.task is ${String(task)}`);
      }
    }
    if (valueAt(data, ['data', 'text-field']) !== undefined) {
      error(['data', 'text-field'], 'key', `data.text-field is only for sequence models (model.task: sequence); model.task is ${String(task)}`);
    }
    for (const role of ['members', 'non-members']) {
      const entry = valueAt(data, ['data', role]);
      if (isPlainObject(entry) && dataFormat(entry) === 'text') {
        error(['data', role, 'path'], 'value', `data.${role} is a text file, which only a sequence model (model.task: sequence) reads; a ${String(task)} model needs csv, jsonl or npy rows`);
      }
    }
    return;
  }

  // Sequence model: which probes and data.
  if (isPlainObject(probes)) {
    for (const id of Object.keys(probes)) {
      if (id !== 'extraction') {
        error(['probes', id], 'key', `the ${id} probe needs a ${id === 'attribute-inference' ? 'classification or regression' : 'classification'} model, but model.task is sequence; only the extraction probe runs on a sequence model`);
      }
    }
  }
  for (const key of ['label', 'features'] as const) {
    if (valueAt(data, ['data', key]) !== undefined) {
      error(['data', key], 'key', `data.${key} is not used by a sequence model (model.task: sequence), whose records are texts; remove it`);
    }
  }
  let textData = false;
  for (const role of ['members', 'non-members']) {
    const entry = valueAt(data, ['data', role]);
    if (!isPlainObject(entry)) continue;
    const format = dataFormat(entry);
    if (format === 'text') textData = true;
    if (format === 'csv' || format === 'npy') {
      error(['data', role, 'path'], 'value', `a sequence model reads texts: data.${role} must be a text file (.txt, one record per line) or JSON Lines of texts or token ids, not ${format}`);
    }
  }

  // Tokenizer.
  const tokenizer = valueAt(data, ['model', 'tokenizer']);
  if (isPlainObject(tokenizer)) {
    const hasVocab = tokenizer['vocab'] !== undefined;
    const hasFile = tokenizer['vocab-file'] !== undefined;
    if (hasVocab === hasFile) {
      error(['model', 'tokenizer'], 'key', hasVocab ? 'model.tokenizer sets both vocab and vocab-file; give the vocabulary one way' : 'model.tokenizer needs a vocabulary: vocab (inline) or vocab-file (a JSON file)', ['model', 'tokenizer', 'vocab']);
    }
    if (typeof tokenizer['vocab-file'] === 'string' && !policyPathProblem(merged, ['model', 'tokenizer', 'vocab-file'], roots)) {
      const file = resolvePathValue(merged, ['model', 'tokenizer', 'vocab-file']);
      if (!existsSync(file)) error(['model', 'tokenizer', 'vocab-file'], 'value', `vocabulary file not found: ${file}`);
      else if (!statSync(file).isFile()) error(['model', 'tokenizer', 'vocab-file'], 'value', `vocabulary file is not a file: ${file}`);
    }
    const vocab = tokenizer['vocab'];
    const size = typeof vocab === 'string' ? [...vocab].length : Array.isArray(vocab) ? vocab.length : undefined;
    const pad = tokenizer['pad-id'];
    if (size !== undefined && typeof pad === 'number' && pad >= size) {
      error(['model', 'tokenizer', 'pad-id'], 'value', `pad-id ${pad} is not a token id: the vocabulary has ${size} tokens (ids 0 to ${size - 1})`);
    }
    if (typeof vocab === 'string' && new Set(vocab).size !== [...vocab].length) {
      error(['model', 'tokenizer', 'vocab'], 'value', 'model.tokenizer.vocab lists a character more than once; each character must be one token');
    }
  } else {
    const needs: string[] = [];
    if (textData) needs.push('the data files are text');
    if (isPlainObject(extraction) && extraction['canaries'] !== undefined) needs.push('canaries are text');
    if (isPlainObject(extraction) && (extraction['secret-scan'] !== undefined || isPlainObject(extraction['thresholds']) && extraction['thresholds']['secret-matches'] !== undefined)) {
      needs.push('the secret scan reads generated text');
    }
    if (needs.length > 0) {
      error(['model'], 'key', `missing model.tokenizer: a sequence model needs a vocabulary to turn text into token ids (${needs.join('; ')}); add model.tokenizer with vocab or vocab-file`, ['model', 'tokenizer']);
    }
  }

  if (isPlainObject(extraction)) extractionChecks(merged, extraction, error);
}

function extractionChecks(merged: MergedPolicy, extraction: Record<string, unknown>, error: Report): void {
  const base: PolicyPath = ['probes', 'extraction'];
  const scores = valueAt(merged.data, ['surface', 'scores']) ?? 'full';
  const canaries = extraction['canaries'];
  if (Array.isArray(canaries)) {
    if (scores !== 'full') {
      error([...base, 'canaries'], 'key', `canary exposure ranks every candidate by its likelihood, which needs every next-token probability, but surface.scores is ${String(scores)}; measure exposure with surface.scores: full (the worst case), or remove canaries`);
    }
    canaries.forEach((canary, i) => {
      if (!isPlainObject(canary) || typeof canary['format'] !== 'string') return;
      const format = parseCanaryFormat(canary['format']);
      if ('error' in format) {
        error([...base, 'canaries', i, 'format'], 'value', `invalid canary format: ${format.error}`);
        return;
      }
      const seen = new Map<string, string>();
      for (const kind of ['inserted', 'controls'] as const) {
        const secrets = canary[kind];
        if (!Array.isArray(secrets)) continue;
        secrets.forEach((secret, j) => {
          if (typeof secret !== 'string') return;
          const path: PolicyPath = [...base, 'canaries', i, kind, j];
          const problem = secretProblem(format, secret);
          if (problem) error(path, 'value', `${fieldName(path)} does not fit the format: it ${problem} (the secret is not shown)`);
          const first = seen.get(secret);
          if (first && first !== kind) error(path, 'value', `${fieldName(path)} is also listed in ${first}: a secret is either inserted or a control (the secret is not shown)`);
          seen.set(secret, kind);
        });
      }
    });
  }
  const scan = extraction['secret-scan'];
  const thresholds = extraction['thresholds'];
  const scanRuns = isPlainObject(scan) || (isPlainObject(thresholds) && thresholds['secret-matches'] !== undefined);
  if (scanRuns && scores === 'label') {
    error(isPlainObject(scan) ? [...base, 'secret-scan'] : [...base, 'thresholds', 'secret-matches'], 'key', 'the secret scan samples generations, which needs next-token scores, but surface.scores is label (the top token only); use surface.scores: full or top-k, or remove the secret scan');
  }
  if (isPlainObject(scan)) {
    const regexes = scan['regexes'];
    if (Array.isArray(regexes)) {
      regexes.forEach((source, i) => {
        if (typeof source !== 'string') return;
        const compiled = compileUserRegex(source);
        if ('error' in compiled) error([...base, 'secret-scan', 'regexes', i], 'value', `invalid regular expression: ${compiled.error}`);
      });
    }
    if (Array.isArray(scan['patterns']) && scan['patterns'].length === 0 && !Array.isArray(regexes)) {
      error([...base, 'secret-scan', 'patterns'], 'value', 'the secret scan has nothing to look for: patterns is empty and no regexes are given');
    }
  }
  if (isPlainObject(thresholds)) {
    if (thresholds['max-exposure'] !== undefined && !Array.isArray(canaries)) {
      error([...base, 'thresholds', 'max-exposure'], 'key', 'max-exposure is the exposure of inserted canaries, but probes.extraction has no canaries; declare the canaries inserted into the training data', [...base, 'canaries']);
    }
  }
}
