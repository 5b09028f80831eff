/**
 * Shared number formatting, labels and escaping for the human-readable reports (Markdown,
 * HTML, annotations, SARIF messages). Every string that comes from the model, the data or the
 * policy goes through one of the escape functions here before it reaches a reader.
 */
import type { Check, GateReport, MetricValue, Verdict } from '../result';

export function formatNumber(value: unknown, digits = 3): string {
  if (typeof value !== 'number' || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return value.toFixed(digits);
}

export function formatInterval(ci: unknown, digits = 3): string {
  const [lo, hi] = Array.isArray(ci) ? ci : [undefined, undefined];
  return `[${formatNumber(lo, digits)}, ${formatNumber(hi, digits)}]`;
}

/** "0.592 [0.578, 0.605]": a value with its interval. */
export function formatEstimate(metric: Pick<MetricValue, 'value' | 'ci'> | undefined): string {
  if (!metric) return 'n/a';
  return `${formatNumber(metric.value)} ${formatInterval(metric.ci)}`;
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
  error: '🛑 error',
};

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
  const label = METRIC_LABELS[id] ?? id;
  if (id === 'tpr-at-fpr' && typeof measured?.fpr === 'number') return `${label} ${measured.fpr}`;
  return label;
}

/** Bidirectional overrides and control characters: invisible, and able to disguise text. */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;
const ZWSP = '\u200b';

/** One line of plain text: no line breaks, no invisible characters, at most `max` characters. */
export function plainText(text: unknown, max = 500): string {
  const flat = String(text).replace(INVISIBLE, '').replace(LINE_BREAKS, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Text from the model, data or policy inside Markdown (table cells, list items, headings):
 * every ASCII punctuation that can start markup, a table cell, a link, an autolink, an entity,
 * math or an emoji is backslash-escaped (CommonMark renders `\x` as `x`); `-` and `.` only where
 * they could open a list (the text is one line, so only at its start); and a zero-width space
 * follows `@` and `#`, which GitHub would otherwise turn into mentions and issue references
 * after rendering.
 */
export function escapeMarkdown(text: unknown, max = 500): string {
  return breakAutolinks(plainText(text, max))
    .replace(/[\\`*_{}[\]()#+!|<>~&:$]/g, (c) => `\\${c}`)
    .replace(/^(\d*)([-.])/, '$1\\$2')
    .replace(/([@#])/g, `$1${ZWSP}`);
}

/** A zero-width space inside `://` and `www.`, so no renderer turns a URL in the text into a link. */
function breakAutolinks(text: string): string {
  return text.replace(/:\/\//g, `:${ZWSP}//`).replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/**
 * Text as a Markdown code span: nothing inside is rendered (no markup, HTML or mentions); the
 * fence is one backtick longer than the longest run inside, so the text cannot close it.
 */
export function codeSpan(text: unknown, max = 500): string {
  const flat = plainText(text, max);
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Text inside HTML (the HTML report, or HTML blocks in Markdown such as `<summary>`). */
export function escapeHtml(text: unknown, max = 2000): string {
  return plainText(text, max).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** HTML-escaped text that GitHub renders: also breaks mentions and issue references. */
export function escapeHtmlForGithub(text: unknown, max = 500): string {
  return escapeHtml(breakAutolinks(plainText(text, max)).replace(/([@#])/g, `$1${ZWSP}`), max + 100);
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
  const float32 = surface.precision === 'float32' && kind === 'classifier' && surface.scores !== 'label' ? ' as float32 probabilities' : '';
  return surface.decimals !== undefined ? `${shown}${float32}, rounded to ${surface.decimals} decimals` : `${shown}${float32}`;
}

/**
 * The model's interface in plain words, e.g. `input x (64 features) → probabilities: 10 classes,
 * scores are probabilities`; names are left to the caller to mark up (`name` wraps them).
 */
export function describeModelShape(
  report: Pick<GateReport, 'model' | 'sequenceModel'>,
  name: (text: string) => string,
): string | undefined {
  const seq = report.sequenceModel;
  if (seq) {
    const context = seq.context === null ? 'any length' : `${formatCount(seq.context)} tokens`;
    return `input ${name(seq.input)} (token ids, ${context}) → ${name(seq.output)}: next-token scores over ${formatCount(seq.vocabSize)} tokens, scores are ${seq.scoreKind}`;
  }
  const m = report.model;
  if (!m) return undefined;
  const input = `input ${name(m.input)} (${formatCount(m.featureCount)} features)`;
  if (m.scoreKind === 'value') return `${input} → ${name(m.output)}: one predicted value`;
  return `${input} → ${name(m.output)}: ${formatCount(m.classes.length)} classes, scores are ${m.scoreKind}`;
}

/**
 * A fenced code block whose fence is longer than any backtick run inside, so the text cannot
 * close it; nothing inside is rendered.
 */
export function codeBlock(text: unknown, max = 4000): string {
  let body = String(text).replace(INVISIBLE, '').replace(/\r\n?/g, '\n');
  if (body.length > max) body = `${body.slice(0, max - 1)}…`;
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${body}\n${fence}`;
}
