/**
 * What a sequence model (`model.task: sequence`) reads, and what only it reads: texts instead of
 * feature rows, and a tokenizer whenever text must become token ids (text data files, or what a
 * probe's settings say: see `PolicyFamily.vocabularyNeeds`): a tokenizer.json path, or a character
 * vocabulary. Pre-tokenised JSONL data with no probe needing text needs none.
 */
import type { CheckContext } from './check-context';
import type { PolicyFamily } from './family';
import { dataFormat } from './fields';
import { isPlainObject, valueAt } from './merge';

const SEQUENCE_ONLY_MODEL_KEYS = ['attention-mask', 'context', 'reference-model', 'tokenizer'] as const;

export function sequenceModelChecks(ctx: CheckContext, families: readonly PolicyFamily[]): void {
  const { data, error, task } = ctx;
  if (task !== 'sequence') {
    const model = valueAt(data, ['model']);
    for (const key of SEQUENCE_ONLY_MODEL_KEYS) {
      if (isPlainObject(model) && model[key] !== undefined) {
        error(['model', key], 'key', `model.${key} is only for sequence models (model.task: sequence); model.task is ${String(task)}`);
      }
    }
    if (valueAt(data, ['data', 'text-field']) !== undefined) {
      error(
        ['data', 'text-field'],
        'key',
        `data.text-field is only for sequence models (model.task: sequence); model.task is ${String(task)}`,
      );
    }
    for (const role of ['members', 'non-members']) {
      const entry = valueAt(data, ['data', role]);
      if (isPlainObject(entry) && dataFormat(entry) === 'text') {
        error(
          ['data', role, 'path'],
          'value',
          `data.${role} is a text file, which only a sequence model (model.task: sequence) reads; a ${String(task)} model needs csv, jsonl or npy rows`,
        );
      }
    }
    return;
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
      error(
        ['data', role, 'path'],
        'value',
        `a sequence model reads texts: data.${role} must be a text file (.txt, one record per line) or JSON Lines of texts or token ids, not ${format}`,
      );
    }
  }

  ctx.mustExist(['model', 'reference-model'], 'reference model');

  const tokenizer = valueAt(data, ['model', 'tokenizer']);
  if (typeof tokenizer === 'string') {
    ctx.mustExist(['model', 'tokenizer'], 'tokenizer file');
  } else if (isPlainObject(tokenizer)) {
    const hasVocab = tokenizer['vocab'] !== undefined;
    const hasFile = tokenizer['vocab-file'] !== undefined;
    if (hasVocab === hasFile) {
      error(
        ['model', 'tokenizer'],
        'key',
        hasVocab
          ? 'model.tokenizer sets both vocab and vocab-file; give the vocabulary one way'
          : 'model.tokenizer needs a vocabulary: vocab (inline) or vocab-file (a JSON file)',
        ['model', 'tokenizer', 'vocab'],
      );
    }
    ctx.mustExist(['model', 'tokenizer', 'vocab-file'], 'vocabulary file');
    const vocab = tokenizer['vocab'];
    const size = typeof vocab === 'string' ? [...vocab].length : Array.isArray(vocab) ? vocab.length : undefined;
    const pad = tokenizer['pad-id'];
    if (size !== undefined && typeof pad === 'number' && pad >= size) {
      error(
        ['model', 'tokenizer', 'pad-id'],
        'value',
        `pad-id ${pad} is not a token id: the vocabulary has ${size} tokens (ids 0 to ${size - 1})`,
      );
    }
    if (typeof vocab === 'string' && new Set(vocab).size !== [...vocab].length) {
      error(
        ['model', 'tokenizer', 'vocab'],
        'value',
        'model.tokenizer.vocab lists a character more than once; each character must be one token',
      );
    }
  } else if (tokenizer === undefined) {
    const needs: string[] = [];
    if (textData) needs.push('the data files are text');
    for (const family of families) {
      const settings = valueAt(data, ['probes', family.id]);
      if (isPlainObject(settings) && family.vocabularyNeeds) needs.push(...family.vocabularyNeeds(settings));
    }
    if (needs.length > 0) {
      error(
        ['model'],
        'key',
        `missing model.tokenizer: a sequence model needs a tokenizer to turn text into token ids (${needs.join('; ')}); add model.tokenizer: the path of the model's tokenizer.json, or a character vocabulary { vocab | vocab-file }`,
        ['model', 'tokenizer'],
      );
    }
  }
}
