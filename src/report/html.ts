/**
 * report.html: one self-contained page (inline CSS and SVG, images as data: URIs, a Content
 * Security Policy that forbids every fetch and script) with the verdict, the checks, and per
 * probe the metrics, ROC curves on log–log axes, score histograms, per-class results and
 * reconstructed images. Renders whatever attacks and metrics a probe reports; the plots appear
 * where an attack's details carry their data. Pure: files are read through `readAsset`. A report
 * read back in publish-only mode comes from a file, so each view checks the shape it draws.
 */
import { bySeverity } from '../gate/verdict';
import type { AttackDetails, Check, GateReport, MetricValue, ProbeResult } from '../result';
import { baselineHtml } from './baseline';
import { escapeHtml } from './escape';
import { policyChangesHtml } from './html-policy-changes';
import {
  attacksClaim,
  describeModelShape,
  describeTokenizer,
  describeRuntime,
  describeSurface,
  modelKind,
  formatCount,
  formatEstimate,
  formatMetric,
  estimateParts,
  formatNumber,
  formatThreshold,
  metricLabel,
  inputDigestRows,
  TOKENIZER_ROLES,
  statusExplanation,
} from './format';
import { className } from './markdown';
import { ATTRIBUTE_DETAILS, attributeView } from './html-attribute';
import { EXTRACTION_DETAILS, extractionView } from './html-extraction';
import { explainGroup, groupChecks, measurementOf, othersSummary, tieNotes, type CheckGroup } from './explain';
import { histogramChart, logFloor, PALETTE, rocChart, type Histogram, type RocCurve } from './svg';

export const HTML_FILE = 'report.html';

export interface HtmlOptions {
  /** Bytes of a file the report refers to (a path relative to the output folder), or undefined. */
  readAsset?: (relativePath: string) => Uint8Array | undefined;
}

/**
 * Detail fields drawn as plots or tables of their own (`rasters` never reaches a report file);
 * every other field is shown as a generic table.
 */
const DRAWN_DETAILS: ReadonlySet<string> = new Set<keyof AttackDetails>([
  'roc',
  'histogram',
  'perClass',
  'worstClass',
  'topTie',
  'saturated',
  'images',
  'rasters',
]);

export function renderHtml(report: GateReport, options: HtmlOptions = {}): string {
  const name = report.policy.name || report.policy.file;
  const checks = report.probes.flatMap((p) => p.checks).sort(bySeverity);
  const pct = Math.round((report.confidence ?? 0.95) * 100);
  const body = [
    `<header class="verdict verdict-${report.verdict}"><h1>Model Privacy Gate: ${escapeHtml(name)}</h1>`,
    `<p class="headline"><span class="badge">${escapeHtml(report.verdict.toUpperCase())}</span> ${escapeHtml(HEADLINE[report.verdict] ?? report.verdict)}</p>${countsLine(checks)}${whyList(report, checks)}${claimLine(report)}</header>`,
    errorSection(report),
    policyChangesHtml(report),
    warningsSection(report),
    checksSection(checks, pct, report),
    baselineHtml(report, pct),
    exposureSection(report, pct),
    ...report.probes.map((p) => probeSection(p, report, pct, options)),
    auditSection(report),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Model Privacy Gate: ${escapeHtml(name)} (${escapeHtml(report.verdict)})</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Plain words (no emoji: a browser without an emoji font would show empty boxes). */
const HEADLINE: Record<GateReport['verdict'], string> = {
  pass: 'The model passes the release policy.',
  warn: 'The model passes, with warnings.',
  fail: 'The model leaks training data beyond the release policy.',
  error: 'The gate could not decide (error); this is not a pass.',
};

function warningsSection(report: GateReport): string {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return '';
  return `<section><h2>Policy warnings</h2><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>`;
}

const STYLE = `
:root { color-scheme: light; --fail: #B00020; --warn: #8a5a00; --pass: #1a7f37; --muted: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
section, header { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
h1 { font-size: 1.5em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 0 0 12px; } h3 { font-size: 1.05em; margin: 20px 0 8px; }
.verdict { border-left: 8px solid var(--pass); } .verdict-fail, .verdict-error { border-left-color: var(--fail); } .verdict-warn { border-left-color: var(--warn); }
.headline { font-size: 1.2em; font-weight: 600; margin: 0; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 12px; color: #fff; background: var(--pass); font-size: 0.85em; letter-spacing: 0.05em; }
.verdict-fail .badge, .verdict-error .badge { background: var(--fail); } .verdict-warn .badge { background: var(--warn); }
.policy-changes.loosened { border-left: 4px solid #bf8700; }
.muted, figcaption, .note { color: var(--muted); font-size: 0.9em; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #d8dee4; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; }
td.num .v, td.num .ci { white-space: nowrap; } .why-none { color: var(--muted); font-size: 0.9em; }
table.attribute th[scope=row], table.paired th[scope=row] { font-weight: 400; background: none; }
table.attribute, table.paired, table.per-value { width: auto; } td.num small { white-space: nowrap; }
h4 { font-size: 1em; margin: 16px 0 6px; }
ul.why { margin: 10px 0 0; padding-left: 20px; } ul.why li { margin: 4px 0; }
.tie-note { background: #f6f8fa; border-left: 4px solid var(--warn); padding: 6px 10px; margin: 10px 0 0; }
details.every-check { margin-top: 10px; } details.every-check summary { cursor: pointer; color: var(--muted); }
table.generic th { font-weight: 600; }
tr.status-fail td.status, tr.status-error td.status { color: var(--fail); font-weight: 600; }
tr.status-warn td.status, tr.status-inconclusive td.status, tr.status-insufficient td.status { color: var(--warn); font-weight: 600; }
tr.status-pass td.status { color: var(--pass); }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; word-break: break-all; }
pre { white-space: pre-wrap; background: #fff5f5; border: 1px solid #f0c0c0; padding: 10px; border-radius: 6px; }
dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; margin: 0; } dt { font-weight: 600; } dd { margin: 0; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(360px, 100%), 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; } svg.chart { width: 100%; height: auto; max-width: 560px; display: block; }
.roc-layout { display: grid; grid-template-columns: minmax(0, 560px) 1fr; gap: 20px; align-items: start; }
@media (max-width: 900px) { .roc-layout { grid-template-columns: 1fr; } }
.legend { list-style: none; padding: 0; margin: 0 0 8px; } .legend li { margin: 2px 0; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -2px; margin-right: 6px; }
.gallery { display: flex; flex-wrap: wrap; gap: 16px; } .gallery figure { width: 140px; text-align: center; }
.gallery img { width: 128px; height: 128px; object-fit: contain; image-rendering: pixelated; border: 1px solid #d0d7de; background: #000; }
@media (max-width: 600px) { main { padding: 8px; } section, header { padding: 12px; } th, td { padding: 4px 5px; } body { font-size: 14px; } dl, dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; } dd { margin-bottom: 6px; }
  table.checks thead, table.checks-all thead { display: none; }
  table.checks tr, table.checks-all tr { display: block; padding: 6px 0; border-bottom: 1px solid #d8dee4; }
  table.checks td, table.checks-all td { display: block; border: 0; padding: 1px 0; text-align: left; }
  table.checks td::before, table.checks-all td::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  table.checks td.status br, table.checks-all td.status br { display: none; } table.checks td small { margin-left: 6px; } }
`;

function claimLine(report: GateReport): string {
  const claim = attacksClaim(report);
  return claim ? `<p class="counts">${escapeHtml(claim, 2000)}</p>` : '';
}

function countsLine(checks: Check[]): string {
  if (checks.length === 0) return '';
  const n = (s: Check['status']) => checks.filter((c) => c.status === s).length;
  const unsettled = [
    n('inconclusive') ? `${n('inconclusive')} inconclusive, ` : '',
    n('insufficient') ? `${n('insufficient')} with too few records, ` : '',
  ].join('');
  return `<p class="counts">${checks.length} checks: ${n('fail')} failed, ${n('warn')} warned, ${unsettled}${n('error')} could not be measured, ${n('pass')} passed.</p>`;
}

function errorSection(report: GateReport): string {
  const e = report.error;
  const probeErrors = report.probes.filter((p) => p.status === 'error');
  if (!e && probeErrors.length === 0) return '';
  const parts = ['<section class="error"><h2>Error</h2>'];
  if (e) {
    parts.push(`<pre>${escapeHtml(e.message, 8000)}</pre>`);
    if (e.file) {
      const at = e.line ? ` line ${e.line}${e.column ? `, column ${e.column}` : ''}` : '';
      parts.push(`<p>Where: <code>${escapeHtml(e.file)}</code>${at}${e.field ? ` (field <code>${escapeHtml(e.field)}</code>)` : ''}</p>`);
    }
  }
  for (const p of probeErrors)
    parts.push(`<p><strong>${escapeHtml(p.id)} probe failed:</strong> ${escapeHtml(p.error ?? 'unknown error')}</p>`);
  parts.push('</section>');
  return parts.join('\n');
}

function checksSection(checks: Check[], pct: number, report: GateReport): string {
  if (checks.length === 0) return '';
  const groups = groupChecks(checks);
  const head = `<thead><tr><th>Probe</th><th>Attack</th><th>Metric</th><th>Value (${pct}% CI)</th><th>Threshold</th><th>Status</th></tr></thead>`;
  const main = `<div class="table-wrap"><table class="checks">${head}<tbody>${groups.map((g) => checkRow(g.lead, report, g)).join('')}</tbody></table></div>`;
  // The other attacks against each line fold away: the strongest one decides what a reader does.
  const every =
    checks.length > groups.length
      ? `<details class="every-check"><summary>Every attack against every threshold (${formatCount(checks.length)} checks)</summary><div class="table-wrap"><table class="checks-all">${head}<tbody>${checks.map((c) => checkRow(c, report)).join('')}</tbody></table></div></details>`
      : '';
  const intro =
    checks.length > groups.length ? '<p class="muted">One row per threshold of the policy: the strongest attack against it.</p>' : '';
  return `<section><h2>Checks</h2>${intro}${main}${every}</section>`;
}

function checkRow(c: Check, report: GateReport, group?: CheckGroup): string {
  const label = metricLabel(c.metric, measurementOf(report, c)?.metrics?.[c.metric]);
  const others = group && group.others.length > 0 ? `<br><small>strongest of ${group.others.length + 1} attacks</small>` : '';
  const more = group && group.others.length > 0 ? `<br><small>${escapeHtml(othersSummary(group))}</small>` : '';
  const explanation = statusExplanation(c);
  const unsettled =
    c.status === 'insufficient' || c.status === 'inconclusive'
      ? `<br><small>${escapeHtml(explanation.replace(/^[a-z ]+: /, ''))}</small>`
      : '';
  // data-label: on a phone the rows stack, each cell named (CSS below), so the status stays on screen.
  return `<tr class="status-${escapeHtml(c.status)}"><td data-label="Probe">${escapeHtml(c.probe)}</td><td data-label="Attack">${escapeHtml(c.attack)}${others}</td><td data-label="Metric">${escapeHtml(label)}</td><td class="num" data-label="Value">${valueAndInterval(c)}</td><td data-label="Threshold">${escapeHtml(formatThreshold(c))}</td><td class="status" data-label="Status"${explanation ? ` title="${escapeHtml(explanation)}"` : ''}>${escapeHtml(c.status === 'insufficient' ? 'insufficient data' : c.status)}${unsettled}${more}</td></tr>`;
}

/** Why each threshold line did not pass, one sentence each, and what tied scores hide. */
function whyList(report: GateReport, checks: Check[]): string {
  const open = groupChecks(checks).filter((g) => g.lead.status !== 'pass');
  const items = open
    .slice(0, 20)
    .map((g) => `<li>${escapeHtml(explainGroup(g, report), 2000)}</li>`)
    .concat(open.length > 20 ? [`<li>…and ${open.length - 20} more thresholds, listed under Checks.</li>`] : [])
    .join('');
  const ties = tieNotes(report)
    .map((n) => `<p class="tie-note">${escapeHtml(n, 2000)}</p>`)
    .join('');
  return `${items ? `<ul class="why">${items}</ul>` : ''}${ties}`;
}

function exposureSection(report: GateReport, pct: number): string {
  const kind = modelKind(report);
  const items: Array<[string, string]> = [['Output surface', escapeHtml(describeSurface(report.surface, kind))]];
  if (report.inputs.model) items.push(['Model', `<code>${escapeHtml(report.inputs.model.path)}</code>`]);
  const shape = describeModelShape(report, (name) => `<code>${escapeHtml(name)}</code>`);
  const reason = report.sequenceModel?.scoreKindReason ?? report.model?.scoreKindReason;
  if (shape) items.push(['Input → output', `${shape}${reason ? ` (${escapeHtml(reason)})` : ''}`]);
  const tokenizer = describeTokenizer(report);
  if (tokenizer) {
    const files = report.inputs.data.filter((d) => TOKENIZER_ROLES.includes(d.role));
    const where = (files.length > 0 ? files.map((f) => f.path) : [String(report.sequenceModel!.tokenizer!.source)])
      .map((path) => `<code>${escapeHtml(path)}</code>`)
      .join(' and ');
    items.push(['Tokenizer', `${where}: ${escapeHtml(tokenizer, 300)}`]);
  }
  const runtime = describeRuntime(report.tool.runtime);
  if (runtime) items.push(['Ran on', escapeHtml(runtime, 100)]);
  if (report.model && kind === 'classifier') {
    const m = report.model;
    items.push([
      'Classes',
      `${formatCount(m.classes.length)}: ${m.classes
        .slice(0, 50)
        .map((c) => `<code>${escapeHtml(c, 100)}</code>`)
        .join(' ')}${m.classes.length > 50 ? ' …' : ''}`,
    ]);
  }
  for (const d of report.inputs.data) {
    if (tokenizer && TOKENIZER_ROLES.includes(d.role)) continue;
    const sampled = d.rows < d.rowsInFile ? ` (seeded sample of ${formatCount(d.rowsInFile)})` : '';
    items.push([escapeHtml(d.role), `<code>${escapeHtml(d.path)}</code>, ${formatCount(d.rows)} rows${sampled}`]);
  }
  if (report.seed !== null) items.push(['Seed', String(report.seed)]);
  items.push(['Model queries', formatCount(report.queries)], ['Intervals', `two-sided ${pct}%`]);
  return `<section><h2>What the model exposed</h2><dl>${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></section>`;
}

function probeSection(probe: ProbeResult, report: GateReport, pct: number, options: HtmlOptions): string {
  const parts = [
    `<section class="probe" id="probe-${escapeHtml(probe.id)}"><h2>${escapeHtml(probe.id)}: ${escapeHtml(probe.description)}</h2>`,
  ];
  if (probe.attacks.length > 0) {
    parts.push(metricsTable(probe, pct));
    parts.push(
      `<ul>${probe.attacks.map((a) => `<li><strong>${escapeHtml(a.attack)}</strong>: ${escapeHtml(a.description)}</li>`).join('')}</ul>`,
    );
  }
  parts.push(
    rocFigure(probe),
    histograms(probe),
    perClassTable(probe, report),
    images(probe, options),
    probe.attacks.map(attributeView).join(''),
    probe.id === 'extraction' ? probe.attacks.map(extractionView).join('') : '',
    otherDetails(probe),
  );
  if (probe.notes.length > 0)
    parts.push(`<h3>Notes</h3><ul class="note">${probe.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  parts.push(`<p class="muted">${formatCount(probe.queries)} model queries, ${formatNumber(probe.seconds, 2)} s.</p></section>`);
  return parts.join('\n');
}

function metricsTable(probe: ProbeResult, pct: number): string {
  const ids = [...new Set(probe.attacks.flatMap((a) => Object.keys(a.metrics ?? {})))];
  const head = ids.map((id) => `<th>${escapeHtml(metricLabel(id, firstMetric(probe, id)))}</th>`).join('');
  const rows = probe.attacks.map(
    (a) => `<tr><td>${escapeHtml(a.attack)}</td>${ids.map((id) => `<td class="num">${metricCell(id, a.metrics[id])}</td>`).join('')}</tr>`,
  );
  return `<h3>Every metric per attack (${pct}% intervals)</h3><div class="table-wrap"><table><thead><tr><th>Attack</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** Value and interval on lines of their own when the column is narrow; a missing value says why. */
function metricCell(id: string, metric: MetricValue | undefined): string {
  if (!metric || typeof metric.value !== 'number') return `<span class="why-none">${escapeHtml(formatMetric(id, metric))}</span>`;
  return valueAndInterval(metric);
}

/** Value and interval in spans of their own; a point difference's "interval" says it has none. */
function valueAndInterval(m: Pick<MetricValue, 'value' | 'ci' | 'pointOnly'>): string {
  const { value, interval } = estimateParts(m);
  return `<span class="v">${escapeHtml(value)}</span> <span class="ci">${escapeHtml(interval)}</span>`;
}

function firstMetric(probe: ProbeResult, id: string): MetricValue | undefined {
  return probe.attacks.find((a) => a.metrics[id])?.metrics[id];
}

function rocFigure(probe: ProbeResult): string {
  const curves: RocCurve[] = [];
  for (const a of probe.attacks) {
    const roc = a.details?.roc;
    if (!Array.isArray(roc)) continue;
    const points = roc
      .filter((p) => typeof p?.fpr === 'number' && typeof p?.tpr === 'number')
      .map((p) => ({ fpr: p.fpr, tpr: p.tpr, fp: p.fp, tp: p.tp }));
    if (points.length === 0) continue;
    const at = a.metrics['tpr-at-fpr']?.value;
    curves.push({ label: a.attack, points, atPolicyFpr: typeof at === 'number' ? at : undefined });
  }
  if (curves.length === 0) return '';
  const fpr = firstMetric(probe, 'tpr-at-fpr')?.fpr;
  const policyFpr = typeof fpr === 'number' ? fpr : undefined;
  const floor = logFloor(curves);
  const chart = rocChart(curves, { title: `${probe.id}: ROC per attack`, policyFpr });
  const legend = curves
    .map(
      (c, i) =>
        `<li><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${escapeHtml(c.label)}${c.atPolicyFpr !== undefined && policyFpr !== undefined ? `: TPR ${formatNumber(c.atPolicyFpr)} at FPR ${policyFpr}` : ''}</li>`,
    )
    .join('');
  return `<h3>ROC curves (log–log)</h3><div class="roc-layout"><figure>${chart}</figure><figcaption><ul class="legend">${legend}</ul>
<p>Both axes are logarithmic, so the low-FPR region where a few records are exposed with confidence is visible. A rate of 0 cannot be drawn on a log axis: it is drawn at ${floor}, the axis floor.${policyFpr !== undefined ? ` The dashed red line is the policy's FPR (${policyFpr}); dots mark each attack's TPR there.` : ''} The grey diagonal is chance.</p></figcaption></div>`;
}

function histograms(probe: ProbeResult): string {
  const figures = probe.attacks.flatMap((a) => {
    const h = a.details?.histogram;
    return isHistogram(h) ? [`<figure>${histogramChart(h, a.attack)}</figure>`] : [];
  });
  if (figures.length === 0) return '';
  return `<h3>Score distributions</h3><p class="muted"><span class="swatch" style="background:#D55E00"></span>members <span class="swatch" style="background:#0072B2;margin-left:12px"></span>non-members. Each set is normalised to its own size; the square-root scale keeps small bins visible.</p><div class="plots">${figures.join('')}</div>`;
}

function isHistogram(h: Histogram | undefined): h is Histogram {
  return !!h && typeof h.min === 'number' && typeof h.max === 'number' && Array.isArray(h.members) && Array.isArray(h.nonMembers);
}

/** Per-class rows in the membership shape ({ class, members, nonMembers, auc }); other shapes get the generic table. */
function hasAucRows(details: AttackDetails | undefined): details is AttackDetails & Required<Pick<AttackDetails, 'perClass'>> {
  const rows = details?.perClass;
  return Array.isArray(rows) && rows.length > 0 && rows.every((r) => typeof r?.class === 'number' && typeof r?.auc === 'object');
}

function perClassTable(probe: ProbeResult, report: GateReport): string {
  const withRows = probe.attacks.flatMap((a) => (hasAucRows(a.details) ? [{ attack: a.attack, rows: a.details.perClass }] : []));
  if (withRows.length === 0) return '';
  const byClass = new Map<number, { members?: number; nonMembers?: number; auc: Map<string, MetricValue | undefined> }>();
  for (const a of withRows) {
    for (const row of a.rows) {
      if (typeof row?.class !== 'number') continue;
      const entry = byClass.get(row.class) ?? { members: row.members, nonMembers: row.nonMembers, auc: new Map() };
      entry.auc.set(a.attack, row.auc);
      byClass.set(row.class, entry);
    }
  }
  if (byClass.size === 0) return '';
  const attacks = withRows.map((a) => a.attack);
  const rows = [...byClass.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([c, e]) =>
        `<tr><td>${escapeHtml(className(report, c))}</td><td class="num">${formatCount(e.members)}</td><td class="num">${formatCount(e.nonMembers)}</td>${attacks.map((a) => `<td class="num">${formatEstimate(e.auc.get(a))}</td>`).join('')}</tr>`,
    );
  return `<h3>Per class: AUC of each attack</h3><p class="muted">A class whose members are easier to tell apart is exposed more than the average suggests.</p><div class="table-wrap"><table><thead><tr><th>Class</th><th>Members</th><th>Non-members</th>${attacks.map((a) => `<th>${escapeHtml(a)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function images(probe: ProbeResult, options: HtmlOptions): string {
  const figures: string[] = [];
  for (const a of probe.attacks) {
    const list = a.details?.images;
    if (!Array.isArray(list)) continue;
    for (const image of list) {
      const label = escapeHtml(image?.label ?? '', 200);
      const caption = image?.caption ? `<br>${escapeHtml(image.caption, 300)}` : '';
      const bytes = typeof image?.path === 'string' ? options.readAsset?.(image.path) : undefined;
      const isPng = !!bytes && bytes.length > 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
      const img = isPng
        ? `<img alt="${label}" src="data:image/png;base64,${Buffer.from(bytes).toString('base64')}">`
        : `<p class="note">image not available: ${escapeHtml(image?.path ?? 'no path')}</p>`;
      figures.push(`<figure>${img}<figcaption><strong>${label}</strong>${caption}</figcaption></figure>`);
    }
  }
  if (figures.length === 0) return '';
  return `<h3>Reconstructions</h3><div class="gallery">${figures.join('')}</div>`;
}

/** Details no view above knows: arrays of records as tables, flat records as lists. */
function otherDetails(probe: ProbeResult): string {
  const parts: string[] = [];
  for (const a of probe.attacks) {
    for (const [key, value] of detailEntries(a.details)) {
      if (DRAWN_DETAILS.has(key) && (key !== 'perClass' || hasAucRows(a.details))) continue;
      if (typeof a.details?.attribute === 'string' && ATTRIBUTE_DETAILS.includes(key)) continue;
      if (probe.id === 'extraction' && EXTRACTION_DETAILS.has(key)) continue;
      const title = `<h3>${escapeHtml(a.attack)}: ${escapeHtml(plainName(key))}</h3>`;
      if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
        const rows = value.slice(0, 200);
        const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
        const more = value.length > rows.length ? `<p class="muted">First ${rows.length} of ${value.length} rows.</p>` : '';
        parts.push(
          `${title}<div class="table-wrap"><table class="generic"><thead><tr>${cols.map((c) => `<th>${escapeHtml(plainName(c))}</th>`).join('')}</tr></thead><tbody>${rows
            .map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
            .join('')}</tbody></table></div>${more}`,
        );
      } else if (isRecord(value)) {
        const entries = Object.entries(value).slice(0, 100);
        parts.push(`${title}<dl>${entries.map(([k, v]) => `<dt>${escapeHtml(plainName(k))}</dt><dd>${cell(v)}</dd>`).join('')}</dl>`);
      }
    }
  }
  return parts.join('\n');
}

/** A detail field's key in words: `nonMemberSimilarity` → "non member similarity". */
function plainName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The fields of an attack's details in the order the probe wrote them (the order of the JSON report). */
function detailEntries(details: AttackDetails | undefined): Array<[string, unknown]> {
  return Object.entries(details ?? {});
}

/** A plain object (not an array, and not a class instance such as a probe's in-memory rasters). */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function cell(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? formatCount(v) : formatNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return escapeHtml(String(v), 300);
  if (isRecord(v) && 'value' in v && 'ci' in v) return formatEstimate({ value: v['value'], ci: v['ci'] });
  if (v === null || v === undefined) return '';
  return `<code>${escapeHtml(JSON.stringify(v), 300)}</code>`;
}

function auditSection(report: GateReport): string {
  const rows = inputDigestRows(report);
  const timings = Object.entries(report.timings)
    .map(([k, v]) => `${escapeHtml(k)} ${formatNumber(v, 1)} ms`)
    .join(', ');
  return `<section><h2>Audit record</h2><div class="table-wrap"><table><thead><tr><th>Role</th><th>File</th><th>SHA-256</th></tr></thead><tbody>${rows
    .map(([r, f, s]) => `<tr><td>${escapeHtml(r)}</td><td><code>${escapeHtml(f)}</code></td><td><code>${escapeHtml(s)}</code></td></tr>`)
    .join(
      '',
    )}</tbody></table></div><p class="muted">${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)} · timings: ${timings || 'none'} · the same inputs and seed give the same numbers.</p></section>`;
}
