/**
 * Verbatim memorisation (Carlini et al. 2021, "Extracting Training Data from Large Language
 * Models", §6: k-extractability): give the model each text's first `prefix` tokens, decode
 * `suffix` tokens greedily (tokens of the tokeniser: characters, or subword ids with a
 * tokenizer.json), and compare with the text's true continuation. Members reproduced far
 * more often than non-members of the same distribution are memorised, not predictable.
 *
 * Metrics: member extraction rate and non-member rate (exact matches, Clopper–Pearson), their
 * difference (Newcombe's hybrid score interval), and the mean normalised similarity
 * (1 − Levenshtein / suffix) of each side. Generated text is never put in the report: a
 * memorised continuation IS training data.
 */
import { differenceIndependent, proportion } from '../../metrics/attribute';
import { meanWithInterval, normalisedSimilarity } from '../../metrics/similarity';
import type { ObservedSequenceModel } from '../../model/sequence-types';
import type { AttackMeasurement } from '../../result';
import type { TextData } from '../types';

export interface MemorisationSettings {
  prefix: number;
  suffix: number;
}

interface SideResult {
  texts: number;
  skipped: number;
  exact: number;
  similarities: number[];
}

/** Similarity histogram bins (for the HTML report): 10 equal bins over [0, 1]. */
const BINS = 10;

export async function memorisationAttack(
  model: ObservedSequenceModel,
  members: TextData,
  nonMembers: TextData,
  settings: MemorisationSettings,
  confidence: number,
): Promise<{ attack: AttackMeasurement; notes: string[] }> {
  const { prefix, suffix } = settings;
  const sides = [members, nonMembers].map((data) => data.tokens.filter((t) => t.length >= prefix + suffix));
  // One greedy generation for both sides: a decoder export runs it as one batched call with its
  // KV cache; any other model gets one batch of all prompts per generated token.
  const prompts = sides.flat().map((t) => t.subarray(0, prefix));
  // Where each prompt came from, for a model that answers NaN: the kept texts' lines, members first.
  const texts = [members, nonMembers].map(({ role, file, tokens, lines }) => ({
    role,
    file,
    lines: lines.filter((_, i) => tokens[i]!.length >= prefix + suffix),
  }));
  const generated = await model.generate(prompts, { steps: suffix }, { texts });
  let at = 0;
  const results: SideResult[] = sides.map((texts, s) => {
    const side: SideResult = {
      texts: texts.length,
      skipped: (s === 0 ? members : nonMembers).tokens.length - texts.length,
      exact: 0,
      similarities: [],
    };
    for (const text of texts) {
      const truth = text.subarray(prefix, prefix + suffix);
      const output = generated[at++]!;
      if (output.every((v, i) => v === truth[i])) side.exact += 1;
      side.similarities.push(normalisedSimilarity(output, truth));
    }
    return side;
  });
  const [m, n] = results as [SideResult, SideResult];
  const memberRate = proportion(m.exact, m.texts, confidence);
  const nonMemberRate = proportion(n.exact, n.texts, confidence);
  const gap = differenceIndependent(m.exact, m.texts, n.exact, n.texts, confidence);
  const memberSimilarity = meanWithInterval(m.similarities, confidence);
  const nonMemberSimilarity = meanWithInterval(n.similarities, confidence);
  const notes: string[] = [];
  if (m.skipped + n.skipped > 0) {
    notes.push(
      `memorization: ${m.skipped} member and ${n.skipped} non-member texts are shorter than prefix + suffix = ${prefix + suffix} tokens and were skipped`,
    );
  }
  if (m.texts === 0 || n.texts === 0) {
    notes.push(
      `memorization: no ${m.texts === 0 ? 'member' : 'non-member'} text is at least ${prefix + suffix} tokens long, so the rates cannot be measured; lower prefix or suffix`,
    );
  }
  const attack: AttackMeasurement = {
    attack: 'memorization',
    description: `Greedy continuation of ${suffix} tokens after each text's first ${prefix} tokens; an exact match with the true continuation is an extraction (Carlini et al. 2021).`,
    metrics: {
      'extraction-rate': { value: memberRate.value, ci: memberRate.ci, k: m.exact, n: m.texts },
      'non-member-rate': { value: nonMemberRate.value, ci: nonMemberRate.ci, k: n.exact, n: n.texts },
      'extraction-gap': { value: gap.value, ci: gap.ci },
      'member-similarity': { value: memberSimilarity.value, ci: memberSimilarity.ci, n: memberSimilarity.n },
      'non-member-similarity': { value: nonMemberSimilarity.value, ci: nonMemberSimilarity.ci, n: nonMemberSimilarity.n },
    },
    details: {
      prefix,
      suffix,
      members: { texts: m.texts, skipped: m.skipped, exact: m.exact, similarityHistogram: histogram(m.similarities) },
      nonMembers: { texts: n.texts, skipped: n.skipped, exact: n.exact, similarityHistogram: histogram(n.similarities) },
    },
  };
  return { attack, notes };
}

function histogram(values: number[]): number[] {
  const bins = new Array<number>(BINS).fill(0);
  for (const v of values) bins[Math.min(BINS - 1, Math.floor(v * BINS))]! += 1;
  return bins;
}
