/**
 * Training-data extraction from sequence models: four attacks, one probe.
 * - canary-exposure (Carlini et al. 2019, "The Secret Sharer"): how far up the model ranks each
 *   inserted secret among every filling of its format; `max-exposure` is the worst inserted one.
 * - memorization (Carlini et al. 2021): greedy continuation of member vs non-member prefixes.
 * - secret-scan (Carlini et al. 2021): sampled generations scanned for secret-like strings that
 *   occur verbatim in the member data.
 * - generation (Carlini et al. 2021): sampled generations ranked by perplexity, zlib ratio and
 *   the reference-model ratio; those holding member text (not common text) are extracted.
 * Secrets never leave this probe unredacted: the report shows "2••••3", never "281943".
 */
import { InputError, RuntimeFailure } from '../../errors';
import type { CanarySettings, ExtractionSettings } from '../../policy/types';
import { parseCanaryFormat, positionsOf, redactedCanary, type CanaryFormat } from '../../text/canary';
import { redact } from '../../text/redact';
import type { TextTokenizer } from '../../text/tokenizer';
import type { Vocabulary } from '../../text/vocab';
import { rngFor } from '../../util/random';
import { formatExposures, type ExposureResult, type TokenisedFormat } from './exposure';
import { subwordExposures } from './subword-exposure';
import { generationAttack, promptIds } from './generation';
import { memorisationAttack } from './memorisation';
import { secretScanAttack } from './scan';
import type { AttackMeasurement, CanaryRow, CanaryWalk } from '../../result';
import type { ProbeMeasurement, SequenceProbeContext } from '../types';

/** Rows per model call in the exposure walk: large batches amortise onnxruntime's per-call cost. */
const WALK_BATCH = 4096;
/** Candidate continuations per call on the subword path (the adapter forks the prefix's cache across them). */
const CONTINUATION_BATCH = 4096;
/** Default exact limit on the subword path: each candidate is tokenised and scored whole, so 10^6 (not 10^7). */
export const SUBWORD_EXACT_LIMIT = 1_000_000;

export async function runExtraction(ctx: SequenceProbeContext, settings: ExtractionSettings): Promise<ProbeMeasurement> {
  const attacks: AttackMeasurement[] = [];
  const notes: string[] = [];
  if (ctx.model.surface.precision === 'float32') {
    notes.push('the surface reveals float32 probabilities (surface.precision): exposure is measured on the rounded values');
  }
  if (ctx.model.surface.decimals !== undefined) {
    notes.push(
      `the surface rounds probabilities to ${ctx.model.surface.decimals} decimals: exposure is measured on the rounded values (a probability rounded to 0 ranks last)`,
    );
  }
  if (settings.canaries.length > 0) {
    const canaries = await canaryAttack(ctx, settings);
    attacks.push(canaries.attack);
    notes.push(...canaries.notes);
  }
  if (settings.memorization) {
    const memorisation = await memorisationAttack(ctx.model, ctx.members, ctx.nonMembers, settings.memorization, ctx.confidence);
    attacks.push(memorisation.attack);
    notes.push(...memorisation.notes);
  }
  if (settings.secretScan) {
    const tokenizer = needTokenizer(ctx, 'the secret scan');
    const prompts = settings.secretScan.prompts.map((p) => promptIds(p, tokenizer, 'probes.extraction.secret-scan.prompts'));
    attacks.push(
      await secretScanAttack(
        ctx.model,
        tokenizer,
        prompts,
        settings.secretScan,
        ctx.members.corpus,
        rngFor(ctx.seed, 'extraction/secret-scan'),
      ),
    );
  }
  if (settings.generation) {
    const generation = await generationAttack(ctx, settings.generation, needTokenizer(ctx, 'generation extraction'));
    attacks.push(generation.attack);
    notes.push(...generation.notes);
  }
  return { attacks, notes };
}

async function canaryAttack(
  ctx: SequenceProbeContext,
  settings: ExtractionSettings,
): Promise<{ attack: AttackMeasurement; notes: string[] }> {
  // A tokenizer.json tokenises candidates differently: whole texts are scored (subword-exposure.ts).
  const subword = ctx.tokenizer?.kind === 'tokenizer.json' ? ctx.tokenizer : undefined;
  const vocabulary = subword ? undefined : needVocabulary(ctx, 'canaries');
  const exactLimit = subword ? (settings.exposure.policyExactLimit ?? SUBWORD_EXACT_LIMIT) : settings.exposure.exactLimit;
  const rows: CanaryRow[] = [];
  const walks: CanaryWalk[] = [];
  const notes: string[] = [];
  for (const [i, canary] of settings.canaries.entries()) {
    const format = parseCanaryFormat(canary.format);
    if ('error' in format)
      throw new RuntimeFailure(`canary format ${i + 1} was accepted by the policy check but does not parse: ${format.error}`);
    const secrets = [...canary.inserted, ...canary.controls];
    const rng = rngFor(ctx.seed, `extraction/canary/${i}`);
    let measured: { results: ExposureResult[]; stats: CanaryWalk };
    if (subword) {
      const origin = {
        file: canary.source.file,
        line: canary.source.line,
        field: 'probes.extraction.canaries.format',
        what: 'the canary format',
      };
      const { results, stats } = await subwordExposures(
        ctx.model,
        subword,
        format,
        secrets,
        { exactLimit, samples: settings.exposure.samples, batch: CONTINUATION_BATCH, confidence: ctx.confidence, rng },
        origin,
      );
      measured = { results, stats: { format: canary.format, spaceSize: format.spaceSize, ...stats, tokens: 'subword' } };
      notes.push(
        `canary-exposure: "${canary.format}" is tokenised by ${subword.source} (subword tokens): ${stats.scored.toLocaleString('en-US')} candidate texts were each tokenised whole and scored by their full likelihood${stats.estimated ? '' : ' (every candidate: exact rank)'}`,
      );
    } else {
      const tokenised = tokeniseFormat(format, vocabulary!, canary);
      const secretTokens = secrets.map((s) => secretPositions(format, s, vocabulary!));
      const { results, stats } = await formatExposures(ctx.model, tokenised, secretTokens, {
        exactLimit,
        samples: settings.exposure.samples,
        batchRows: WALK_BATCH,
        confidence: ctx.confidence,
        rng,
      });
      measured = { results, stats: { format: canary.format, spaceSize: format.spaceSize, ...stats } };
    }
    measured.results.forEach((r: ExposureResult, j) => {
      rows.push({
        format: canary.format,
        canary: redactedCanary(format, redact(secrets[j]!)),
        kind: j < canary.inserted.length ? 'inserted' : 'control',
        exposure: r.exposure,
        ci: r.ci,
        rank: r.rank,
        spaceBits: format.spaceBits,
        estimated: r.estimated,
        logPerplexity: r.logPerplexity,
      });
    });
    walks.push(measured.stats);
    if (measured.stats.estimated) {
      notes.push(
        `canary-exposure: the space of "${canary.format}" has ${format.spaceSize.toExponential(2)} candidates, above exposure.exact-limit (${exactLimit}); its exposures are ESTIMATED from ${settings.exposure.samples} sampled candidates with a fitted skew-normal (Carlini et al. 2019, §4.3); the interval is the sample's distribution-free Clopper–Pearson bound`,
      );
    }
  }
  const inserted = rows.filter((r) => r.kind === 'inserted');
  const controls = rows.filter((r) => r.kind === 'control');
  const worst = (list: CanaryRow[]) => list.reduce((a, b) => (b.exposure > a.exposure ? b : a));
  const top = worst(inserted);
  const metrics: AttackMeasurement['metrics'] = {
    'max-exposure': {
      value: top.exposure,
      // The interval of a maximum: the largest lower and the largest upper bound.
      ci: [Math.max(...inserted.map((r) => r.ci[0])), Math.max(...inserted.map((r) => r.ci[1]))],
      canary: top.canary,
      rank: top.rank,
      spaceBits: top.spaceBits,
      estimated: inserted.some((r) => r.estimated),
    },
  };
  if (controls.length > 0) {
    const c = worst(controls);
    metrics['control-exposure'] = {
      value: c.exposure,
      ci: [Math.max(...controls.map((r) => r.ci[0])), Math.max(...controls.map((r) => r.ci[1]))],
      canary: c.canary,
      estimated: controls.some((r) => r.estimated),
    };
  }
  return {
    attack: {
      attack: 'canary-exposure',
      description:
        'Exposure of each inserted canary: log2|R| − log2 rank, its rank by likelihood among every filling of its format (Carlini et al. 2019). About 1 bit is chance; log2|R| means the model ranks the secret first. Controls were never inserted.',
      metrics,
      details: { canaries: rows, walks },
    },
    notes,
  };
}

function needTokenizer(ctx: SequenceProbeContext, what: string): TextTokenizer {
  // The policy check requires model.tokenizer for canaries and the secret scan, so this is a bug if reached.
  // A context with only the character vocabulary (built before tokenizers existed) still works.
  const tokenizer = ctx.tokenizer ?? ctx.vocabulary;
  if (!tokenizer)
    throw new RuntimeFailure(
      `${what} need${what.endsWith('s') ? '' : 's'} a tokenizer to turn text into token ids, and the policy check let model.tokenizer be missing`,
    );
  return tokenizer;
}

/** The character vocabulary the canary walk enumerates, one token per character. */
function needVocabulary(ctx: SequenceProbeContext, what: string): Vocabulary {
  // The policy check requires model.tokenizer for canaries and the secret scan, so this is a bug if reached.
  if (!ctx.vocabulary)
    throw new RuntimeFailure(
      `${what} need${what.endsWith('s') ? '' : 's'} a vocabulary to turn text into token ids, and the policy check let model.tokenizer be missing`,
    );
  return ctx.vocabulary;
}

/** The format in token ids: literal text up to the first slot is the prefix; then one choice list per position. */
export function tokeniseFormat(
  format: CanaryFormat,
  vocabulary: Vocabulary,
  canary: Pick<CanarySettings, 'format' | 'source'>,
): TokenisedFormat {
  const positions = positionsOf(format);
  const firstSlot = positions.findIndex((p) => 'choices' in p);
  const origin = {
    file: canary.source.file,
    line: canary.source.line,
    field: 'probes.extraction.canaries.format',
    what: 'the canary format',
  };
  const prefixText = positions
    .slice(0, firstSlot)
    .map((p) => (p as { fixed: string }).fixed)
    .join('');
  const prefix = vocabulary.encode(prefixText, origin);
  const choices = positions.slice(firstSlot).map((p) => {
    const chars = 'fixed' in p ? p.fixed : p.choices;
    return Int32Array.from([...chars], (char) => {
      const id = vocabulary.idOf(char);
      if (id === undefined) {
        throw new InputError(
          `the vocabulary (${vocabulary.source}) has no token for ${JSON.stringify(char)}, which canary format "${canary.format}" needs${'choices' in p ? ' in its secret slot' : ''}; every character a candidate can hold must be a token`,
          { file: canary.source.file, line: canary.source.line, column: canary.source.column, field: 'probes.extraction.canaries.format' },
        );
      }
      return id;
    });
  });
  return { prefix, positions: choices, spaceBits: format.spaceBits, spaceSize: format.spaceSize };
}

/** The token ids of a filled canary from its first slot on. */
function secretPositions(format: CanaryFormat, secret: string, vocabulary: Vocabulary): Int32Array {
  const positions = positionsOf(format);
  const firstSlot = positions.findIndex((p) => 'choices' in p);
  const chars = [...secret];
  let k = 0;
  return Int32Array.from(positions.slice(firstSlot), (p) => vocabulary.idOf('fixed' in p ? p.fixed : chars[k++]!)!);
}
