/**
 * The comparison with the released model (policy `baseline`) in the human-readable reports: one
 * table per report with, for every membership attack and compared metric, this model's value,
 * the released model's, the change with its direction ("+0.236 ↑": leakier; "−0.026 ↓": less
 * leaky) and interval (the "vs released" column), the allowance of `max-increase` and its check's
 * status. Pure: report in, text out; every string from the report is escaped for its channel.
 */
import type { Check, GateReport, MetricValue } from '../result';
import { codeSpan, escapeHtml, escapeMarkdown } from './escape';
import { formatNumber, metricLabel, POINT_DIFFERENCE, STATUS_ICON } from './format';

/** The metrics compared, in report order; each has a `<metric>-increase` measurement. */
const COMPARED = ['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound'] as const;

interface Row {
  attack: string;
  metric: string;
  candidate: MetricValue | undefined;
  change: MetricValue;
  check: Check | undefined;
}

function rows(report: GateReport): Row[] {
  const out: Row[] = [];
  for (const probe of report.probes) {
    for (const attack of probe.attacks) {
      for (const id of COMPARED) {
        const change = attack.metrics[`${id}-increase`];
        if (!change) continue;
        const check = probe.checks.find((c) => c.attack === attack.attack && c.metric === `${id}-increase`);
        out.push({ attack: attack.attack, metric: metricLabel(id, attack.metrics[id]), candidate: attack.metrics[id], change, check });
      }
    }
  }
  return out;
}

/** "+0.236 ↑", "−0.026 ↓", "0.000 =" (rounded to what is shown), or "n/a". */
export function formatChange(value: unknown, digits = 3): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  const shown = value.toFixed(digits);
  if (Number(shown) === 0) return `${(0).toFixed(digits)} =`;
  return value > 0 ? `+${shown} ↑` : `−${shown.slice(1)} ↓`;
}

function signed(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? value < 0
      ? `−${Math.abs(value).toFixed(3)}`
      : `+${value.toFixed(3)}`
    : 'n/a';
}

function changeInterval(m: MetricValue): string {
  if (m.value === null) return '';
  if (m.pointOnly) return ` ${POINT_DIFFERENCE}`;
  return ` [${signed(m.ci[0])}, ${signed(m.ci[1])}]`;
}

function allowance(check: Check | undefined): string {
  return typeof check?.thresholds.fail === 'number' ? `≤ ${check.thresholds.fail}` : 'not limited';
}

function describeBaseline(report: GateReport, code: (text: string) => string): string {
  const b = report.baseline!;
  const what = b.kind === 'model' ? 'Released model' : "Released model's earlier report";
  const how =
    b.kind === 'model'
      ? 'paired: the same records, seed, surface and attacks ran on both models'
      : 'unpaired: the two runs’ intervals combined as independent';
  return `${what} ${code(b.path)} (sha256 ${code(String(b.sha256).slice(0, 12))}); ${how}.`;
}

/** The Markdown section (summary.md, job summary, PR comment); '' without a baseline. */
export function baselineMarkdown(report: GateReport, pct: number): string {
  if (!report.baseline) return '';
  const list = rows(report);
  const lines = ['### Compared with the released model', '', describeBaseline(report, (t) => codeSpan(t))];
  if (list.length > 0) {
    lines.push(
      '',
      `| Attack | Metric | This model | Released | vs released (${pct}% CI) | Allowed increase | Status |`,
      '|---|---|---|---|---|---|---|',
    );
    for (const r of list) {
      lines.push(
        `| ${escapeMarkdown(r.attack)} | ${escapeMarkdown(r.metric)} | ${formatNumber(r.candidate?.value)} | ${formatNumber(r.change.released)} | ${formatChange(r.change.value)}${changeInterval(r.change)} | ${allowance(r.check)} | ${r.check ? (STATUS_ICON[r.check.status] ?? 'unknown') : ''} |`,
      );
    }
    lines.push('', '↑: the candidate leaks more than the released model on this metric; ↓: less.');
  }
  return lines.join('\n');
}

/** The HTML section (report.html); '' without a baseline. */
export function baselineHtml(report: GateReport, pct: number): string {
  if (!report.baseline) return '';
  const list = rows(report);
  const code = (t: string) => `<code>${escapeHtml(t)}</code>`;
  const body = list
    .map(
      (r) =>
        `<tr${r.check ? ` class="status-${escapeHtml(r.check.status)}"` : ''}><td>${escapeHtml(r.attack)}</td><td>${escapeHtml(r.metric)}</td><td class="num">${formatNumber(r.candidate?.value)}</td><td class="num">${formatNumber(r.change.released)}</td><td class="num" title="${escapeHtml(r.change.interval ?? '')}">${escapeHtml(formatChange(r.change.value) + changeInterval(r.change))}</td><td>${escapeHtml(allowance(r.check))}</td><td class="status">${r.check ? escapeHtml(r.check.status) : ''}</td></tr>`,
    )
    .join('');
  const table =
    list.length > 0
      ? `<div class="table-wrap"><table class="baseline"><thead><tr><th>Attack</th><th>Metric</th><th>This model</th><th>Released</th><th>vs released (${pct}% CI)</th><th>Allowed increase</th><th>Status</th></tr></thead><tbody>${body}</tbody></table></div><p class="muted">↑: the candidate leaks more than the released model on this metric; ↓: less.</p>`
      : '';
  return `<section><h2>Compared with the released model</h2><p>${describeBaseline(report, code)}</p>${table}</section>`;
}
