/**
 * The extraction probe's generation-extraction tables: per ranking, how many of its top samples
 * are extracted; then the listed samples. The probe has already cut and redacted every excerpt
 * (member text and secret-like strings masked); this only lays the rows out.
 */
import type { ProbeResult } from '../result';
import { escapeMarkdown } from './escape';
import { formatCount, formatNumber } from './format';

/** Samples shown in the Markdown summary (the JSON and HTML reports list all the probe listed). */
const SHOWN = 5;

/** Markdown lines; empty when the probe ran no generation extraction. */
export function generationTables(probe: Pick<ProbeResult, 'attacks'>): string[] {
  const attack = probe.attacks.find((a) => Array.isArray(a.details?.rankings));
  const d = attack?.details;
  if (!d?.rankings) return [];
  const lines = [
    '',
    `| Ranking | Top samples inspected | Extracted | Verbatim (common text included) |`,
    '|---|---|---|---|',
    ...d.rankings.map(
      (r) => `| ${escapeMarkdown(r.ranking)} | ${formatCount(r.inspected)} | ${formatCount(r.extracted)} | ${formatCount(r.verbatim)} |`,
    ),
  ];
  if (typeof d.nonMemberWindows === 'number' && typeof d.commonWindows === 'number') {
    lines.push(
      '',
      `Non-member baseline: ${formatCount(d.commonWindows)} of ${formatCount(d.nonMemberWindows)} ${formatCount(d.matchTokens)}-token windows of the non-member texts occur verbatim in the member texts; member text they share is common text and is not counted as extracted.`,
    );
  }
  const samples = (d.samples ?? []).slice(0, SHOWN);
  if (samples.length > 0) {
    lines.push('', '| Sample (redacted excerpt) | Extracted | Member tokens | Perplexity | Member line |', '|---|---|---|---|---|');
    for (const s of samples) {
      lines.push(
        `| ${escapeMarkdown(s.excerpt)} | ${s.extracted ? 'yes' : 'common text only'} | ${formatCount(s.memberTokens)} of ${formatCount(s.tokens)} | ${formatNumber(s.perplexity, 2)} | ${s.memberLine === undefined ? '' : formatCount(s.memberLine)} |`,
      );
    }
  }
  return lines;
}
