/**
 * Membership inference: can an outsider tell a training record from a fresh one, using only
 * what the surface reveals? Runs each configured attack on the shared model outputs and
 * measures it overall and per class.
 */
import { membershipMetrics, rankingMetrics, type MembershipMetrics } from '../metrics/membership';
import type { MembershipAttack, MembershipSettings } from '../policy/types';
import type { MetricValue } from '../result';
import { rngFor } from '../util/random';
import {
  attackerProbabilities,
  gapScores,
  scoreAttack,
  stabilityScores,
  type ScoreAttack,
} from './membership-scores';
import type { AttackMeasurement, LabelledData, ProbeContext, ProbeDefinition, ProbeMeasurement } from './types';

const DESCRIPTIONS: Record<MembershipAttack, string> = {
  loss: 'low loss on the true label ⇒ member (Yeom et al. 2018)',
  confidence: 'high confidence in the true label ⇒ member (Salem et al. 2019)',
  entropy: 'low prediction entropy ⇒ member (Salem et al. 2019)',
  'modified-entropy': 'low modified entropy ⇒ member (Song & Mittal 2021)',
  gap: 'correctly classified ⇒ member (label only; Yeom et al. 2018)',
  'label-stability': 'label unchanged under input noise ⇒ member (label only; Choquette-Choo et al. 2021)',
};

/** Per-class results are reported only where both sets have this many records of the class. */
export const MIN_CLASS_ROWS = 10;

const DEFAULT_FPR = 0.01;

export const membershipProbe: ProbeDefinition<MembershipSettings> = {
  id: 'membership',
  description: 'Membership inference: tells training records from non-members using the model’s outputs',
  thresholds: (settings) => ({
    auc: settings.thresholds.auc,
    advantage: settings.thresholds.advantage,
    'tpr-at-fpr': settings.thresholds.tprAtFpr,
    'epsilon-lower-bound': settings.thresholds.epsilonLowerBound,
  }),
  run: runMembership,
};

async function runMembership(ctx: ProbeContext, settings: MembershipSettings): Promise<ProbeMeasurement> {
  const [memberObs, nonMemberObs] = await Promise.all([
    ctx.signals.observe(ctx.members),
    ctx.signals.observe(ctx.nonMembers),
  ]);
  const notes: string[] = [];
  const fpr = settings.thresholds.tprAtFpr?.fpr ?? DEFAULT_FPR;
  const attacks: AttackMeasurement[] = [];
  const surface = ctx.model.surface;
  if (surface.scores === 'top-k') {
    notes.push(
      `The surface reveals only the top ${surface.topK} scores; score attacks spread the hidden mass evenly over the hidden classes.`,
    );
  }
  if (surface.decimals !== undefined) notes.push(`Scores are rounded to ${surface.decimals} decimals, which creates ties.`);

  const memberP = memberObs.scores ? attackerProbabilities(memberObs) : undefined;
  const nonMemberP = nonMemberObs.scores ? attackerProbabilities(nonMemberObs) : undefined;

  for (const attack of settings.attacks) {
    let member: Float64Array;
    let nonMember: Float64Array;
    if (attack === 'gap') {
      member = gapScores(memberObs, ctx.members.classes);
      nonMember = gapScores(nonMemberObs, ctx.nonMembers.classes);
    } else if (attack === 'label-stability') {
      [member, nonMember] = await stability(ctx, settings, memberObs, nonMemberObs);
    } else {
      // The policy validator rejects score attacks on a label-only surface.
      member = scoreAttack(attack as ScoreAttack, memberP!, memberObs.classCount, ctx.members.classes);
      nonMember = scoreAttack(attack as ScoreAttack, nonMemberP!, nonMemberObs.classCount, ctx.nonMembers.classes);
    }
    attacks.push(measureAttack(attack, member, nonMember, ctx, fpr));
  }
  if (settings.attacks.includes('gap')) {
    notes.push('The gap attack has two score levels, so its ROC curve has a single interior point.');
  }
  return { attacks, notes };
}

function measureAttack(
  attack: MembershipAttack,
  member: Float64Array,
  nonMember: Float64Array,
  ctx: ProbeContext,
  fpr: number,
): AttackMeasurement {
  const options = { fpr, confidence: ctx.confidence };
  const overall = membershipMetrics(member, nonMember, options);
  const perClass = perClassMetrics(member, nonMember, ctx);
  const worst = perClass.reduce<(typeof perClass)[number] | undefined>(
    (w, c) => (w === undefined || (c.auc.value ?? 0) > (w.auc.value ?? 0) ? c : w),
    undefined,
  );
  return {
    attack,
    description: DESCRIPTIONS[attack],
    metrics: metricValues(overall),
    details: {
      roc: overall.rocPoints,
      histogram: histogram(member, nonMember, 30),
      perClass: perClass.map((c) => ({ class: c.class, members: c.members, nonMembers: c.nonMembers, auc: c.auc, advantage: c.advantage })),
      worstClass: worst ? { class: worst.class, auc: worst.auc } : null,
    },
  };
}

function metricValues(m: MembershipMetrics): Record<string, MetricValue> {
  return {
    auc: { value: m.auc.value, ci: m.auc.ci },
    advantage: { value: m.advantage.value, ci: m.advantage.ci, threshold: m.advantage.threshold },
    'tpr-at-fpr': {
      value: m.tprAtFpr.value,
      ci: m.tprAtFpr.ci,
      fpr: m.tprAtFpr.fpr,
      achievedFpr: m.tprAtFpr.achievedFpr,
      threshold: m.tprAtFpr.threshold,
    },
    ppv: { value: m.ppv.value, ci: m.ppv.ci, threshold: m.ppv.threshold },
    'epsilon-lower-bound': {
      value: m.epsilonLowerBound.value,
      ci: m.epsilonLowerBound.ci,
      thresholdsTried: m.epsilonLowerBound.thresholdsTried,
    },
  };
}

function perClassMetrics(
  member: Float64Array,
  nonMember: Float64Array,
  { members, nonMembers, model, confidence }: ProbeContext,
) {
  const memberRows = rowsByClass(members.classes, model.classCount);
  const nonMemberRows = rowsByClass(nonMembers.classes, model.classCount);
  const out = [];
  for (let c = 0; c < model.classCount; c++) {
    const m = memberRows[c]!;
    const n = nonMemberRows[c]!;
    if (m.length < MIN_CLASS_ROWS || n.length < MIN_CLASS_ROWS) continue;
    const metrics = rankingMetrics(gather(member, m), gather(nonMember, n), confidence);
    out.push({ class: c, members: m.length, nonMembers: n.length, auc: metrics.auc, advantage: metrics.advantage });
  }
  return out;
}

/** Row indices of each class, in one pass. */
function rowsByClass(classes: Int32Array, classCount: number): Uint32Array[] {
  const counts = new Uint32Array(classCount);
  for (const c of classes) counts[c]!++;
  const rows = Array.from(counts, (n) => new Uint32Array(n));
  counts.fill(0);
  classes.forEach((c, i) => (rows[c]![counts[c]!++] = i));
  return rows;
}

function gather(values: Float64Array, rows: Uint32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

/** Equal-width bins over the pooled range; enough for a report's histogram. */
export function histogram(member: Float64Array, nonMember: Float64Array, bins: number) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of member) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  for (const v of nonMember) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const width = hi > lo ? (hi - lo) / bins : 1;
  const count = (values: Float64Array) => {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
    return counts;
  };
  return { min: lo, max: hi, bins, members: count(member), nonMembers: count(nonMember) };
}

/** Queries `copies` noisy versions of every record in one batched call per set. */
async function stability(
  ctx: ProbeContext,
  settings: MembershipSettings,
  memberObs: { labels: Int32Array; rows: number; classCount: number },
  nonMemberObs: { labels: Int32Array; rows: number; classCount: number },
): Promise<[Float64Array, Float64Array]> {
  const copies = settings.stability.queries;
  const range = featureRanges(ctx.members, ctx.nonMembers);
  const rng = rngFor(ctx.seed, 'membership:label-stability');
  const scoresFor = async (data: LabelledData, obs: typeof memberObs) => {
    const f = data.features.length;
    const noisy = new Float32Array(data.rows * copies * f);
    for (let r = 0; r < data.rows; r++) {
      for (let q = 0; q < copies; q++) {
        const base = (r * copies + q) * f;
        for (let j = 0; j < f; j++) {
          const v = data.x[r * f + j]! + rng.normal() * settings.stability.noise * (range.max[j]! - range.min[j]!);
          noisy[base + j] = Math.min(range.max[j]!, Math.max(range.min[j]!, v));
        }
      }
    }
    const noisyObs = await ctx.model.query(noisy, data.rows * copies);
    return stabilityScores({ ...obs, scores: undefined }, noisyObs.labels, copies, data.classes);
  };
  return [await scoresFor(ctx.members, memberObs), await scoresFor(ctx.nonMembers, nonMemberObs)];
}

/** Per-feature range over every record the attacker targets; noise is scaled by it and clipped to it. */
function featureRanges(a: LabelledData, b: LabelledData) {
  const f = a.features.length;
  const min = new Float64Array(f).fill(Infinity);
  const max = new Float64Array(f).fill(-Infinity);
  for (const d of [a, b]) {
    for (let i = 0; i < d.x.length; i++) {
      const j = i % f;
      min[j] = Math.min(min[j]!, d.x[i]!);
      max[j] = Math.max(max[j]!, d.x[i]!);
    }
  }
  return { min, max };
}
