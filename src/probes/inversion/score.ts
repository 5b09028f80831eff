/**
 * Scores each class's reconstruction against the records of that class (see
 * src/metrics/inversion.ts for the similarity): against the members' class means (the leak the
 * thresholds judge) and, as a reference, against the non-members' class means. When the two
 * agree, the reconstruction shows what the class looks like in general, which any useful model
 * has to learn; the member figures matter most where a class is one person (a face recogniser).
 */
import { centredCosine, classMeans, identificationRate, meanWithInterval, nearestCentroid, overallMean } from '../../metrics/inversion';
import type { MetricValue } from '../../result';
import type { LabelledData } from '../types';

/** The reference means a reconstruction is scored against. */
export interface Centroids {
  /** Non-member mean: the centre of the cosine (and the auxiliary-mean start). */
  centre: Float64Array;
  members: Array<Float64Array | undefined>;
  nonMembers: Array<Float64Array | undefined>;
  memberCounts: Int32Array;
}

export function centroidsOf(members: LabelledData, nonMembers: LabelledData, classCount: number): Centroids {
  const d = members.features.length;
  const memberCounts = new Int32Array(classCount);
  for (const c of members.classes) memberCounts[c]!++;
  return {
    centre: overallMean(nonMembers.x, nonMembers.rows, d),
    members: classMeans(members.x, members.classes, d, classCount),
    nonMembers: classMeans(nonMembers.x, nonMembers.classes, d, classCount),
    memberCounts,
  };
}

export interface ClassScore {
  classIndex: number;
  /** Similarity to the class's member mean: of the start, of the reconstruction, and the gain. */
  member: { start: number; reconstruction: number; gain: number; nearest: number };
  /** The same against the non-members' means; null when the class has no non-members. */
  nonMember: { start: number; reconstruction: number; gain: number; nearest: number } | null;
}

export function scoreClass(classIndex: number, start: Float64Array, reconstruction: Float64Array, c: Centroids): ClassScore {
  const against = (means: Array<Float64Array | undefined>) => {
    const target = means[classIndex];
    if (!target) return null;
    const s0 = centredCosine(start, target, c.centre);
    const s1 = centredCosine(reconstruction, target, c.centre);
    return { start: s0, reconstruction: s1, gain: s1 - s0, nearest: nearestCentroid(reconstruction, means, c.centre) };
  };
  return { classIndex, member: against(c.members)!, nonMember: against(c.nonMembers) };
}

/** Metric id → value: the two thresholded metrics on members, and the non-member reference. */
export function inversionMetrics(scores: ClassScore[], confidence: number): Record<string, MetricValue> {
  const GAIN_RANGE: [number, number] = [-2, 2];
  const id = identificationRate(
    scores.map((s) => s.member.nearest === s.classIndex),
    confidence,
  );
  const gain = meanWithInterval(
    scores.map((s) => s.member.gain),
    confidence,
    GAIN_RANGE,
  );
  const withNon = scores.filter((s) => s.nonMember !== null);
  const nid = identificationRate(
    withNon.map((s) => s.nonMember!.nearest === s.classIndex),
    confidence,
  );
  const ngain = meanWithInterval(
    withNon.map((s) => s.nonMember!.gain),
    confidence,
    GAIN_RANGE,
  );
  return {
    'identification-rate': { value: id.value, ci: id.ci, identified: id.successes, classes: id.trials },
    'similarity-gain': { value: gain.value, ci: gain.ci, classes: gain.n },
    'non-member-identification-rate': { value: nid.value, ci: nid.ci, identified: nid.successes, classes: nid.trials },
    'non-member-similarity-gain': { value: ngain.value, ci: ngain.ci, classes: ngain.n },
  };
}
