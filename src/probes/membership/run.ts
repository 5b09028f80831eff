/**
 * Membership inference: can an outsider tell a training record from a fresh one, using only
 * what the surface reveals? Runs each configured attack on the shared model outputs and
 * measures it overall and per class.
 */
import { membershipMetricsFromTable, rankingMetricsFromTable } from '../../metrics/membership';
import { buildClassTables, type ClassTables } from '../../metrics/table';
import type { MembershipAttack, MembershipSettings } from '../../policy/types';
import { RECIPE_LEVEL_SUFFIX, type AttackMeasurement } from '../../result';
import { RuntimeFailure } from '../../errors';
import { rngFor } from '../../util/random';
import { featureBox } from '../feature-box';
import { attackerScores } from '../attacker-view';
import { histogram, membershipMetricValues } from '../membership-measurement';
import { gapScores, saturatedRows, scoreAttack, stabilityScores, type ScoreAttack } from './scores';
import { recipeLevel, referenceInputs, referenceScores, type ReferenceInputs } from './reference';
import { isReferenceAttack } from './settings';
import type { Observation } from '../../model/types';
import type { LabelledData, ProbeContext, ProbeMeasurement } from '../types';
import { compareWithReleased } from './compare';

const DESCRIPTIONS: Record<MembershipAttack, string> = {
  loss: 'low loss on the true label ⇒ member (Yeom et al. 2018)',
  confidence: 'high confidence in the true label ⇒ member (Salem et al. 2019)',
  entropy: 'low prediction entropy ⇒ member (Salem et al. 2019)',
  'modified-entropy': 'low modified entropy ⇒ member (Song & Mittal 2021)',
  gap: 'correctly classified ⇒ member (label only; Yeom et al. 2018)',
  'label-stability': 'label unchanged under input noise ⇒ member (label only; Choquette-Choo et al. 2021)',
  lira: 'the target’s confidence fits the reference models that trained on the record better than those that did not (LiRA online, Carlini et al. 2022)',
  'lira-offline':
    'the target’s confidence is above what reference models that never saw the record give (LiRA offline, Carlini et al. 2022)',
  rmia: 'the record’s likelihood ratio against the reference models beats that of most population records (RMIA offline, Zarifzadeh et al. 2024)',
};

/** Per-class results are reported only where both sets have this many records of the class. */
export const MIN_CLASS_ROWS = 10;

const DEFAULT_FPR = 0.01;

export async function runMembership(ctx: ProbeContext, settings: MembershipSettings): Promise<ProbeMeasurement> {
  const [memberObs, nonMemberObs] = await Promise.all([ctx.signals.observe(ctx.members), ctx.signals.observe(ctx.nonMembers)]);
  const notes: string[] = [];
  const fpr = settings.thresholds['tpr-at-fpr']?.fpr ?? DEFAULT_FPR;
  const attacks: AttackMeasurement[] = [];
  const surface = ctx.model.surface;
  if (surface.scores === 'top-k') {
    notes.push(
      `The surface reveals only the top ${surface.topK} scores; score attacks spread the hidden mass evenly over the hidden classes.`,
    );
  }
  if (surface.decimals !== undefined) notes.push(`Scores are rounded to ${surface.decimals} decimals, which creates ties.`);
  if (surface.precision === 'float32') {
    notes.push('Scores are revealed as float32 probabilities (surface.precision), so the most confident rows round to 1 and tie.');
  }

  const { scored, reference } = await scoreAttacks(ctx, settings, memberObs, nonMemberObs);
  for (const { attack, member, nonMember, saturated } of scored) {
    const measured = measureAttack(attack, member, nonMember, ctx, fpr);
    if (saturated) measured.details = { ...measured.details, saturated };
    attacks.push(measured);
  }
  if (ctx.baseline) {
    // The released model: the same records, seed, surface and attacks; each attack is compared record by record.
    const releasedCtx: ProbeContext = { ...ctx, model: ctx.baseline.model, signals: ctx.baseline.signals };
    const [m, n] = await Promise.all([releasedCtx.signals.observe(ctx.members), releasedCtx.signals.observe(ctx.nonMembers)]);
    const released = await scoreAttacks(releasedCtx, settings, m, n);
    scored.forEach((candidate, i) => compareWithReleased(attacks[i]!, candidate, released.scored[i]!, { fpr, confidence: ctx.confidence }));
    notes.push(
      'Compared with the released model (baseline.model) on the same records, seed, surface and attacks: each increase is candidate − released; AUC with the paired DeLong interval, TPR with the paired Newcombe interval (each model’s threshold at its own FPR), advantage with the two DKW bands combined, the ε lower bound as a point difference without interval.',
    );
  }
  if (reference && settings.recipeLevel) {
    for (const attack of settings.attacks.filter(isReferenceAttack)) {
      const pooled = recipeLevel(attack, reference, ctx);
      const measured = measureScores(
        `${attack}${RECIPE_LEVEL_SUFFIX}`,
        `recipe level: ${DESCRIPTIONS[attack]}, with each of the ${reference.refs.models} reference models playing the target in turn against the others (scores pooled)`,
        pooled,
        ctx,
        fpr,
      );
      attacks.push(measured);
      const auc = measured.metrics['auc'];
      if (auc && typeof auc.value === 'number' && auc.ci[1] < 0.5) {
        // Not a swapped data file (these memberships come from the memberships file): the attack itself misreads the recipe.
        notes.push(
          `${attack} at recipe level reads below chance (AUC ${auc.value.toFixed(3)}, interval [${auc.ci[0].toFixed(3)}, ${auc.ci[1].toFixed(3)}] entirely under 0.5): the attack does not fit this training recipe (typically query augmentations the recipe does not train with) or the memberships file is inverted; its pass says little about this recipe.`,
        );
      }
    }
  }
  if (reference) {
    const a = reference.target.augmentations;
    notes.push(
      `Reference-model attacks used ${reference.refs.models} reference models queried through the same surface${a > 1 ? `, ${a} queries per record (the record and its 8 one-pixel shifts)` : ''}; ${reference.population ? `RMIA's population is the ${reference.population.target.records} records of the population file, taken as OUT for every reference model` : "RMIA's population is the audited records themselves, with their memberships"}.`,
    );
  }
  if (settings.attacks.includes('gap')) {
    notes.push('The gap attack has two score levels, so its ROC curve has a single interior point.');
  }
  return { attacks, notes };
}

interface ScoredAttack {
  attack: MembershipAttack;
  member: Float64Array;
  nonMember: Float64Array;
  /** Score attacks: the rows whose revealed p_y is exactly 1, when there are any. */
  saturated?: { members: number; nonMembers: number };
}

/** Each configured attack's scores for the members and non-members, in the policy's order. */
async function scoreAttacks(
  ctx: ProbeContext,
  settings: MembershipSettings,
  memberObs: Observation,
  nonMemberObs: Observation,
): Promise<{ scored: ScoredAttack[]; reference?: ReferenceInputs }> {
  const memberP = memberObs.scores ? attackerScores(memberObs) : undefined;
  const nonMemberP = nonMemberObs.scores ? attackerScores(nonMemberObs) : undefined;
  const scored: ScoredAttack[] = [];
  // Rows whose revealed p_y is exactly 1: every score attack ties them at its top (float32 saturation).
  const saturated =
    memberP && nonMemberP
      ? {
          members: saturatedRows(memberP, memberObs.classCount, ctx.members.classes),
          nonMembers: saturatedRows(nonMemberP, nonMemberObs.classCount, ctx.nonMembers.classes),
        }
      : undefined;
  let reference: ReferenceInputs | undefined;
  for (const attack of settings.attacks) {
    let member: Float64Array;
    let nonMember: Float64Array;
    if (isReferenceAttack(attack)) {
      // The policy validator requires reference-models for these attacks; the runner opens them.
      if (!ctx.references) throw new RuntimeFailure(`attack ${attack} needs reference models, but none were opened`);
      reference ??= await referenceInputs(ctx, ctx.references, settings);
      const scores = referenceScores(attack, reference);
      member = scores.subarray(0, ctx.members.rows);
      nonMember = scores.subarray(ctx.members.rows);
    } else if (attack === 'gap') {
      member = gapScores(memberObs, ctx.members.classes);
      nonMember = gapScores(nonMemberObs, ctx.nonMembers.classes);
    } else if (attack === 'label-stability') {
      [member, nonMember] = await stability(ctx, settings, memberObs, nonMemberObs);
    } else {
      // The policy validator rejects score attacks on a label-only surface.
      member = scoreAttack(attack as ScoreAttack, memberP!, memberObs.classCount, ctx.members.classes);
      nonMember = scoreAttack(attack as ScoreAttack, nonMemberP!, nonMemberObs.classCount, ctx.nonMembers.classes);
      if (saturated && saturated.members + saturated.nonMembers > 0) {
        scored.push({ attack, member, nonMember, saturated });
        continue;
      }
    }
    scored.push({ attack, member, nonMember });
  }
  return { scored, ...(reference ? { reference } : {}) };
}

function measureAttack(
  attack: MembershipAttack,
  member: Float64Array,
  nonMember: Float64Array,
  ctx: ProbeContext,
  fpr: number,
): AttackMeasurement {
  return measureScores(
    attack,
    DESCRIPTIONS[attack],
    { member, memberClasses: ctx.members.classes, nonMember, nonMemberClasses: ctx.nonMembers.classes },
    ctx,
    fpr,
  );
}

/** Scores of members and non-members, with each record's class. */
interface LabelledScores {
  member: Float64Array;
  memberClasses: Int32Array;
  nonMember: Float64Array;
  nonMemberClasses: Int32Array;
}

function measureScores(
  attack: string,
  description: string,
  { member, memberClasses, nonMember, nonMemberClasses }: LabelledScores,
  ctx: ProbeContext,
  fpr: number,
): AttackMeasurement {
  const options = { fpr, confidence: ctx.confidence };
  // One sort per side serves the overall metrics and every class's.
  const tables = buildClassTables(member, memberClasses, nonMember, nonMemberClasses, ctx.model.classCount);
  const overall = membershipMetricsFromTable(tables.all, options);
  const perClass = perClassMetrics(tables, ctx.confidence);
  const worst = perClass.reduce<(typeof perClass)[number] | undefined>(
    (w, c) => (w === undefined || (c.auc.value ?? 0) > (w.auc.value ?? 0) ? c : w),
    undefined,
  );
  return {
    attack,
    description,
    metrics: membershipMetricValues(overall),
    details: {
      roc: overall.rocPoints,
      histogram: histogram(member, nonMember, 30),
      perClass: perClass.map((c) => ({ class: c.class, members: c.members, nonMembers: c.nonMembers, auc: c.auc, advantage: c.advantage })),
      worstClass: worst ? { class: worst.class, auc: worst.auc } : null,
      ...(overall.topTie.members + overall.topTie.nonMembers > 1 ? { topTie: overall.topTie } : {}),
    },
  };
}

function perClassMetrics({ byClass }: ClassTables, confidence: number) {
  const out = [];
  for (let c = 0; c < byClass.length; c++) {
    const table = byClass[c];
    if (!table || table.members < MIN_CLASS_ROWS || table.nonMembers < MIN_CLASS_ROWS) continue;
    const metrics = rankingMetricsFromTable(table, confidence);
    out.push({ class: c, members: table.members, nonMembers: table.nonMembers, auc: metrics.auc, advantage: metrics.advantage });
  }
  return out;
}

/** Queries `copies` noisy versions of every record in one batched call per set. */
async function stability(
  ctx: ProbeContext,
  settings: MembershipSettings,
  memberObs: { labels: Int32Array; rows: number; classCount: number },
  nonMemberObs: { labels: Int32Array; rows: number; classCount: number },
): Promise<[Float64Array, Float64Array]> {
  const copies = settings.stability.queries;
  const { lower, upper } = featureBox(ctx.members, ctx.nonMembers);
  const rng = rngFor(ctx.seed, 'membership:label-stability');
  const scoresFor = async (data: LabelledData, obs: typeof memberObs) => {
    const f = data.features.length;
    const noisy = new Float32Array(data.rows * copies * f);
    for (let r = 0; r < data.rows; r++) {
      for (let q = 0; q < copies; q++) {
        const base = (r * copies + q) * f;
        for (let j = 0; j < f; j++) {
          const v = data.x[r * f + j]! + rng.normal() * settings.stability.noise * (upper[j]! - lower[j]!);
          noisy[base + j] = Math.min(upper[j]!, Math.max(lower[j]!, v));
        }
      }
    }
    const noisyObs = await ctx.model.query(noisy, data.rows * copies, {
      probe: `the membership probe's label-stability queries (noisy copies of the ${data.role})`,
    });
    return stabilityScores({ ...obs, scores: undefined }, noisyObs.labels, copies, data.classes);
  };
  return [await scoresFor(ctx.members, memberObs), await scoresFor(ctx.nonMembers, nonMemberObs)];
}
