/**
 * Extraction policy checks: what the schema cannot express. Messages never quote a canary
 * secret: policy errors end up in annotations and PR comments, and a privacy tool must not
 * become the leak.
 *
 * Canary exposure needs every next-token probability (`surface.scores: full`): under top-k the
 * likelihood of most candidates is hidden, so a rank cannot be computed. The secret scan samples,
 * so it needs scores (full or top-k); memorisation decodes greedily and works on every surface.
 */
import type { CheckContext } from '../../policy/check-context';
import { isPlainObject, type PlainObject } from '../../policy/merge';
import { fieldName, type PolicyPath } from '../../policy/source';
import { parseCanaryFormat, secretProblem } from '../../text/canary';
import { compileUserRegex } from '../../text/patterns';
import { EXTRACTION_DEFAULTS } from './settings';

const base: PolicyPath = ['probes', 'extraction'];

/** Whether the secret scan runs: configured, or its threshold is set. */
function scanRuns(extraction: PlainObject): boolean {
  const thresholds = extraction['thresholds'];
  return isPlainObject(extraction['secret-scan']) || (isPlainObject(thresholds) && thresholds['secret-matches'] !== undefined);
}

/** Whether generation extraction runs: configured, or its threshold is set. */
function generationRuns(extraction: PlainObject): boolean {
  const thresholds = extraction['thresholds'];
  return isPlainObject(extraction['generation']) || (isPlainObject(thresholds) && thresholds['extracted-samples'] !== undefined);
}

/** Why these settings need a tokenizer: canaries and the secret scan are text. */
export function extractionVocabularyNeeds(extraction: PlainObject): string[] {
  const needs: string[] = [];
  if (extraction['canaries'] !== undefined) needs.push('canaries are text');
  if (extraction['secret-scan'] !== undefined || scanRuns(extraction)) needs.push('the secret scan reads generated text');
  if (generationRuns(extraction)) needs.push('generation extraction ranks samples by the zlib entropy of their text');
  return needs;
}

export function extractionChecks(ctx: CheckContext, extraction: PlainObject): void {
  const { error, scores } = ctx;
  const canaries = extraction['canaries'];
  if (Array.isArray(canaries)) {
    if (scores !== 'full') {
      error(
        [...base, 'canaries'],
        'key',
        `canary exposure ranks every candidate by its likelihood, which needs every next-token probability, but surface.scores is ${String(scores)}; measure exposure with surface.scores: full (the worst case), or remove canaries`,
      );
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
          if (first && first !== kind)
            error(
              path,
              'value',
              `${fieldName(path)} is also listed in ${first}: a secret is either inserted or a control (the secret is not shown)`,
            );
          seen.set(secret, kind);
        });
      }
    });
  }
  const scan = extraction['secret-scan'];
  const thresholds = extraction['thresholds'];
  if (scanRuns(extraction) && scores === 'label') {
    error(
      isPlainObject(scan) ? [...base, 'secret-scan'] : [...base, 'thresholds', 'secret-matches'],
      'key',
      'the secret scan samples generations, which needs next-token scores, but surface.scores is label (the top token only); use surface.scores: full or top-k, or remove the secret scan',
    );
  }
  if (generationRuns(extraction) && scores !== 'full') {
    const generation = extraction['generation'];
    error(
      isPlainObject(generation) ? [...base, 'generation'] : [...base, 'thresholds', 'extracted-samples'],
      'key',
      `generation extraction samples generations and ranks them by each generated token's probability, which needs every next-token probability, but surface.scores is ${String(scores)}; use surface.scores: full (the worst case), or remove generation`,
    );
  }
  const generation = extraction['generation'];
  if (isPlainObject(generation)) {
    // A window longer than a sample could never match: the probe would report 0 extracted samples whatever the model.
    const length = typeof generation['length'] === 'number' ? generation['length'] : EXTRACTION_DEFAULTS.generation.length;
    const k = typeof generation['match-tokens'] === 'number' ? generation['match-tokens'] : EXTRACTION_DEFAULTS.generation.matchTokens;
    if (k > length) {
      error(
        [...base, 'generation', typeof generation['match-tokens'] === 'number' ? 'match-tokens' : 'length'],
        'value',
        `match-tokens (${k}) is longer than a sample (length ${length}): no sample could ever match a member text; lower match-tokens or raise length`,
      );
    }
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
      error(
        [...base, 'secret-scan', 'patterns'],
        'value',
        'the secret scan has nothing to look for: patterns is empty and no regexes are given',
      );
    }
  }
  if (isPlainObject(thresholds)) {
    if (thresholds['max-exposure'] !== undefined && !Array.isArray(canaries)) {
      error(
        [...base, 'thresholds', 'max-exposure'],
        'key',
        'max-exposure is the exposure of inserted canaries, but probes.extraction has no canaries; declare the canaries inserted into the training data',
        [...base, 'canaries'],
      );
    }
  }
}
