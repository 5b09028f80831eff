/**
 * Which annotations a run produces, as data: GitHub shows at most 10 errors and 10 warnings per
 * step, so the most severe go first, one per threshold line of the policy (on that line, naming
 * the strongest attack and counting the others), and one notice says how many more lines the job
 * summary lists. Pure; src/github/annotations.ts emits them.
 */
import { countsAs, rulesOf } from '../gate/verdict';
import type { Check, GateReport } from '../result';
import { groupChecks, operatingPointOf, othersSummary, type CheckGroup } from './explain';
import { plainText } from './escape';
import { formatEstimate, formatThreshold, metricLabel, statusExplanation } from './format';
import { locate, type LocateContext } from './locate';

export const MAX_ANNOTATIONS_PER_LEVEL = 10;

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title: string;
  message: string;
  /** Relative to the repository root. */
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export function selectAnnotations(report: GateReport, ctx: LocateContext, max = MAX_ANNOTATIONS_PER_LEVEL): Annotation[] {
  const errors: Annotation[] = [];
  const warnings: Annotation[] = [];
  let errorsLeft = 0;
  let warningsLeft = 0;
  if (report.error?.file) {
    const where = locate({ ...report.error, file: report.error.file }, report, ctx);
    errors.push({
      level: 'error',
      title: report.error.exitCode === 2 ? 'Model Privacy Gate: invalid input' : 'Model Privacy Gate: error',
      message: plainText(report.error.message, 4000),
      ...position(where),
    });
  }
  // One annotation per threshold line of the policy: its strongest attack, the others counted.
  const open = groupChecks(report.probes.flatMap((p) => p.checks)).filter((g) => g.lead.status !== 'pass');
  for (const group of open) {
    const isError = levelOf(group.lead, report) === 'error';
    const list = isError ? errors : warnings;
    if (list.length >= max) {
      if (!isError) warningsLeft++;
      else errorsLeft++;
      continue;
    }
    list.push(checkAnnotation(group, report, ctx));
  }
  const out = [...errors, ...warnings];
  if (errorsLeft + warningsLeft > 0) {
    const parts = [];
    if (errorsLeft) parts.push(`${errorsLeft} more failed`);
    if (warningsLeft) parts.push(`${warningsLeft} more warned`);
    out.push({
      level: 'notice',
      title: 'Model Privacy Gate: more results',
      message: `${parts.join(' and ')} ${errorsLeft + warningsLeft === 1 ? 'threshold is' : 'thresholds are'} listed in the job summary (GitHub shows ${max} errors and ${max} warnings per step).`,
    });
  }
  return out;
}

function checkAnnotation(group: CheckGroup, report: GateReport, ctx: LocateContext): Annotation {
  const check = group.lead;
  const where = locate(check.source, report, ctx);
  const name = `${plainText(check.probe, 100)}/${plainText(check.attack, 100)}`;
  const metric = plainText(metricLabel(check.metric), 100);
  const title = {
    fail: `Privacy leak: ${metric} over the fail threshold`,
    warn: `Privacy warning: ${metric} over the warn threshold`,
    error: `Privacy gate: ${metric} could not be measured`,
    inconclusive: `Privacy gate: ${metric} inconclusive (interval reaches over the fail threshold)`,
    insufficient: `Privacy gate: too few records to measure ${metric}`,
    pass: '',
  }[check.status];
  const value = formatEstimate(check);
  const inherited = where?.inheritedFrom ? ` (threshold set in ${where.inheritedFrom.file}, line ${where.inheritedFrom.line})` : '';
  const others = group.others.length > 0 ? ` The strongest of ${group.others.length + 1} attacks; ${othersSummary(group)}.` : '';
  const point = check.status === 'error' || check.status === 'insufficient' ? '' : operatingPointOf(check, report);
  const why = point ? ` ${point.charAt(0).toUpperCase()}${point.slice(1)}.` : '';
  const message = plainText(
    check.status === 'error'
      ? `${name}: ${metric} could not be computed, so the gate cannot pass (${formatThreshold(check)})${inherited}.${others}`
      : `${name}: ${metric} = ${value}${statusExplanation(check) ? `, ${statusExplanation(check)}` : ''}; policy: ${formatThreshold(check)}${inherited}.${others}${why}`,
    4000,
  );
  return { level: levelOf(check, report), title, message, ...position(where) };
}

/** Inconclusive and insufficient checks take the level of what the run's policy counts them as. */
function levelOf(check: Check, report: GateReport): Annotation['level'] {
  const counts = countsAs(check.status, rulesOf(report));
  return counts === 'warn' ? 'warning' : counts === 'pass' ? 'notice' : 'error';
}

function position(where: ReturnType<typeof locate>): Pick<Annotation, 'file' | 'startLine' | 'startColumn'> {
  if (!where) return {};
  return {
    file: where.file,
    ...(where.line ? { startLine: where.line } : {}),
    ...(where.line && where.column ? { startColumn: where.column } : {}),
  };
}
