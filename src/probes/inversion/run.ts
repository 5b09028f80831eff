/**
 * Class reconstruction (model inversion, MI-FACE; Fredrikson, Jha & Ristenpart 2015): for each
 * class c, descend on 1 − p_c(x) (+ λ·TV(x) for images) from a neutral start, with gradients
 * estimated from batched queries through the output surface, then score the result against the
 * class's training records. All classes are optimised together, one model call per step.
 */
import { InputError } from '../../errors';
import { minimise, type DescentResult } from '../../optim/descent';
import { centralDifferences, freeFeatures, naturalEvolution, type Box, type GradientEstimator } from '../../optim/gradient';
import { totalVariation } from '../../optim/total-variation';
import type { InversionSettings } from '../../policy/types';
import { rngFor } from '../../util/random';
import { featureBox } from '../feature-box';
import { Rasters, type Raster } from '../../result';
import { inversionLoss } from './objective';
import { centroidsOf, inversionMetrics, scoreClass, type Centroids, type ClassScore } from './score';
import type { ProbeContext, ProbeMeasurement } from '../types';

/**
 * `gradient: auto` uses central differences up to this many free features (2·256 + 1 = 513
 * queries per step, exact to O(h²)); above it NES, whose cost does not grow with the input.
 */
export const AUTO_CENTRAL_MAX_FEATURES = 256;

export async function runInversion(ctx: ProbeContext, settings: InversionSettings): Promise<ProbeMeasurement> {
  const d = ctx.model.featureCount;
  const classCount = ctx.model.classCount;
  checkImage(settings, d);
  const notes: string[] = [];
  const box = featureBox(ctx.members, ctx.nonMembers);
  const centroids = centroidsOf(ctx.members, ctx.nonMembers, classCount);
  const labels = classLabels(ctx, classCount);

  const targets = Int32Array.from({ length: classCount }, (_, c) => c).filter((c) => centroids.memberCounts[c]! > 0);
  const skipped = classCount - targets.length;
  if (skipped > 0)
    notes.push(`${skipped} of ${classCount} classes have no member records to compare a reconstruction with, and were not attacked.`);

  const start = settings.start === 'zeros' ? new Float64Array(d) : Float64Array.from(centroids.centre);
  const estimator = chooseEstimator(settings, box, ctx.seed);
  const { min, max } = valueRange(box);
  const prior =
    settings.image && settings.smoothness > 0 ? weighted(totalVariation(settings.image, min, max), settings.smoothness) : undefined;

  const results = await minimise(
    Array.from(targets, () => start),
    inversionLoss(ctx.model, targets),
    {
      box,
      estimator,
      stepSize: settings.stepSize,
      maxQueries: settings.maxQueries,
      patience: settings.patience,
      stopAt: 1 - settings.targetConfidence,
      ...(prior ? { prior } : {}),
    },
  );
  const clippedStart = clipTo(start, box);
  const scores = results.map((r, k) => scoreClass(targets[k]!, clippedStart, r.x, centroids));
  notes.push(...surfaceNotes(ctx, settings, results, estimator));
  notes.push(
    'Similarity is the cosine of mean-centred features (centre: the non-members’ mean); similarity gain = similarity of the reconstruction to the class’s member mean − that of the start. Identification: the most similar member class mean is the target class.',
    'The non-member figures are a reference: a reconstruction as close to the non-members’ class mean as to the members’ shows what the class looks like in general, not the training records in particular.',
  );

  return {
    attacks: [
      {
        attack: 'mi-face',
        description: `gradient descent on 1 − p_c${prior ? ' + λ·TV' : ''} with ${estimator.kind === 'central' ? 'central-difference' : 'NES'} gradients from queries (Fredrikson et al. 2015)`,
        metrics: inversionMetrics(scores, ctx.confidence),
        details: {
          gradient: estimator.kind,
          queriesPerStep: estimator.queriesPerStep,
          freeFeatures: freeFeatures(box).length,
          start: settings.start,
          similarity: 'centred-cosine',
          reconstructions: results.map((r, k) => perClass(r, scores[k]!, labels)),
          ...(settings.image ? { rasters: rasters(settings, results, scores, centroids, labels, { min, max }) } : {}),
        },
      },
    ],
    notes,
  };
}

function checkImage(settings: InversionSettings, d: number): void {
  const image = settings.image;
  if (!image) return;
  const size = image.height * image.width * image.channels;
  if (size !== d) {
    throw new InputError(
      `image is ${image.height}×${image.width}×${image.channels} = ${size} values, but the model takes ${d} features; give the shape of the model's input`,
      { ...image.source, field: 'probes.inversion.image' },
    );
  }
}

function valueRange(box: Box): { min: number; max: number } {
  return { min: Math.min(...box.lower), max: Math.max(...box.upper) };
}

function clipTo(x: Float64Array, box: Box): Float64Array {
  return x.map((v, j) => Math.min(box.upper[j]!, Math.max(box.lower[j]!, v)));
}

function chooseEstimator(settings: InversionSettings, box: Box, seed: number): GradientEstimator {
  const kind =
    settings.gradient === 'auto' ? (freeFeatures(box).length <= AUTO_CENTRAL_MAX_FEATURES ? 'central' : 'nes') : settings.gradient;
  return kind === 'central'
    ? centralDifferences(box, settings.differenceStep)
    : naturalEvolution(box, settings.differenceStep, settings.samples, rngFor(seed, 'inversion:nes'));
}

function weighted(prior: { value(x: ArrayLike<number>): number; gradient(x: ArrayLike<number>): Float64Array }, weight: number) {
  return {
    value: (x: ArrayLike<number>) => weight * prior.value(x),
    gradient: (x: ArrayLike<number>) => prior.gradient(x).map((g) => weight * g),
  };
}

/** Class index → label text, from the records (the model's own names for them). */
function classLabels(ctx: ProbeContext, classCount: number): string[] {
  const labels = Array.from({ length: classCount }, (_, c) => String(c));
  for (const data of [ctx.nonMembers, ctx.members]) {
    for (let r = 0; r < data.rows; r++) labels[data.classes[r]!] = data.labels[r]!;
  }
  return labels;
}

/** One flat row per class, so every report can show it as a table. */
function perClass(r: DescentResult, s: ClassScore, labels: string[]) {
  return {
    class: labels[s.classIndex]!,
    // null when the budget did not allow a single step (the start was never queried).
    startConfidence: r.steps > 0 ? 1 - r.startQueried : null,
    confidence: r.steps > 0 ? 1 - r.queried : null,
    steps: r.steps,
    queries: r.queries,
    stop: r.stop,
    memberSimilarity: s.member.reconstruction,
    similarityGain: s.member.gain,
    nearestMemberClass: labels[s.member.nearest] ?? null,
    nonMemberSimilarity: s.nonMember?.reconstruction ?? null,
    nonMemberSimilarityGain: s.nonMember?.gain ?? null,
    nearestNonMemberClass: s.nonMember ? (labels[s.nonMember.nearest] ?? null) : null,
  };
}

function rasters(
  settings: InversionSettings,
  results: DescentResult[],
  scores: ClassScore[],
  centroids: Centroids,
  labels: string[],
  range: { min: number; max: number },
): Rasters {
  const image = settings.image!;
  const shape = { height: image.height, width: image.width, channels: image.channels, layout: image.layout };
  const items: Raster[] = [];
  results.forEach((r, k) => {
    const c = scores[k]!.classIndex;
    const label = labels[c]!;
    items.push({
      ...shape,
      label,
      classIndex: c,
      kind: 'reconstruction',
      caption: `Reconstruction of class ${label}: ${r.steps > 0 ? `revealed p = ${(1 - r.queried).toFixed(3)}` : 'not queried'} after ${r.queries} queries; similarity to the member mean ${scores[k]!.member.reconstruction.toFixed(2)}`,
      pixels: r.x,
      range,
    });
    items.push({
      ...shape,
      label,
      classIndex: c,
      kind: 'member-mean',
      caption: `Mean of the ${centroids.memberCounts[c]} member records of class ${label}`,
      pixels: centroids.members[c]!,
      range,
    });
  });
  return new Rasters(items);
}

/** What the surface and the stopping did to the attack, in words a reviewer can act on. */
function surfaceNotes(ctx: ProbeContext, settings: InversionSettings, results: DescentResult[], estimator: GradientEstimator): string[] {
  const notes: string[] = [];
  const surface = ctx.model.surface;
  const flat = results.filter((r) => r.stop === 'flat').length;
  const unmoved = results.filter((r) => r.steps <= 1).length;
  if (surface.scores === 'label') {
    notes.push(
      `The surface reveals only the label, so p_c reads 1 or 0: its estimated gradient is zero almost everywhere and the descent cannot start (${unmoved} of ${results.length} classes stayed at the start). Class reconstruction through this surface is practically impossible; the figures measure the start, not a leak.`,
    );
  } else if (surface.scores === 'top-k') {
    notes.push(
      `The surface reveals only the top ${surface.topK} scores: where class c is not among them, p_c is read as the hidden mass spread evenly over the hidden classes, a flat and biased signal that weakens the attack.`,
    );
  }
  if (surface.decimals !== undefined) {
    notes.push(
      `Scores are rounded to ${surface.decimals} decimals, so the revealed score is flat between rounding boundaries: gradients were estimated over differences of ${settings.differenceStep} of each feature's range, which cross boundaries but blur the gradient. Rounding weakens this attack; it does not stop an attacker who adapts the step.`,
    );
  }
  if (flat > 0 && surface.scores !== 'label') {
    notes.push(
      `${flat} of ${results.length} classes stopped where the estimated gradient was exactly zero (a flat region of the revealed score: saturated at 0 or 1, hidden, or rounded).`,
    );
  }
  if (settings.maxQueries < estimator.queriesPerStep) {
    notes.push(
      `max-queries (${settings.maxQueries}) is below the cost of one step (${estimator.queriesPerStep} queries), so no class was attacked: the figures measure the start. Raise max-queries${estimator.kind === 'nes' ? ' or lower samples' : ''}.`,
    );
  }
  const budget = results.filter((r) => r.stop === 'budget').length;
  notes.push(
    `Gradients: ${estimator.kind === 'central' ? 'central differences' : `NES with ${settings.samples} antithetic directions`}, ${estimator.queriesPerStep} queries per class and step; ${budget} of ${results.length} classes used their budget of ${settings.maxQueries} queries.`,
  );
  return notes;
}
