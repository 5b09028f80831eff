/**
 * Attribute inference (model inversion of a record; Fredrikson et al. 2014, "Privacy in
 * Pharmacogenetics"): the attacker knows a person's other attributes and what the model said
 * about them (or their true label) and guesses a sensitive attribute by trying every candidate
 * value. Measured on members and non-members against the prior-only baseline.
 */
import { RuntimeFailure, InputError } from '../../errors';
import { attributeMetrics, differencePaired, pairedTable, proportion, type AttributeMetrics } from '../../metrics/attribute';
import { aucWithCi } from '../../metrics/auc';
import type { AttributeInferenceSettings } from '../../policy/types';
import type { AttackDetails, MetricValue } from '../../result';
import { rngFor } from '../../util/random';
import { guesses, LABEL_ONLY_EPSILON, logLikelihoods, logPriorFrom, posteriorLogOdds, type Likelihood, type Observed } from './attack';
import { planAttribute, trueValues, type AttributePlan } from './columns';
import type { LabelledData, ProbeContext, ProbeMeasurement } from '../types';

export async function runAttributeInference(ctx: ProbeContext, settings: AttributeInferenceSettings): Promise<ProbeMeasurement> {
  const notes: string[] = [];
  const regression = ctx.model.task === 'regression';
  const auxiliary = settings.auxiliary ? loadAuxiliary(ctx, settings) : undefined;
  const sets = [ctx.members, ctx.nonMembers, ...(auxiliary ? [auxiliary] : [])];
  const plan = planAttribute(settings, ctx.members.features, sets);
  const k = plan.candidates.length;
  const memberTruth = trueValues(plan, ctx.members, settings);
  const nonMemberTruth = trueValues(plan, ctx.nonMembers, settings);
  const auxiliaryTruth = auxiliary ? trueValues(plan, auxiliary, settings) : undefined;

  const priorTruth = settings.prior === 'uniform' ? undefined : settings.prior === 'auxiliary' ? auxiliaryTruth : nonMemberTruth;
  const logPrior = logPriorFrom(priorTruth, k);
  const mode = argmax(logPrior);
  const attackerData = auxiliary ?? ctx.nonMembers;

  const observe = (data: LabelledData): Promise<Observed> => observation(ctx, settings, data, regression);
  const [memberObserved, nonMemberObserved] = [await observe(ctx.members), await observe(ctx.nonMembers)];
  let likelihood: Likelihood;
  let sigma: { value: number; from: string; rms: number; floor: number } | undefined;
  if (regression) {
    sigma = await residualSpread(ctx, settings, auxiliary);
    likelihood = { kind: 'value', sigma: sigma.value };
  } else {
    const decimals = ctx.model.surface.decimals;
    likelihood = { kind: 'class', epsilon: LABEL_ONLY_EPSILON, floor: decimals === undefined ? 1e-12 : 0.5 * 10 ** -decimals };
  }
  notes.push(...surfaceNotes(ctx, settings, regression, sigma));

  const samples = (stream: string) =>
    plan.unknown.length > 0
      ? { x: attackerData.x, rows: attackerData.rows, count: settings.samples, rng: rngFor(ctx.seed, `attribute-inference:${stream}`) }
      : undefined;
  if (plan.unknown.length > 0) {
    notes.push(
      `The attacker does not know ${plan.unknown.length} feature(s) (${plan.unknown.map((j) => ctx.members.features[j]).join(', ')}); they are filled in from ${settings.samples} records drawn from the ${auxiliary ? 'auxiliary data' : 'non-members'} and the likelihood is averaged over them.`,
    );
  }
  const targets = (data: LabelledData, observed: Observed) => ({ x: data.x, rows: data.rows, features: data.features.length, observed });
  const memberLik = await logLikelihoods(ctx.model, plan, targets(ctx.members, memberObserved), likelihood, samples('members'));
  const nonMemberLik = await logLikelihoods(
    ctx.model,
    plan,
    targets(ctx.nonMembers, nonMemberObserved),
    likelihood,
    samples('non-members'),
  );
  const memberGuess = guesses(memberLik, logPrior);
  const nonMemberGuess = guesses(nonMemberLik, logPrior);

  const metrics = attributeMetrics(
    {
      memberCorrect: Array.from(memberGuess, (g, i) => g === memberTruth[i]),
      memberBaselineCorrect: Array.from(memberTruth, (t) => t === mode),
      nonMemberCorrect: Array.from(nonMemberGuess, (g, i) => g === nonMemberTruth[i]),
    },
    ctx.confidence,
  );
  const values = metricValues(metrics);
  const nonMemberBaseline = proportion(
    count(nonMemberTruth, (t) => t === mode),
    ctx.nonMembers.rows,
    ctx.confidence,
  );
  const details: AttackDetails = {
    attribute: plan.name,
    columns: plan.columns.map((j) => ctx.members.features[j]!),
    candidates: plan.candidates,
    observed: settings.observed,
    prior: { source: settings.prior, probabilities: Array.from(logPrior, Math.exp), mode: plan.candidates[mode]! },
    nonMemberBaselineAccuracy: nonMemberBaseline,
    nonMemberLift: differencePaired(
      pairedTable(
        Array.from(nonMemberGuess, (g, i) => g === nonMemberTruth[i]),
        Array.from(nonMemberTruth, (t) => t === mode),
      ),
      ctx.confidence,
    ),
    liftTable: metrics.liftTable,
    queriesPerRecord: k * (plan.unknown.length > 0 ? settings.samples : 1),
    unknownFeatures: plan.unknown.map((j) => ctx.members.features[j]!),
    perValue: perValue(plan, logPrior, memberTruth, memberGuess, nonMemberTruth, nonMemberGuess, ctx.confidence),
  };
  if (sigma) details.residualSpread = sigma;
  if (k === 2) {
    const auc = binaryAuc(posteriorLogOdds(memberLik, logPrior), memberTruth, ctx.confidence);
    if (auc) values['auc'] = auc;
    else notes.push('The attack-score AUC needs members with each of the two values; one value is missing.');
    const nonMemberAuc = binaryAuc(posteriorLogOdds(nonMemberLik, logPrior), nonMemberTruth, ctx.confidence);
    if (nonMemberAuc) details.nonMemberAuc = nonMemberAuc;
  }
  notes.push(
    `Member gap compares accuracies on two different sets; the prior's guess (${plan.candidates[mode]}) alone is right for ${pct(metrics.baselineAccuracy.value)} of members and ${pct(nonMemberBaseline.value)} of non-members, and that difference is part of the gap.`,
  );
  return {
    attacks: [
      {
        attack: `infer-${plan.name}`,
        description: `argmax prior(v)·P(${settings.observed === 'label' ? 'true label' : 'model output'} | known attributes, ${plan.name} = v) over ${k} candidate values (Fredrikson et al. 2014)`,
        metrics: values,
        details,
      },
    ],
    notes,
  };
}

/** What the attacker sees about each target: the true label, or what the surface returned for the real record. */
async function observation(
  ctx: ProbeContext,
  settings: AttributeInferenceSettings,
  data: LabelledData,
  regression: boolean,
): Promise<Observed> {
  if (regression) {
    if (settings.observed === 'model-output') return { kind: 'value', values: await ctx.model.values(data.x, data.rows, { data }) };
    if (!data.targets)
      throw new RuntimeFailure(`the ${data.role} have no numeric targets; the runner must parse them for a regression model`);
    return { kind: 'value', values: data.targets };
  }
  if (settings.observed === 'model-output') return { kind: 'class', classes: (await ctx.signals.observe(data)).labels };
  return { kind: 'class', classes: data.classes };
}

/**
 * σ of the Gaussian residual: the RMS difference between what the attacker observes and the
 * model's prediction on records whose attribute they know, floored at the surface's rounding
 * (the standard deviation of a uniform rounding error, 10^-d/√12) or, without rounding, at a
 * millionth of the observations' scale, so that an exact match is never a division by zero.
 */
async function residualSpread(
  ctx: ProbeContext,
  settings: AttributeInferenceSettings,
  auxiliary: LabelledData | undefined,
): Promise<{ value: number; from: string; rms: number; floor: number }> {
  const source = settings.residualSpread;
  const data = source === 'training' ? ctx.members : source === 'auxiliary' ? auxiliary! : ctx.nonMembers;
  const predicted = await ctx.model.values(data.x, data.rows, { data });
  const observed = settings.observed === 'model-output' ? predicted : data.targets;
  if (!observed) throw new RuntimeFailure(`the ${data.role} have no numeric targets; the runner must parse them for a regression model`);
  let ss = 0;
  let scale = 0;
  for (let r = 0; r < data.rows; r++) {
    ss += (observed[r]! - predicted[r]!) ** 2;
    scale += observed[r]! ** 2;
  }
  const rms = Math.sqrt(ss / data.rows);
  const decimals = ctx.model.surface.decimals;
  const floor = decimals !== undefined ? 10 ** -decimals / Math.sqrt(12) : 1e-6 * Math.max(1, Math.sqrt(scale / data.rows));
  return { value: Math.max(rms, floor), from: source === 'training' ? 'members (training error)' : data.role, rms, floor };
}

function surfaceNotes(
  ctx: ProbeContext,
  settings: AttributeInferenceSettings,
  regression: boolean,
  sigma: { value: number; from: string; rms: number; floor: number } | undefined,
): string[] {
  const notes: string[] = [];
  const surface = ctx.model.surface;
  if (regression && sigma) {
    notes.push(
      `Regression: P(observation | x, v) is a Gaussian density of the residual with σ = ${sigma.value.toPrecision(4)}, the RMS ${settings.observed === 'label' ? 'error against the true label' : 'difference to the model output'} on the ${sigma.from}${sigma.value > sigma.rms ? ` (floored at ${sigma.floor.toPrecision(3)})` : ''}.`,
    );
    if (settings.observed === 'model-output') {
      notes.push(
        'The attacker observes the model’s own output on the real record, so the true value reproduces it exactly (up to rounding) whenever the model uses the attribute.',
      );
    }
    return notes;
  }
  if (surface.scores === 'label') {
    notes.push(
      `The surface reveals only the label: P(observation | x, v) is 1 when the predicted label matches the observed one and ${LABEL_ONLY_EPSILON} otherwise, so the attack only tells candidates apart where the prediction flips; it is weaker than with scores.`,
    );
  } else if (surface.scores === 'top-k') {
    notes.push(
      `The surface reveals only the top ${surface.topK} scores; a hidden observed label gets the hidden mass spread evenly over the hidden classes.`,
    );
  }
  if (surface.decimals !== undefined && surface.scores !== 'label') {
    notes.push(
      `Scores are rounded to ${surface.decimals} decimals; a score rounded to 0 is read as ${0.5 * 10 ** -surface.decimals}, and ties fall back on the prior.`,
    );
  }
  return notes;
}

function loadAuxiliary(ctx: ProbeContext, settings: AttributeInferenceSettings): LabelledData {
  if (!ctx.loadData) throw new RuntimeFailure('this runner cannot load the auxiliary data file');
  const data = ctx.loadData(settings.auxiliary!, 'auxiliary');
  const expected = ctx.members.features;
  if (data.features.length !== expected.length || data.features.some((f, i) => f !== expected[i])) {
    throw new InputError(
      `the auxiliary data's feature columns (${data.features.join(', ')}) differ from the members' (${expected.join(', ')}); expected the same columns in the same order`,
      { file: data.file, field: 'probes.attribute-inference.auxiliary' },
    );
  }
  return data;
}

function metricValues(m: AttributeMetrics): Record<string, MetricValue> {
  return {
    'member-accuracy': { value: m.memberAccuracy.value, ci: m.memberAccuracy.ci, correct: m.memberAccuracy.k, records: m.memberAccuracy.n },
    'non-member-accuracy': {
      value: m.nonMemberAccuracy.value,
      ci: m.nonMemberAccuracy.ci,
      correct: m.nonMemberAccuracy.k,
      records: m.nonMemberAccuracy.n,
    },
    'baseline-accuracy': {
      value: m.baselineAccuracy.value,
      ci: m.baselineAccuracy.ci,
      correct: m.baselineAccuracy.k,
      records: m.baselineAccuracy.n,
    },
    lift: { value: m.lift.value, ci: m.lift.ci, interval: 'Newcombe square-and-add, paired' },
    'member-gap': { value: m.memberGap.value, ci: m.memberGap.ci, interval: 'Newcombe hybrid score' },
  };
}

/** AUC of the posterior log odds of the second candidate, telling records with that value from the others. */
function binaryAuc(odds: Float64Array, truth: Int32Array, confidence: number): MetricValue | undefined {
  const positive: number[] = [];
  const negative: number[] = [];
  for (let r = 0; r < truth.length; r++) (truth[r] === 1 ? positive : negative).push(odds[r]!);
  if (positive.length === 0 || negative.length === 0) return undefined;
  const finite = (v: number) => (Number.isFinite(v) ? v : Math.sign(v) * Number.MAX_VALUE);
  const estimate = aucWithCi(positive.map(finite), negative.map(finite), confidence);
  return { value: estimate.value, ci: estimate.ci, positives: positive.length, negatives: negative.length };
}

function perValue(
  plan: AttributePlan,
  logPrior: Float64Array,
  memberTruth: Int32Array,
  memberGuess: Int32Array,
  nonMemberTruth: Int32Array,
  nonMemberGuess: Int32Array,
  confidence: number,
) {
  return plan.candidates.map((value, c) => {
    const side = (truth: Int32Array, guess: Int32Array) => {
      const n = count(truth, (t) => t === c);
      const right = count(truth, (t, i) => t === c && guess[i] === c);
      return { records: n, accuracy: proportion(right, n, confidence), guessed: count(guess, (g) => g === c) };
    };
    return {
      value,
      prior: Math.exp(logPrior[c]!),
      members: side(memberTruth, memberGuess),
      nonMembers: side(nonMemberTruth, nonMemberGuess),
    };
  });
}

function count(values: Int32Array, predicate: (v: number, i: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (predicate(values[i]!, i)) n++;
  return n;
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function pct(value: number | null): string {
  return value === null ? 'n/a' : `${(100 * value).toFixed(1)}%`;
}
