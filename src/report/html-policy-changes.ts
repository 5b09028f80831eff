/**
 * "Policy changes in this PR" for report.html: the HTML twin of ./policy-changes (Markdown),
 * loosened rules first. Every field, value, reason, path and SHA comes from a policy or the
 * workflow: each goes through escapeHtml. Pure.
 */
import type { PolicyChange } from '../policy/diff';
import type { GateReport } from '../result';
import { escapeHtml } from './escape';
import { MAX_LISTED_CHANGES } from './policy-changes';

const HEADING = '<h2>Policy changes in this PR</h2>';

/** The section, or '' when the run was not for a pull request. */
export function policyChangesHtml(report: GateReport): string {
  const comparison = report.policyChanges;
  if (!comparison) return '';
  const sha = comparison.baseSha ? ` <code>${escapeHtml(comparison.baseSha.slice(0, 12))}</code>` : '';
  const enforced =
    comparison.enforced === 'base'
      ? ' The base commit’s policy gated this run (policy-from: base).'
      : ' The pull request’s own policy gated this run.';
  const section = (inner: string, loosened = false) =>
    `<section class="policy-changes${loosened ? ' loosened' : ''}">${HEADING}${inner}</section>`;
  if (comparison.status === 'not-compared') {
    return section(
      `<p><strong>Not compared</strong> with the base commit${sha}: ${escapeHtml(comparison.reason ?? 'unknown reason', 1000)}. Rules this pull request loosens, if any, are not listed.</p>`,
      true,
    );
  }
  if (comparison.status === 'new-policy') {
    return section(
      `<p>The policy is new in this pull request (the base commit${sha} has no such file): nothing to compare.${enforced}</p>`,
    );
  }
  const changes = comparison.changes;
  if (changes.length === 0) return section(`<p>No changes to the policy since the base commit${sha}.${enforced}</p>`);
  const loosened = changes.filter((c) => c.kind === 'loosened');
  const others = changes.filter((c) => c.kind !== 'loosened');
  const listed = [...loosened, ...others].slice(0, MAX_LISTED_CHANGES);
  const parts = [
    loosened.length > 0
      ? `<p><strong>This pull request loosens ${loosened.length} ${loosened.length === 1 ? 'rule' : 'rules'}</strong> of the policy that gates it (compared with the base commit${sha}).${enforced}</p>`
      : `<p>Compared with the base commit${sha}: nothing is loosened.${enforced}</p>`,
    list(
      'Loosened',
      listed.filter((c) => c.kind === 'loosened'),
    ),
    list(
      'Other changes',
      listed.filter((c) => c.kind !== 'loosened'),
    ),
  ];
  if (changes.length > listed.length)
    parts.push(`<p class="muted">${changes.length - listed.length} more changes are listed in privacy-report.json.</p>`);
  return section(parts.join(''), loosened.length > 0);
}

function list(title: string, items: PolicyChange[]): string {
  if (items.length === 0) return '';
  return `<h3>${title}</h3><ul>${items.map(changeItem).join('')}</ul>`;
}

function changeItem(change: PolicyChange): string {
  const kind = change.kind === 'loosened' ? '⚠️ loosened' : escapeHtml(change.kind);
  const values = `${valueHtml(change.base)} → ${valueHtml(change.head)}`;
  const reason = change.reason ? `: ${escapeHtml(change.reason, 300)}` : '';
  const where = `<code>${escapeHtml(`${change.location.file}:${change.location.line}`, 300)}</code>`;
  return `<li class="change-${change.kind === 'loosened' ? 'loosened' : 'other'}">${kind} <code>${escapeHtml(change.field, 200)}</code>: ${values}${reason} (${where})</li>`;
}

function valueHtml(value: string | undefined): string {
  return value === undefined ? '<em>not set</em>' : `<code>${escapeHtml(value, 120)}</code>`;
}
