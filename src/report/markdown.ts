/**
 * The Markdown report: summary.md, the job summary and the PR comment carry the same text.
 * Verdict first, then the checks that did not pass, what the model exposed and links; the rest
 * folded into `<details>`. When a size limit is given, sections are dropped (details first) and
 * the text says so. Pure: report in, text out.
 */
import { bySeverity } from '../gate/verdict';
import { baselineMarkdown } from './baseline';
import { canaryTable } from './canaries';
import { generationTables } from './generation';
import { explainGroup, groupChecks, othersSummary, tieNotes, type CheckGroup } from './explain';
import { policyChangesMarkdown } from './policy-changes';
import type { AttackDetails, Check, GateReport, ProbeResult, Verdict } from '../result';
import { codeBlock, codeSpan, escapeHtmlForGithub, escapeMarkdown, tableCodeSpan } from './escape';
import {
  attacksClaim,
  describeModelShape,
  describeTokenizer,
  describeRuntime,
  describeSurface,
  modelKind,
  formatCount,
  formatMetric,
  formatEstimate,
  formatNumber,
  formatThreshold,
  metricLabel,
  inputDigestRows,
  TOKENIZER_ROLES,
  STATUS_ICON,
  statusExplanation,
  VERDICT_HEADLINE,
} from './format';

export interface MarkdownLink {
  text: string;
  /** Built by the caller from trusted values (the runner's environment), never from the report. */
  url: string;
}

export interface MarkdownOptions {
  /** Lines before the heading, e.g. the comment's hidden marker. Never shortened. */
  preamble?: string[];
  /** Links to the workflow run; absent in the CLI's summary.md. */
  links?: MarkdownLink[];
  /** Folder that holds report.html and privacy-report.json, as the reader will find it. */
  reportFolder?: string;
  /** Verdict of the earlier run this text replaces (the comment), to say that the gate now passes. */
  previousVerdict?: Verdict;
  /** Size limit: GitHub's comment limit counts characters, the job summary's counts bytes. */
  limit?: { max: number; unit: 'characters' | 'bytes' };
}

/** A piece of the text; `drop` > 0 marks what may be left out to fit a limit, highest first. */
interface Block {
  text: string;
  drop?: number;
  /** What the shortened-text note calls this block when it is left out. */
  name?: string;
}

export function renderMarkdown(report: GateReport, options: MarkdownOptions = {}): string {
  const checks = report.probes.flatMap((p) => p.checks).sort(bySeverity);
  const open = checks.filter((c) => c.status !== 'pass');
  const pct = Math.round((report.confidence ?? 0.95) * 100);
  const blocks: Block[] = [
    { text: [...(options.preamble ?? []), ...headline(report, checks, options.previousVerdict)].join('\n') },
    // Right under the verdict: a pull request that loosens the rules gating it is read first.
    { text: policyChangesMarkdown(report) },
    { text: errorBlock(report) },
    { text: policyWarnings(report) },
    ...report.probes.filter((p) => p.status === 'error').map((p) => ({ text: probeError(p) })),
  ];
  // One row per threshold line, its strongest attack first; the lines that need attention stay,
  // and when every check passes the table shows them all.
  const groups = groupChecks(checks);
  const openGroups = groups.filter((g) => g.lead.status !== 'pass');
  const main = openGroups.length > 0 ? openGroups : groups;
  const label = metricLabeller(report);
  blocks.splice(2, 0, { text: whyBlock(report, openGroups) }); // after the verdict and the policy changes
  const mainTable: Block = { text: groupsTable(main, pct, label) };
  blocks.push(mainTable);
  blocks.push({ text: baselineMarkdown(report, pct), drop: 1, name: 'the comparison with the released model' });
  blocks.push({ text: facts(report, pct) });
  blocks.push({ text: linksLine(options) });
  if (open.length > 0 && openGroups.length < groups.length) {
    const passing = groups.filter((g) => g.lead.status === 'pass');
    blocks.push({
      text: folded(`${passing.length} ${plural(passing.length, 'threshold passes', 'thresholds pass')}`, groupsTable(passing, pct, label)),
      drop: 1,
      name: 'the passing checks',
    });
  }
  if (checks.length > groups.length) {
    blocks.push({
      text: folded(`Every attack against every threshold (${checks.length} checks)`, checksTable(checks, pct, label)),
      drop: 1.5,
      name: 'the checks of every attack',
    });
  }
  report.probes.forEach((probe, i) => {
    const text = probeDetails(probe, report, pct);
    if (text) blocks.push({ text, drop: 2 + report.probes.length - i, name: `the ${probe.id} details` });
  });
  blocks.push({ text: inputsDetails(report), drop: 2 + report.probes.length + 1, name: 'the input digests' });
  blocks.push({ text: footer(report) });
  return fit(blocks, mainTable, (shown, omitted) => groupsTable(shown, pct, label, omitted), main, options.limit);
}

function headline(report: GateReport, checks: Check[], previous: Verdict | undefined): string[] {
  const name = report.policy.name ? `: ${escapeMarkdown(report.policy.name, 200)}` : '';
  const lines = [`## Model Privacy Gate${name}`, '', `**Verdict: ${VERDICT_HEADLINE[report.verdict]}**`];
  const count = (status: Check['status']) => checks.filter((c) => c.status === status).length;
  if (checks.length > 0) {
    const parts = [];
    if (count('fail')) parts.push(`${count('fail')} over a fail threshold`);
    if (count('warn')) parts.push(`${count('warn')} over a warn threshold`);
    if (count('inconclusive')) parts.push(`${count('inconclusive')} inconclusive (the interval reaches over the fail threshold)`);
    if (count('insufficient')) parts.push(`${count('insufficient')} with too few records to measure`);
    if (count('error')) parts.push(`${count('error')} could not be measured`);
    const of = `${checks.length} ${plural(checks.length, 'check', 'checks')}`;
    lines.push('', parts.length > 0 ? `${of}: ${parts.join(', ')}.` : `All ${of} within the policy.`);
  }
  const claim = attacksClaim(report);
  if (claim) lines.push('', escapeMarkdown(claim, 2000));
  const passesNow = report.verdict === 'pass' || report.verdict === 'warn';
  if (passesNow && (previous === 'fail' || previous === 'error')) {
    lines.push('', '> [!NOTE]', '> **The gate now passes.** An earlier run on this pull request did not; this comment was updated.');
  }
  return lines;
}

function errorBlock(report: GateReport): string {
  const error = report.error;
  if (!error) return '';
  const lines = [codeBlock(error.message)];
  if (error.file) {
    const where = [`**Where:** ${codeSpan(error.file)}`];
    if (error.line) where.push(` line ${error.line}${error.column ? `, column ${error.column}` : ''}`);
    if (error.field) where.push(` (field ${codeSpan(error.field)})`);
    lines.push('', where.join(''));
  }
  const advice =
    error.exitCode === 2
      ? 'Fix the policy, model or data named above and run again.'
      : 'The gate could not finish; no verdict on leakage was reached.';
  lines.push('', advice);
  return lines.join('\n');
}

function policyWarnings(report: GateReport): string {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return '';
  return ['**Policy warnings** (settings the gate ignored):', '', ...warnings.slice(0, 20).map((w) => `- ${escapeMarkdown(w, 1000)}`)].join(
    '\n',
  );
}

function probeError(probe: ProbeResult): string {
  return `**${escapeMarkdown(probe.id)} probe failed:** ${escapeMarkdown(probe.error ?? 'unknown error', 2000)}`;
}

/** A check's metric label with the measurement's facts (e.g. "TPR at FPR 0.01"). */
function metricLabeller(report: GateReport): (check: Check) => string {
  return (c) => {
    const attack = report.probes.find((p) => p.id === c.probe)?.attacks.find((a) => a.attack === c.attack);
    return metricLabel(c.metric, attack?.metrics?.[c.metric]);
  };
}

function checksTable(checks: Check[], pct: number, label: (check: Check) => string, omitted = 0): string {
  if (checks.length === 0) return '';
  const lines = [`| Probe | Attack | Metric | Value (${pct}% CI) | Threshold | Status |`, '|---|---|---|---|---|---|'];
  for (const c of checks) {
    lines.push(
      `| ${escapeMarkdown(c.probe)} | ${escapeMarkdown(c.attack)} | ${escapeMarkdown(label(c))} | ${formatEstimate(c)} | ${formatThreshold(c)} | ${STATUS_ICON[c.status] ?? 'unknown'} |`,
    );
  }
  const explained = checks.filter((c) => statusExplanation(c));
  if (explained.length > 0)
    lines.push('', ...explained.map((c) => `- ${escapeMarkdown(`${c.probe}/${c.attack} ${label(c)}`)}: ${statusExplanation(c)}.`));
  if (omitted > 0)
    lines.push('', `…and ${omitted} more ${plural(omitted, 'check', 'checks')}, left out to fit; the full report lists every check.`);
  return lines.join('\n');
}

/** One row per threshold line: the strongest attack's check, and how the other attacks fared. */
function groupsTable(groups: CheckGroup[], pct: number, label: (check: Check) => string, omitted = 0): string {
  if (groups.length === 0) return '';
  const lines = [`| Probe | Attack | Metric | Value (${pct}% CI) | Threshold | Status |`, '|---|---|---|---|---|---|'];
  for (const { lead: c, others } of groups) {
    const attack = others.length > 0 ? `${escapeMarkdown(c.attack)} (strongest of ${others.length + 1})` : escapeMarkdown(c.attack);
    const more = others.length > 0 ? `; ${escapeMarkdown(othersSummary({ lead: c, others }))}` : '';
    lines.push(
      `| ${escapeMarkdown(c.probe)} | ${attack} | ${escapeMarkdown(label(c))} | ${formatEstimate(c)} | ${formatThreshold(c)} | ${STATUS_ICON[c.status] ?? 'unknown'}${more} |`,
    );
  }
  if (omitted > 0)
    lines.push(
      '',
      `…and ${omitted} more ${plural(omitted, 'threshold', 'thresholds')}, left out to fit; the full report lists every check.`,
    );
  return lines.join('\n');
}

const MAX_SENTENCES = 10;

/** Why each threshold line did not pass, one sentence each, and what tied scores hide. */
function whyBlock(report: GateReport, groups: CheckGroup[]): string {
  // The most severe lines; the rest are in the table (a policy has a handful of thresholds).
  const lines = groups.slice(0, MAX_SENTENCES).map((g) => `- ${escapeMarkdown(explainGroup(g, report), 2000)}`);
  if (groups.length > MAX_SENTENCES) lines.push(`- …and ${groups.length - MAX_SENTENCES} more thresholds, listed in the table below.`);
  const ties = tieNotes(report).map((n) => `> [!NOTE]\n> ${escapeMarkdown(n, 2000)}`);
  return [lines.join('\n'), ...ties].filter(Boolean).join('\n\n');
}

/** What the model exposed and what it was tested on: the facts a reviewer weighs the numbers by. */
function facts(report: GateReport, pct: number): string {
  const lines = ['### What the model exposed', '', `- **Output surface:** ${describeSurface(report.surface, modelKind(report))}`];
  const model = report.inputs.model;
  if (model) {
    const shape = describeModelShape(report, codeSpan);
    lines.push(`- **Model:** ${codeSpan(model.path)} (sha256 ${codeSpan(String(model.sha256).slice(0, 12))})${shape ? `: ${shape}` : ''}`);
  }
  const tokenizer = describeTokenizer(report);
  if (tokenizer) {
    const files = report.inputs.data.filter((d) => TOKENIZER_ROLES.includes(d.role));
    const where =
      files.length > 0
        ? files.map((f) => `${codeSpan(f.path)} (sha256 ${codeSpan(String(f.sha256).slice(0, 12))})`).join(' and ')
        : codeSpan(String(report.sequenceModel!.tokenizer!.source));
    lines.push(`- **Tokenizer:** ${where}: ${escapeMarkdown(tokenizer, 300)}`);
  }
  const runtime = describeRuntime(report.tool.runtime);
  if (runtime) lines.push(`- **Ran on:** ${escapeMarkdown(runtime, 100)}`);
  for (const d of report.inputs.data) {
    if (tokenizer && TOKENIZER_ROLES.includes(d.role)) continue;
    const sampled = d.rows < d.rowsInFile ? ` (seeded sample of ${formatCount(d.rowsInFile)})` : '';
    lines.push(`- **${escapeMarkdown(d.role)}:** ${codeSpan(d.path)}, ${formatCount(d.rows)} rows${sampled}`);
  }
  if (report.seed !== null) {
    lines.push(`- **Seed:** ${report.seed} · **Model queries:** ${formatCount(report.queries)} · **Intervals:** two-sided ${pct}%`);
  }
  return lines.join('\n');
}

function linksLine(options: MarkdownOptions): string {
  const links = (options.links ?? [])
    .filter((link) => /^https?:\/\/[^\s()<>]+$/.test(link.url))
    .map((link) => `[${escapeMarkdown(link.text)}](${link.url})`);
  if (options.reportFolder) {
    const folder = options.reportFolder;
    return [
      `**Full report:** ${codeSpan(`${folder}/report.html`)} (plots) and ${codeSpan(`${folder}/privacy-report.json`)} (audit record)`,
      ...links,
    ].join(' · ');
  }
  // Publish-only: the files are in the measuring run's artifacts.
  return links.length > 0
    ? `**Full report:** \`report.html\` and \`privacy-report.json\` in the artifacts of the ${links.join(' · ')}`
    : '';
}

function probeDetails(probe: ProbeResult, report: GateReport, pct: number): string {
  if (probe.attacks.length === 0) return '';
  // Columns: every metric any attack reported, in first-seen order (new probes need no change here).
  const metricIds = [...new Set(probe.attacks.flatMap((a) => Object.keys(a.metrics ?? {})))];
  const worst = probe.attacks.some((a) => worstClass(a.details) !== undefined);
  const header = [
    'Attack',
    ...metricIds.map((id) => escapeMarkdown(metricLabel(id, probe.attacks.find((a) => a.metrics[id])?.metrics[id]))),
    ...(worst ? ['Worst class (AUC)'] : []),
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---|').join('')}`];
  for (const a of probe.attacks) {
    const cells = [escapeMarkdown(a.attack), ...metricIds.map((id) => formatMetric(id, a.metrics[id]))];
    if (worst) {
      const w = worstClass(a.details);
      cells.push(w ? `${escapeMarkdown(className(report, w.class))} (${formatNumber(w.auc)})` : 'n/a');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  for (const a of probe.attacks) lines.push(`- **${escapeMarkdown(a.attack)}:** ${escapeMarkdown(a.description)}`);
  lines.push(...canaryTable(probe));
  lines.push(...generationTables(probe));
  lines.push(
    '',
    `Intervals are two-sided at ${pct}%${metricIds.includes('epsilon-lower-bound') ? '; the ε lower bound is one-sided and already corrected for the threshold search' : ''}.`,
  );
  for (const note of probe.notes) lines.push(`- ${escapeMarkdown(note, 1000)}`);
  const summary = `${escapeHtmlForGithub(probe.id)}: every metric per attack (${formatCount(probe.queries)} model queries)`;
  return folded(summary, lines.join('\n'), true);
}

function inputsDetails(report: GateReport): string {
  const rows = inputDigestRows(report);
  if (rows.length === 0) return '';
  const lines = ['| Role | File | SHA-256 |', '|---|---|---|'];
  for (const [role, file, sha] of rows) lines.push(`| ${escapeMarkdown(role)} | ${tableCodeSpan(file)} | ${tableCodeSpan(sha)} |`);
  return folded('Inputs and their SHA-256 digests (the audit record)', lines.join('\n'), true);
}

function footer(report: GateReport): string {
  // A paragraph with inline HTML: Markdown inside is live, so this is Markdown-escaped.
  return `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · policy ${escapeMarkdown(report.policy.file)}</sub>`;
}

/**
 * `<details>` alone on its line opens an HTML block that runs to the next blank line, so the
 * `<summary>` line is raw HTML (Markdown there is not rendered): it is HTML-escaped.
 */
function folded(summary: string, body: string, summaryIsHtml = false): string {
  const title = summaryIsHtml ? summary : escapeHtmlForGithub(summary);
  return ['<details>', `<summary>${title}</summary>`, '', body, '', '</details>'].join('\n');
}

function worstClass(details: AttackDetails | undefined): { class: number; auc: unknown } | undefined {
  const w = details?.worstClass;
  if (!w || typeof w.class !== 'number') return undefined;
  return { class: w.class, auc: w.auc?.value };
}

/** The model's name for a class index, or the index itself. */
export function className(report: GateReport, index: number): string {
  return report.model?.classes[index] ?? String(index);
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** Joins the blocks; over the limit, drops blocks (highest `drop` first), then rows of the main table. */
function fit(
  blocks: Block[],
  mainTable: Block,
  table: (shown: CheckGroup[], omitted: number) => string,
  main: CheckGroup[],
  limit: MarkdownOptions['limit'],
): string {
  const join = (list: Block[], note = '') => {
    const parts = list.map((b) => b.text).filter((t) => t !== '');
    if (note) parts.splice(parts.length - 1, 0, note);
    return (
      parts
        .join('\n\n')
        .replace(/\n{3,}/g, '\n\n')
        .trimEnd() + '\n'
    );
  };
  const full = join(blocks);
  if (!limit) return full;
  const size = (text: string) => (limit.unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length);
  if (size(full) <= limit.max) return full;

  const kept = [...blocks];
  const omitted: string[] = [];
  const note = () =>
    `_Shortened to fit GitHub's limit of ${formatCount(limit.max)} ${limit.unit}: left out ${omitted.join(', ')}. The full report has everything._`;
  const droppable = blocks.filter((b) => b.drop).sort((a, b) => b.drop! - a.drop!);
  for (const block of droppable) {
    kept.splice(kept.indexOf(block), 1);
    omitted.push(block.name ?? 'a section');
    const text = join(kept, note());
    if (size(text) <= limit.max) return text;
  }
  // Still too long: keep as many of the most severe checks as fit (binary search on the count).
  omitted.push('some checks');
  let lo = 0;
  let hi = main.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    mainTable.text = table(main.slice(0, mid), main.length - mid);
    if (size(join(kept, note())) <= limit.max) lo = mid;
    else hi = mid - 1;
  }
  mainTable.text = table(main.slice(0, lo), main.length - lo);
  const text = join(kept, note());
  // Only a pathological error message or preamble can still be too long; cut it hard.
  return size(text) <= limit.max ? text : cut(text, limit.max, size);
}

function cut(text: string, max: number, size: (t: string) => number): string {
  const tail = "\n\n_…cut to fit GitHub's size limit._\n";
  let end = Math.min(text.length, max);
  while (end > 0 && size(text.slice(0, end) + tail) > max) end = Math.floor(end * 0.9);
  return text.slice(0, end) + tail;
}
