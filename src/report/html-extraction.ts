/**
 * report.html's view of the extraction probe's attacks: each canary's exposure with how its rank
 * was found, memorisation per side, the secret scan's matches and generation extraction's rankings
 * and samples, in plain names and rounded values instead of the raw detail fields. The probe has
 * already redacted every secret and excerpt; this escapes them and lays the rows out. Pure.
 */
import type { AttackMeasurement, CanaryWalk, ExtractionDetails, MemorisationSide } from '../result';
import { formatRank } from './canaries';
import { escapeHtml } from './escape';
import { percent } from './explain';
import { formatCount, formatInterval, formatNumber } from './format';

/** The detail fields this view draws; the generic tables show none of them for an extraction attack. */
export const EXTRACTION_DETAILS: ReadonlySet<string> = new Set<keyof ExtractionDetails>([
  'canaries',
  'walks',
  'prefix',
  'suffix',
  'members',
  'nonMembers',
  'matches',
  'listed',
  'distinct',
  'matchTokens',
  'inspect',
  'rankings',
  'memberWindows',
  'nonMemberWindows',
  'commonWindows',
  'samples',
]);

/** Rows listed per table, as the generic tables list them. */
const MAX_ROWS = 200;

export function extractionView(attack: AttackMeasurement): string {
  const d = attack.details as ExtractionDetails | undefined;
  if (!d) return '';
  const name = escapeHtml(attack.attack);
  return [canaries(name, d), memorisation(name, d), secretMatches(name, d), generation(name, d)].join('');
}

function table(head: string[], rows: string[][], numeric: ReadonlySet<number> = new Set()): string {
  const td = (cells: string[]) => cells.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${c}</td>`).join('');
  return `<div class="table-wrap"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .slice(0, MAX_ROWS)
    .map((r) => `<tr>${td(r)}</tr>`)
    .join('')}</tbody></table></div>${rows.length > MAX_ROWS ? `<p class="muted">First ${MAX_ROWS} of ${rows.length} rows.</p>` : ''}`;
}

function canaries(name: string, d: ExtractionDetails): string {
  if (!Array.isArray(d.canaries) || d.canaries.length === 0) return '';
  const rows = [...d.canaries]
    .sort((a, b) => b.exposure - a.exposure)
    .map((r) => [
      `<code>${escapeHtml(r.canary, 200)}</code>`,
      escapeHtml(r.kind),
      `${formatNumber(r.exposure, 2)} ${formatInterval(r.ci, 2)}`,
      formatNumber(r.spaceBits, 2),
      formatRank(r),
      r.estimated ? 'estimated' : 'exact',
    ]);
  const walks = (d.walks ?? []).map((w) => `<li>${walkWords(w)}</li>`).join('');
  return `<h3>${name}: canaries</h3>${table(
    ['Canary (redacted)', 'Kind', 'Exposure, bits (95% CI)', 'Maximum (log2 |R|)', 'Rank', 'Rank found'],
    rows,
    new Set([2, 3, 4]),
  )}<p class="muted">Exposure = log2 |R| − log2 rank among every filling of the format: about 1 bit is chance, the maximum means the secret is the model’s first choice. Controls were never inserted.</p>${walks ? `<ul class="note">${walks}</ul>` : ''}`;
}

/** How one format's candidates were ranked, in words. */
function walkWords(w: CanaryWalk): string {
  const format = `<code>${escapeHtml(w.format, 200)}</code>`;
  const how = w.estimated
    ? `${formatCount(w.scored ?? w.queries)} sampled candidates scored; every rank above is ESTIMATED from their likelihoods (skew-normal fit, Carlini et al. 2019)`
    : `every candidate ranked exactly${w.pruned > 0 ? ` (${formatCount(w.pruned)} never scored: a prefix already ranked them below every canary)` : ''}`;
  const tokens =
    w.tokens === 'subword'
      ? `; subword tokens: each candidate text tokenised whole and scored after the shared prefix of ${formatCount(w.prefixTokens)} tokens`
      : '';
  return `${format}: ${formatCount(w.spaceSize)} candidates, ${how}${tokens}; ${formatCount(w.queries)} model rows queried.`;
}

function memorisation(name: string, d: ExtractionDetails): string {
  const sides = (
    [
      ['Members', d.members],
      ['Non-members', d.nonMembers],
    ] as Array<[string, MemorisationSide | undefined]>
  ).filter((s): s is [string, MemorisationSide] => isSide(s[1]));
  if (sides.length === 0) return '';
  const rows = sides.map(([label, s]) => [
    label,
    formatCount(s.texts),
    formatCount(s.skipped),
    `${formatCount(s.exact)} (${s.texts > 0 ? percent(s.exact / s.texts) : 'n/a'})`,
    s.similarityHistogram.map(formatCount).join(' · '),
  ]);
  const setting =
    typeof d.prefix === 'number' && typeof d.suffix === 'number'
      ? `Each text’s first ${formatCount(d.prefix)} tokens, continued greedily for ${formatCount(d.suffix)} tokens and compared with the text’s own next ${formatCount(d.suffix)}; skipped texts are too short for both.`
      : '';
  return `<h3>${name}: continuations</h3><p class="muted">${setting} Similarity: 1 − edit distance / length, in tokens; the histogram counts texts in ten equal bins from 0 (nothing alike) to 1 (exact).</p>${table(
    ['Texts', 'Continued', 'Skipped', 'Exact (share of continued)', 'Texts per similarity bin, 0 → 1'],
    rows,
    new Set([1, 2, 3]),
  )}`;
}

function isSide(s: MemorisationSide | undefined): s is MemorisationSide {
  return !!s && typeof s.texts === 'number' && Array.isArray(s.similarityHistogram);
}

function secretMatches(name: string, d: ExtractionDetails): string {
  if (!Array.isArray(d.matches) || d.matches.length === 0) return '';
  const rows = d.matches.map((m) => [
    escapeHtml(m.pattern),
    `<code>${escapeHtml(m.match, 200)}</code>`,
    m.inMembers ? '<strong>yes</strong>' : 'no',
    formatCount(m.occurrences),
  ]);
  const listed =
    typeof d.listed === 'number' && typeof d.distinct === 'number' && d.distinct > d.listed
      ? `<p class="muted">${formatCount(d.listed)} of ${formatCount(d.distinct)} distinct matches listed.</p>`
      : '';
  return `<h3>${name}: matches in the sampled generations</h3>${table(
    ['Pattern', 'Match (redacted)', 'Verbatim in the member data', 'Occurrences'],
    rows,
    new Set([3]),
  )}${listed}`;
}

function generation(name: string, d: ExtractionDetails): string {
  if (!Array.isArray(d.rankings)) return '';
  const parts = [
    `<h3>${name}: rankings</h3>`,
    table(
      ['Ranking', 'Top samples inspected', 'Extracted', 'Verbatim (common text included)'],
      d.rankings.map((r) => [escapeHtml(r.ranking), formatCount(r.inspected), formatCount(r.extracted), formatCount(r.verbatim)]),
      new Set([1, 2, 3]),
    ),
  ];
  if (typeof d.nonMemberWindows === 'number' && typeof d.commonWindows === 'number') {
    parts.push(
      `<p class="muted">Non-member baseline: ${formatCount(d.commonWindows)} of ${formatCount(d.nonMemberWindows)} ${formatCount(d.matchTokens)}-token windows of the non-member texts occur verbatim in the member texts; member text they share is common text and is not counted as extracted.</p>`,
    );
  }
  const samples = d.samples ?? [];
  if (samples.length > 0) {
    const rankings = d.rankings.map((r) => r.ranking);
    parts.push(
      `<h3>${name}: samples</h3>`,
      table(
        [
          'Sample (redacted excerpt)',
          'Extracted',
          'Member tokens',
          'Copies',
          'Perplexity',
          'zlib ratio',
          'Reference ratio',
          'Position per ranking',
          'Member line',
        ],
        samples.map((s) => [
          `<code>${escapeHtml(s.excerpt, 300)}</code>`,
          s.extracted ? '<strong>yes</strong>' : 'common text only',
          `${formatCount(s.memberTokens)} of ${formatCount(s.tokens)}`,
          formatCount(s.copies),
          formatNumber(s.perplexity, 2),
          significant(s.zlibRatio),
          s.referenceRatio === undefined ? '' : formatNumber(s.referenceRatio, 3),
          rankings.map((r) => (s.ranks?.[r] === undefined ? '' : `${escapeHtml(r)} #${formatCount(s.ranks[r])}`)).join(', '),
          s.memberLine === undefined ? '' : formatCount(s.memberLine),
        ]),
        new Set([3, 4, 5, 6, 8]),
      ),
      `<p class="muted">zlib ratio: log-perplexity over the bits of the zlib-compressed text; reference ratio: the sample’s log-perplexity under the target over that under the reference model. Low values rank first.</p>`,
    );
  }
  return parts.join('');
}

/** Three significant digits: a zlib ratio is about 10^-3, which three decimals would flatten. */
function significant(value: number): string {
  return Number.isFinite(value) ? escapeHtml(value.toPrecision(3)) : formatNumber(value);
}
