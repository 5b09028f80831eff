/**
 * The extraction probe's per-canary table: each canary's exposure and rank. The probe has
 * already redacted every secret ("my pin is 2••••3"); this only lays the rows out.
 */
import type { CanaryRow, ProbeResult } from '../result';
import { escapeMarkdown } from './escape';
import { formatCount, formatNumber } from './format';

function rowsOf(probe: Pick<ProbeResult, 'attacks'>): CanaryRow[] {
  return probe.attacks.flatMap((a) => {
    const rows = a.details?.canaries;
    return Array.isArray(rows) ? rows : [];
  });
}

/** An exact rank as a count; an estimated one with "≈", a decimal only where it still means something (below 100). */
export function formatRank(row: Pick<CanaryRow, 'rank' | 'estimated'>): string {
  const rank = Number.isInteger(row.rank)
    ? formatCount(row.rank)
    : row.rank < 100
      ? formatNumber(row.rank, 1)
      : formatCount(Math.round(row.rank));
  return row.estimated ? `≈ ${rank}` : rank;
}

/** Markdown lines: a table of canaries, most exposed first; empty when the probe has none. */
export function canaryTable(probe: Pick<ProbeResult, 'attacks'>): string[] {
  const rows = [...rowsOf(probe)].sort((a, b) => b.exposure - a.exposure);
  if (rows.length === 0) return [];
  const lines = [
    '',
    '| Canary (redacted) | Kind | Exposure (bits) | Maximum (log2 \\|R\\|) | Rank | Method |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${escapeMarkdown(r.canary)} | ${escapeMarkdown(r.kind)} | ${formatNumber(r.exposure, 2)} | ${formatNumber(r.spaceBits, 2)} | ${formatRank(r)} | ${r.estimated ? 'estimated (sampled, skew-normal fit)' : 'exact'} |`,
    );
  }
  lines.push(
    '',
    'Exposure = log2|R| − log2 rank among every filling of the format; about 1 bit is chance, the maximum means the secret is the model’s first choice. Controls were never inserted.',
  );
  return lines;
}
