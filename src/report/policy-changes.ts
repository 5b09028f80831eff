/**
 * "Policy changes in this PR": what the pull request changed in the policy that gates it
 * (report.policyChanges, src/github/base-policy.ts), loosened rules first, for the job summary,
 * the PR comment and the annotations. Every value, field and path comes from a policy: each is
 * escaped for its channel. Pure.
 */
import type { PolicyChange } from '../policy/diff';
import type { GateReport, PolicyComparison } from '../result';
import type { Annotation } from './annotations';
import { codeSpan, escapeMarkdown, plainText } from './escape';
import { locate, type LocateContext } from './locate';

/** Changes listed in the Markdown; the rest are counted (privacy-report.json has them all). */
export const MAX_LISTED_CHANGES = 40;

const SECTION = '### Policy changes in this PR';

/** The Markdown section, or '' when the run was not for a pull request. */
export function policyChangesMarkdown(report: GateReport): string {
  const comparison = report.policyChanges;
  if (!comparison) return '';
  const sha = comparison.baseSha ? ` ${codeSpan(comparison.baseSha.slice(0, 12))}` : '';
  const enforced =
    comparison.enforced === 'base'
      ? ' The base commit’s policy gated this run (policy-from: base).'
      : ' The pull request’s own policy gated this run.';
  if (comparison.status === 'not-compared') {
    return [
      SECTION,
      '',
      '> [!WARNING]',
      `> **Not compared** with the base commit${sha}: ${escapeMarkdown(comparison.reason ?? 'unknown reason', 1000)}. Rules this pull request loosens, if any, are not listed.`,
    ].join('\n');
  }
  if (comparison.status === 'new-policy') {
    return [
      SECTION,
      '',
      `The policy is new in this pull request (the base commit${sha} has no such file): nothing to compare.${enforced}`,
    ].join('\n');
  }
  const changes = comparison.changes;
  if (changes.length === 0) return [SECTION, '', `No changes to the policy since the base commit${sha}.${enforced}`].join('\n');
  const loosened = changes.filter((c) => c.kind === 'loosened');
  const others = changes.filter((c) => c.kind !== 'loosened');
  const lines = [SECTION, ''];
  if (loosened.length > 0) {
    lines.push(
      '> [!WARNING]',
      `> **This pull request loosens ${loosened.length} ${loosened.length === 1 ? 'rule' : 'rules'}** of the policy that gates it (compared with the base commit${sha}).${enforced}`,
      '',
    );
  } else {
    lines.push(`Compared with the base commit${sha}: nothing is loosened.${enforced}`, '');
  }
  const listed = [...loosened, ...others].slice(0, MAX_LISTED_CHANGES);
  const section = (title: string, items: PolicyChange[]) => {
    if (items.length === 0) return;
    lines.push(`**${title}**`, '', ...items.map(changeLine), '');
  };
  section(
    'Loosened',
    listed.filter((c) => c.kind === 'loosened'),
  );
  section(
    'Other changes',
    listed.filter((c) => c.kind !== 'loosened'),
  );
  if (changes.length > listed.length) lines.push(`${changes.length - listed.length} more changes are listed in privacy-report.json.`, '');
  return lines.join('\n').trimEnd();
}

function changeLine(change: PolicyChange): string {
  const kind = change.kind === 'loosened' ? '⚠️ loosened' : change.kind;
  const values = `${valueText(change.base)} → ${valueText(change.head)}`;
  const reason = change.reason ? `: ${escapeMarkdown(change.reason, 300)}` : '';
  const where = `${codeSpan(`${change.location.file}:${change.location.line}`, 300)}`;
  return `- ${kind} ${codeSpan(change.field, 200)}: ${values}${reason} (${where})`;
}

function valueText(value: string | undefined): string {
  return value === undefined ? '_not set_' : codeSpan(value, 120);
}

/**
 * One warning per loosened rule, on the head policy's line that writes it (or, for a rule
 * inherited from a preset, the `extends:` line that pulls it in).
 */
export function policyChangeAnnotations(report: GateReport, ctx: LocateContext, max = 10): Annotation[] {
  const comparison: PolicyComparison | undefined = report.policyChanges;
  if (!comparison) return [];
  // A comparison not made is a warning of its own in the log (src/main.ts), not on a line.
  return comparison.changes
    .filter((c) => c.kind === 'loosened')
    .slice(0, max)
    .map((change) => {
      const where = locate(change.location, report, ctx);
      const from = change.base ?? 'not set';
      const to = change.head ?? 'not set';
      return {
        level: 'warning',
        title: plainText(`Policy loosened: ${change.field}`, 200),
        message: plainText(`This pull request loosens ${change.field}: ${from} → ${to} (${change.reason}).`, 1000),
        ...(where
          ? {
              file: where.file,
              ...(where.line ? { startLine: where.line } : {}),
              ...(where.line && where.column ? { startColumn: where.column } : {}),
            }
          : {}),
      };
    });
}
