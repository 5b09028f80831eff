/** summary.md and the job summary: the verdict first, then the checks, details folded away. */
import { bySeverity } from '../gate/verdict';
import type { GateReport } from '../result';
import {
  escapeMarkdown,
  formatInterval,
  formatNumber,
  formatThreshold,
  STATUS_ICON,
  VERDICT_HEADLINE,
} from './format';

export function renderMarkdown(report: GateReport): string {
  const pct = Math.round((report.confidence ?? 0.95) * 100);
  const lines: string[] = [];
  const name = report.policy.name ? `: ${escapeMarkdown(report.policy.name)}` : '';
  lines.push(`## Model Privacy Gate${name}`, '', `**Verdict: ${VERDICT_HEADLINE[report.verdict]}**`, '');
  if (report.error) {
    lines.push('```', report.error.message.replace(/```/g, "'''"), '```', '');
  }
  const checks = report.probes.flatMap((p) => p.checks).sort(bySeverity);
  if (checks.length > 0) {
    lines.push(`| Probe | Attack | Metric | Value (${pct}% CI) | Threshold | Status |`, '|---|---|---|---|---|---|');
    for (const c of checks) {
      lines.push(
        `| ${c.probe} | ${c.attack} | ${c.metric} | ${formatNumber(c.value)} ${formatInterval(c.ci)} | ${formatThreshold(c)} | ${STATUS_ICON[c.status]} |`,
      );
    }
    lines.push('');
  }
  for (const probe of report.probes.filter((p) => p.status === 'error')) {
    lines.push(`**${probe.id} probe failed:** ${escapeMarkdown(probe.error ?? 'unknown error')}`, '');
  }
  lines.push(...facts(report), '');
  for (const probe of report.probes) lines.push(...probeDetails(probe, pct));
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

function facts(report: GateReport): string[] {
  const out: string[] = [];
  if (report.surface) {
    const s = report.surface;
    const shown = s.scores === 'top-k' ? `top-${s.topK} scores` : s.scores === 'label' ? 'label only' : 'full scores';
    out.push(`- **Output surface:** ${shown}${s.decimals !== undefined ? `, rounded to ${s.decimals} decimals` : ''}`);
  }
  if (report.inputs.model) {
    out.push(`- **Model:** \`${report.inputs.model.path}\` (sha256 \`${report.inputs.model.sha256.slice(0, 12)}\`)`);
  }
  for (const d of report.inputs.data) {
    const sampled = d.rows < d.rowsInFile ? ` (seeded sample of ${d.rowsInFile})` : '';
    out.push(`- **${d.role}:** \`${d.path}\`, ${d.rows} rows${sampled}`);
  }
  if (report.seed !== null) out.push(`- **Seed:** ${report.seed} · **Model queries:** ${report.queries}`);
  return out;
}

function probeDetails(probe: GateReport['probes'][number], pct: number): string[] {
  if (probe.attacks.length === 0) return [];
  const out = [
    '<details>',
    `<summary>${probe.id}: every metric per attack (${probe.queries} queries, ${probe.seconds} s)</summary>`,
    '',
    `| Attack | AUC | Advantage | TPR at FPR | PPV | ε lower bound | Worst class (AUC) |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const a of probe.attacks) {
    const m = a.metrics;
    const cell = (id: string) => (m[id] ? `${formatNumber(m[id]!.value)} ${formatInterval(m[id]!.ci)}` : '');
    const worst = a.details?.worstClass as { class: number; auc: { value: number } } | null | undefined;
    const fpr = m['tpr-at-fpr']?.fpr as number | undefined;
    out.push(
      `| ${a.attack} | ${cell('auc')} | ${cell('advantage')} | ${cell('tpr-at-fpr')}${fpr !== undefined ? ` @ ${fpr}` : ''} | ${cell('ppv')} | ${cell('epsilon-lower-bound')} | ${worst ? `${worst.class} (${formatNumber(worst.auc.value)})` : 'n/a'} |`,
    );
  }
  out.push('', `Intervals are two-sided at ${pct}%; the ε lower bound is one-sided and already corrected for the threshold search.`);
  for (const note of probe.notes) out.push(`- ${note}`);
  out.push('', '</details>', '');
  return out;
}
