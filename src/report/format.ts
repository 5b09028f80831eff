/**
 * Shared number formatting and labels for the human-readable reports (Markdown, HTML,
 * annotations, SARIF messages). Escaping for each output channel is in ./escape.
 */
import type { Check, GateReport, MetricValue, ModelDigest, Verdict } from '../result';

export function formatNumber(value: unknown, digits = 3): string {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return value.toFixed(digits);
}

export function formatInterval(ci: unknown, digits = 3): string {
  const [lo, hi] = Array.isArray(ci) ? ci : [undefined, undefined];
  return `[${formatNumber(lo, digits)}, ${formatNumber(hi, digits)}]`;
}

/** What a point difference (`pointOnly`, e.g. the ε lower bound's increase) shows instead of an interval. */
export const POINT_DIFFERENCE = '(point difference, no interval)';

/** "+4.209", "−0.120", "0.000": a difference with its sign. */
export function formatSigned(value: unknown, digits = 3): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return formatNumber(value, digits);
  const shown = Math.abs(value).toFixed(digits);
  if (Number(shown) === 0) return (0).toFixed(digits);
  return value < 0 ? `−${shown}` : `+${shown}`;
}

/**
 * A value and its interval as two pieces (HTML puts them in spans of their own): "0.592" and
 * "[0.578, 0.605]", or, for a point difference, "+4.209" and "(point difference, no interval)".
 * Only the explicit `pointOnly` marker drops the interval: a degenerate real interval such as
 * identical models' paired [0, 0] still shows.
 */
export function estimateParts(metric: { value: unknown; ci: unknown; pointOnly?: unknown }): { value: string; interval: string } {
  if (metric.pointOnly === true && typeof metric.value === 'number') {
    return { value: formatSigned(metric.value), interval: POINT_DIFFERENCE };
  }
  return { value: formatNumber(metric.value), interval: formatInterval(metric.ci) };
}

/** "0.592 [0.578, 0.605]": a value with its interval ("+4.209 (point difference, no interval)" for a point difference). */
export function formatEstimate(metric: { value: unknown; ci: unknown; pointOnly?: unknown } | undefined): string {
  if (!metric) return 'n/a';
  const { value, interval } = estimateParts(metric);
  return `${value} ${interval}`;
}

/**
 * A metric's cell in a table: value and interval, or, for a value that does not exist, why not
 * (an interval around nothing, such as PPV's [0, 1], says nothing).
 */
export function formatMetric(id: string, metric: MetricValue | undefined): string {
  if (metric && metric.value === null) {
    // PPV is null only when the TPR-at-FPR threshold flags no record at all.
    return id === 'ppv' ? 'none: no record is flagged at the TPR threshold' : 'n/a';
  }
  return formatEstimate(metric);
}

/** Integers with thousands separators, fixed to one locale so golden files do not depend on the machine. */
export function formatCount(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toLocaleString('en-US') : 'n/a';
}

export function formatThreshold(check: Pick<Check, 'thresholds'>): string {
  const parts = [];
  if (typeof check.thresholds.warn === 'number') parts.push(`warn > ${check.thresholds.warn}`);
  if (typeof check.thresholds.fail === 'number') parts.push(`fail > ${check.thresholds.fail}`);
  return parts.join(', ');
}

export const VERDICT_HEADLINE: Record<Verdict, string> = {
  pass: '✅ passes',
  warn: '⚠️ passes with warnings',
  fail: '❌ fails: the model leaks training data beyond the policy',
  error: '🛑 could not decide (error)',
};

export const STATUS_ICON: Record<Check['status'], string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  inconclusive: '❔ inconclusive',
  insufficient: '📉 insufficient data',
  error: '🛑 error',
};

/** What an inconclusive or insufficient check means, in one sentence; '' for the other statuses. */
export function statusExplanation(check: Pick<Check, 'status' | 'thresholds' | 'needs'>): string {
  if (check.status === 'inconclusive') {
    return `inconclusive: the interval reaches over the fail threshold ${check.thresholds.fail}, so the data cannot rule out a failure`;
  }
  if (check.status === 'insufficient') {
    const n = check.needs;
    if (!n) return 'insufficient data: too few records to resolve this check';
    const parts = [];
    if (n.members > n.have.members) parts.push(`${formatCount(n.members)} members (has ${formatCount(n.have.members)})`);
    if (n.nonMembers > n.have.nonMembers) parts.push(`${formatCount(n.nonMembers)} non-members (has ${formatCount(n.have.nonMembers)})`);
    return `insufficient data: needs at least ${parts.join(' and ')}`;
  }
  return '';
}

/**
 * Readable names for the metric ids the probes report. Only labels: reports render any metric
 * id, known or not, so new probe families need no change here.
 */
const METRIC_LABELS: Record<string, string> = {
  auc: 'AUC',
  advantage: 'Advantage',
  'tpr-at-fpr': 'TPR at FPR',
  ppv: 'PPV',
  'epsilon-lower-bound': 'ε lower bound',
  accuracy: 'Accuracy',
  lift: 'Lift',
  exposure: 'Exposure',
};

/** The label of a metric id; "TPR at FPR 0.01" when the measurement says at which FPR. */
export function metricLabel(id: string, measured?: MetricValue): string {
  // A change against the released model (`auc-increase`): the compared metric's label.
  if (id.endsWith('-increase') && METRIC_LABELS[id.slice(0, -'-increase'.length)]) {
    return `${metricLabel(id.slice(0, -'-increase'.length), measured)} increase vs released`;
  }
  const label = METRIC_LABELS[id] ?? id;
  if (id === 'tpr-at-fpr' && typeof measured?.fpr === 'number') return `${label} ${measured.fpr}`;
  return label;
}

export type ModelKind = 'classifier' | 'regressor' | 'sequence';

/** Which kind of model the report is about, from what the runner recorded. */
export function modelKind(report: Pick<GateReport, 'model' | 'sequenceModel'>): ModelKind {
  if (report.sequenceModel) return 'sequence';
  return report.model?.scoreKind === 'value' ? 'regressor' : 'classifier';
}

/** How the model's answers reach an attacker, in words. */
export function describeSurface(
  surface: { scores: string; topK?: number; decimals?: number; precision?: 'float32' } | null,
  kind: ModelKind = 'classifier',
): string {
  if (!surface) return 'unknown (the run stopped before the policy was read)';
  const unit = kind === 'sequence' ? 'next-token score' : 'class score';
  const shown =
    kind === 'regressor'
      ? 'the predicted value'
      : surface.scores === 'top-k'
        ? `the top ${surface.topK} ${unit}s`
        : surface.scores === 'label'
          ? `the ${kind === 'sequence' ? 'most likely next token' : 'predicted label'} only (no scores)`
          : `every ${unit}`;
  const float32 = surface.precision === 'float32' && kind !== 'regressor' && surface.scores !== 'label' ? ' as float32 probabilities' : '';
  return surface.decimals !== undefined ? `${shown}${float32}, rounded to ${surface.decimals} decimals` : `${shown}${float32}`;
}

/** The onnxruntime that ran the models, e.g. "onnxruntime-web 1.30.0 (WebAssembly)"; plain text for the caller to escape. */
export function describeRuntime(runtime: GateReport['tool']['runtime']): string | undefined {
  if (!runtime) return undefined;
  return runtime.kind === 'wasm' ? `onnxruntime-web ${runtime.version} (WebAssembly)` : `onnxruntime-node ${runtime.version} (native)`;
}

/**
 * The model's interface in plain words, e.g. `input x (64 features) → output probabilities: scores
 * for 10 classes (probabilities)`; names are left to the caller to mark up (`name` wraps them).
 */
export function describeModelShape(
  report: Pick<GateReport, 'model' | 'sequenceModel'>,
  name: (text: string) => string,
): string | undefined {
  const seq = report.sequenceModel;
  if (seq) {
    const context = seq.context === null ? 'any length' : `${formatCount(seq.context)} tokens`;
    return `input ${name(seq.input)} (token ids, ${context}) → output ${name(seq.output)}: next-token scores over ${formatCount(seq.vocabSize)} tokens (${seq.scoreKind})`;
  }
  const m = report.model;
  if (!m) return undefined;
  const input = `input ${name(m.input)} (${formatCount(m.featureCount)} features)`;
  // "output" before the name: a default export name such as `13` would otherwise read as a number.
  if (m.scoreKind === 'value') return `${input} → output ${name(m.output)}: one predicted value`;
  return `${input} → output ${name(m.output)}: scores for ${formatCount(m.classes.length)} classes (${m.scoreKind})`;
}

/** Roles of report.inputs.data that are the tokenizer's files: the Tokenizer line shows them instead of a data row. */
export const TOKENIZER_ROLES: readonly string[] = ['tokenizer', 'tokenizer config', 'vocabulary'];

/**
 * A sequence model's tokenizer in words, e.g. "byte-level BPE tokenizer.json, 50,257 tokens;
 * special ids: end of text 50256" or "character vocabulary, 80 tokens; special ids: pad 0".
 * Plain text for the caller to escape; undefined when the report names none.
 */
export function describeTokenizer(report: Pick<GateReport, 'sequenceModel'>): string | undefined {
  const t = report.sequenceModel?.tokenizer;
  if (!t) return undefined;
  const what = t.kind === 'characters' ? 'character vocabulary' : `${t.model ?? 'Hugging Face'} tokenizer.json`;
  const special = (
    [
      ['end of text', t.eosId],
      ['beginning of text', t.bosId],
      ['pad', t.padId],
    ] as const
  )
    .filter(([, id]) => typeof id === 'number')
    .map(([name, id]) => `${name} ${id}`);
  return `${what}, ${formatCount(t.tokens)} tokens${special.length > 0 ? `; special ids: ${special.join(', ')}` : ''}`;
}

/**
 * The audit table's rows, [role, file, SHA-256]: the policy files, the model (and the external
 * data files holding its weights), the data files, and every other model or file the run read.
 */
export function inputDigestRows(report: GateReport): string[][] {
  return [
    ...report.inputs.policy.map((d) => ['policy', d.path, d.sha256]),
    ...(report.inputs.model ? modelRows('model', report.inputs.model) : []),
    ...report.inputs.data.map((d) => [d.role, d.path, d.sha256]),
    ...referenceDigests(report),
  ];
}

/**
 * The released model or report (policy `baseline`), a sequence model's reference model, and the
 * membership probe's reference models and memberships file, when a policy names them.
 */
function referenceDigests(report: GateReport): string[][] {
  const refs = report.inputs.references;
  // The released model (or its earlier report) the candidate was compared with (policy `baseline`).
  const rows = report.baseline ? modelRows(`released ${report.baseline.kind}`, report.baseline) : [];
  // A sequence model's reference (model.reference-model, the text-membership probe's likelihood ratio).
  if (report.inputs.referenceModel) rows.push(...modelRows('reference model', report.inputs.referenceModel));
  if (!refs) return rows;
  return [
    ...rows,
    ...refs.models.flatMap((d) => modelRows('reference model', d)),
    ['reference memberships', refs.memberships.path, refs.memberships.sha256],
  ];
}

/** A model's row, then one per external data file ("model weights"). */
function modelRows(role: string, digest: ModelDigest): string[][] {
  return [[role, digest.path, digest.sha256], ...(digest.externalData ?? []).map((d) => [`${role} weights`, d.path, d.sha256])];
}

/**
 * "Attacks run on 899 members and 898 non-members: membership (loss, confidence). A pass holds
 * only against these." A verdict is a claim about the attacks tried, so every report says which.
 * Plain text: each channel escapes it. Undefined when no probe ran.
 */
export function attacksClaim(report: GateReport): string | undefined {
  const probes = report.probes.filter((p) => p.status === 'ok' && p.attacks.length > 0);
  if (probes.length === 0) return undefined;
  const attacks = probes.map((p) => `${p.id} (${p.attacks.map((a) => a.attack).join(', ')})`).join('; ');
  const rows = (role: string) => report.inputs.data.find((d) => d.role === role)?.rows;
  const members = rows('members');
  const nonMembers = rows('non-members');
  const records =
    members !== undefined && nonMembers !== undefined
      ? ` on ${formatCount(members)} members and ${formatCount(nonMembers)} non-members`
      : '';
  return `Attacks run${records}: ${attacks}. A pass holds only against these.`;
}
