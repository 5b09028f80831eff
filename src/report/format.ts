/** Shared number and text formatting for the human-readable reports. */
import type { Check, Verdict } from '../result';

export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return value.toFixed(digits);
}

export function formatInterval(ci: [number, number], digits = 3): string {
  return `[${formatNumber(ci[0], digits)}, ${formatNumber(ci[1], digits)}]`;
}

export function formatThreshold(check: Pick<Check, 'thresholds'>): string {
  const parts = [];
  if (check.thresholds.warn !== undefined) parts.push(`warn > ${check.thresholds.warn}`);
  if (check.thresholds.fail !== undefined) parts.push(`fail > ${check.thresholds.fail}`);
  return parts.join(', ');
}

export const VERDICT_HEADLINE: Record<Verdict, string> = {
  pass: '✅ passes',
  warn: '⚠️ passes with warnings',
  fail: '❌ fails: the model leaks training data beyond the policy',
  error: '🛑 could not decide (error)',
};

export const STATUS_ICON: Record<Check['status'], string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  error: '🛑 error',
};

/**
 * Text that comes from the model, data or policy goes into Markdown tables and HTML: escape
 * everything that could start markup, a table cell, a link or an @mention.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}
