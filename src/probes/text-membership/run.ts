/**
 * Membership inference on a language model's texts: every member and non-member text is scored
 * once through the surface (per-token log-probabilities, μ_t and σ_t), each attack turns a
 * text's token scores into one number (src/metrics/text-membership.ts), and the member and
 * non-member numbers go through the membership probe's metrics, intervals and thresholds.
 *
 * Which tokens are scored: tokens 1 … n−1 of each text, each given the ones before it (the first
 * token has nothing to be predicted from). With a tokenizer that names a beginning-of-text id
 * the text is scored after it, so its first token counts too, as the model saw it in training
 * (a text that already starts with that id gets no second one).
 */
import { InputError, RuntimeFailure } from '../../errors';
import { checkRevealed, lossScore, minKPlusPlusScore, minKScore, referenceScore, zlibScore } from '../../metrics/text-membership';
import type { ObservedSequenceModel, TokenScores } from '../../model/sequence-types';
import type { TextMembershipAttack, TextMembershipSettings } from '../../policy/types';
import type { AttackMeasurement } from '../../result';
import type { TextTokenizer } from '../../text/tokenizer';
import { measureScoreSets } from '../membership-measurement';
import { overlapNote } from './overlap';
import type { ProbeMeasurement, SequenceProbeContext, TextData } from '../types';

/** Texts per scoring call: bounds the memory of one call whatever the data size. */
const TEXTS_PER_CALL = 256;

const PROBE = 'the text-membership probe';

function describe(attack: TextMembershipAttack, k: number): string {
  const percent = `${+(k * 100).toFixed(4)}%`;
  switch (attack) {
    case 'loss':
      return 'high mean token log-likelihood ⇒ member (Yeom et al. 2018; Carlini et al. 2021)';
    case 'zlib':
      return 'high mean token log-likelihood for the text’s zlib-compressed length ⇒ member (Carlini et al. 2021)';
    case 'min-k':
      return `high mean log-probability of the text’s ${percent} least likely tokens ⇒ member (Min-K% Prob, Shi et al. 2024)`;
    case 'min-k-plus-plus':
      return `high mean of the text’s ${percent} lowest token log-probabilities standardised by the model’s own next-token distribution ⇒ member (Min-K%++, Zhang et al. 2024)`;
    case 'reference':
      return 'high mean token log-likelihood relative to the reference model’s ⇒ member (Carlini et al. 2021; Mireshghallah et al. 2022)';
  }
}

/** The texts of one side that can be scored (two tokens or more), as the model reads them. */
interface Side {
  data: TextData;
  /** Index into data.tokens of each scored text. */
  kept: number[];
  sequences: Int32Array[];
}

export async function runTextMembership(ctx: SequenceProbeContext, settings: TextMembershipSettings): Promise<ProbeMeasurement> {
  const notes: string[] = [];
  const tokenizer = ctx.tokenizer ?? ctx.vocabulary;
  const bos = ctx.tokenizer?.bosId;
  const sides = [ctx.members, ctx.nonMembers].map((data) => prepare(data, bos));
  const [members, nonMembers] = sides as [Side, Side];
  for (const side of sides) {
    if (side.kept.length === 0) {
      throw new InputError(
        `none of the ${side.data.role} texts has two tokens or more, so none can be scored (the first token of a text has no prediction${bos === undefined ? '' : ' unless the tokenizer’s beginning-of-text token comes before it'}); give longer texts`,
        { file: side.data.file },
      );
    }
  }
  const overlap = overlapNote(ctx.members, ctx.nonMembers, settings.allowOverlap);
  if (overlap) notes.push(overlap);
  const skipped = sides.map((s) => s.data.tokens.length - s.kept.length);
  if (skipped[0]! + skipped[1]! > 0) {
    notes.push(
      `text-membership: ${skipped[0]} member and ${skipped[1]} non-member texts have fewer than two tokens and were not scored (the first token has no prediction)`,
    );
  }
  if (bos !== undefined) {
    notes.push(
      `text-membership: each text is scored after the tokenizer’s beginning-of-text token (id ${bos}), so its first token counts too`,
    );
  }

  const sequences = [...members.sequences, ...nonMembers.sequences];
  const texts = sides.map(({ data, kept }) => ({ role: data.role, file: data.file, lines: kept.map((i) => data.lines[i]!) }));
  const target = await scoreAll(ctx.model, sequences, texts, 'target model');
  const needsReference = settings.attacks.includes('reference');
  let reference: TokenScores[] | undefined;
  if (needsReference) {
    // The policy check requires model.reference-model for this attack, and the runner opens it.
    if (!ctx.reference) throw new RuntimeFailure('attack reference needs the reference model, but none was opened');
    reference = await scoreAll(ctx.reference, sequences, texts, 'reference model');
  }
  const needsText = settings.attacks.includes('zlib');
  // The policy check requires model.tokenizer for zlib.
  if (needsText && !tokenizer) throw new RuntimeFailure('attack zlib needs a tokenizer to turn token ids into text, but none was loaded');

  const attacks: AttackMeasurement[] = [];
  const split = members.sequences.length;
  for (const attack of settings.attacks) {
    const scores = new Float64Array(sequences.length);
    for (let i = 0; i < sequences.length; i++) {
      const side = i < split ? members : nonMembers;
      const original = side.data.tokens[side.kept[i < split ? i : i - split]!]!;
      scores[i] = textScore(attack, target[i]!, reference?.[i], settings.minK, () => (tokenizer as TextTokenizer).decode(original));
    }
    attacks.push(
      measureScoreSets(attack, describe(attack, settings.minK), scores.subarray(0, split), scores.subarray(split), {
        fpr: settings.fpr,
        confidence: ctx.confidence,
      }),
    );
  }
  if (ctx.model.surface.precision === 'float32') {
    notes.push(
      'text-membership: the surface reveals float32 probabilities (surface.precision): a token the model is all but sure of reads as probability 1 (log 0), so memorised texts tie at the top of the loss attacks',
    );
  }
  if (ctx.model.surface.decimals !== undefined) {
    notes.push(
      `text-membership: the surface rounds probabilities to ${ctx.model.surface.decimals} decimals; a token whose probability rounds to 0 gives its text a score of −∞, the least member-like`,
    );
  }
  if (needsReference) {
    notes.push(
      'text-membership: the reference model (model.reference-model) scored the same tokens through the same surface as the target.',
    );
    const auc = attacks.find((a) => a.attack === 'reference')?.metrics['auc'];
    if (auc && typeof auc.value === 'number' && auc.ci[1] < 0.5) {
      notes.push(
        `text-membership: reference reads below chance (AUC ${auc.value.toFixed(3)}, interval [${auc.ci[0].toFixed(3)}, ${auc.ci[1].toFixed(3)}] entirely under 0.5): the reference model fits the member texts better than the target does, so it is no outsider's model (it trained on them too); choose a reference model that never saw the members, such as the base model before fine-tuning`,
      );
    }
  }
  return { attacks, notes };
}

/** One text's score under one attack; `text` decodes the text only for zlib. */
function textScore(
  attack: TextMembershipAttack,
  scores: TokenScores,
  reference: TokenScores | undefined,
  k: number,
  text: () => string,
): number {
  switch (attack) {
    case 'loss':
      return lossScore(scores.logProbs);
    case 'zlib':
      return zlibScore(scores.logProbs, text());
    case 'min-k':
      return minKScore(scores.logProbs, k);
    case 'min-k-plus-plus':
      if (checkRevealed(scores.mean) >= 0 || checkRevealed(scores.std) >= 0) {
        // μ and σ need every score of the distribution; the policy check refuses rounded or partial surfaces.
        throw new RuntimeFailure(`${PROBE}: min-k-plus-plus needs μ and σ of every next-token distribution, but the surface hid them`);
      }
      return minKPlusPlusScore(scores, k);
    case 'reference':
      return referenceScore(scores.logProbs, reference!.logProbs);
  }
}

/** The texts with two tokens or more, after the beginning-of-text id when there is one. */
function prepare(data: TextData, bos: number | undefined): Side {
  const kept: number[] = [];
  const sequences: Int32Array[] = [];
  data.tokens.forEach((tokens, i) => {
    const sequence = bos !== undefined && tokens[0] !== bos ? withFirst(bos, tokens) : tokens;
    if (sequence.length < 2) return;
    kept.push(i);
    sequences.push(sequence);
  });
  return { data, kept, sequences };
}

function withFirst(first: number, tokens: Int32Array): Int32Array {
  const out = new Int32Array(tokens.length + 1);
  out[0] = first;
  out.set(tokens, 1);
  return out;
}

/**
 * Per-token scores of every sequence, in calls of TEXTS_PER_CALL. A hidden score (NaN: the
 * policy check lets no surface through that hides one) is refused, never read as a number.
 */
async function scoreAll(
  model: ObservedSequenceModel,
  sequences: Int32Array[],
  texts: Array<{ role: string; file: string; lines: number[] }>,
  which: string,
): Promise<TokenScores[]> {
  const out: TokenScores[] = [];
  for (let start = 0; start < sequences.length; start += TEXTS_PER_CALL) {
    const chunk = sequences.slice(start, start + TEXTS_PER_CALL);
    out.push(...(await model.score(chunk, { texts: sliceTexts(texts, start, chunk.length) })));
  }
  out.forEach((s, i) => {
    const hidden = checkRevealed(s.logProbs);
    if (hidden >= 0) {
      const { role, file, line } = locate(texts, i);
      throw new RuntimeFailure(
        `${PROBE}: the surface hid the ${which}'s probability of token ${hidden + 1} of line ${line} of ${file} (${role}); text membership needs every token's probability, which the policy check should have required (surface.scores: full)`,
      );
    }
  });
  return out;
}

/** The records of rows [start, start + count) of the members-then-non-members query. */
function sliceTexts(texts: Array<{ role: string; file: string; lines: number[] }>, start: number, count: number) {
  const out = [];
  let at = 0;
  for (const t of texts) {
    const from = Math.max(start, at);
    const to = Math.min(start + count, at + t.lines.length);
    if (from < to) out.push({ ...t, lines: t.lines.slice(from - at, to - at) });
    at += t.lines.length;
  }
  return out;
}

function locate(texts: Array<{ role: string; file: string; lines: number[] }>, row: number) {
  let at = row;
  for (const t of texts) {
    if (at < t.lines.length) return { role: t.role, file: t.file, line: t.lines[at]! };
    at -= t.lines.length;
  }
  return { role: '', file: '', line: 0 };
}
