/**
 * The HTML report's plots as inline SVG, from small pure functions (no plotting library, no
 * script): ROC curves on log–log axes and member/non-member score histograms. Every label is
 * HTML-escaped; coordinates are rounded so the output is stable.
 */
import { escapeHtml } from './escape';

export interface RocPoint {
  fpr: number;
  tpr: number;
  fp?: number;
  tp?: number;
}

export interface RocCurve {
  label: string;
  points: RocPoint[];
  /** The attack's TPR at the policy's FPR, drawn as a dot on the FPR line. */
  atPolicyFpr?: number;
}

export interface Histogram {
  min: number;
  max: number;
  bins: number;
  members: number[];
  nonMembers: number[];
}

/** Colour-blind-safe (Okabe–Ito), in the order curves are drawn. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
export const MEMBER_COLOUR = '#D55E00';
export const NON_MEMBER_COLOUR = '#0072B2';

const round = (v: number) => Math.round(v * 10) / 10;

/** The smallest decade the log axes show: one step below 1/n for the larger set, at most 10⁻¹. */
export function logFloor(curves: RocCurve[]): number {
  let n = 0;
  for (const curve of curves) {
    for (const p of curve.points) n = Math.max(n, p.fp ?? 0, p.tp ?? 0);
    // Without counts, the smallest positive rate stands for 1/n.
    for (const p of curve.points) for (const r of [p.fpr, p.tpr]) if (r > 0) n = Math.max(n, Math.round(1 / r));
  }
  if (n <= 1) return 1e-3;
  // Number('1e-4') is exactly the decimal 0.0001; 10 ** -4 is not.
  return Math.min(1e-1, Number(`1e${Math.floor(Math.log10(1 / n))}`));
}

/** Rates clamped for the log axis: 0 (and anything below the floor) is drawn at the floor. */
export function clampRate(rate: number, floor: number): number {
  if (!Number.isFinite(rate) || rate < floor) return floor;
  return Math.min(1, rate);
}

function decadeLabel(exp: number): string {
  return exp >= 0 ? '1' : (10 ** exp).toFixed(-exp);
}

/**
 * Between two measured ROC points the curve is the straight line of randomising between their
 * thresholds, in linear space; on log axes that line is curved (from (0, 0) it runs parallel
 * to the diagonal). So each segment is sampled at log-spaced FPRs, not joined straight.
 */
export function interpolateRoc(points: RocPoint[], floor: number): RocPoint[] {
  const sorted = [...points].filter((p) => Number.isFinite(p.fpr) && Number.isFinite(p.tpr)).sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr);
  const out: RocPoint[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    out.push({ fpr: a.fpr, tpr: a.tpr });
    const b = sorted[i + 1];
    if (!b || b.fpr <= a.fpr) continue;
    const lo = Math.max(a.fpr, floor);
    const hi = b.fpr;
    if (hi / lo < 1.2) continue;
    const steps = Math.ceil(Math.log10(hi / lo) * 24);
    for (let k = a.fpr < floor ? 0 : 1; k < steps; k++) {
      const fpr = lo * (hi / lo) ** (k / steps);
      out.push({ fpr, tpr: a.tpr + ((b.tpr - a.tpr) * (fpr - a.fpr)) / (b.fpr - a.fpr) });
    }
  }
  return out;
}

export interface RocChartOptions {
  /** The FPR the policy reads TPR at; drawn as a vertical line. */
  policyFpr?: number;
  title: string;
}

export function rocChart(curves: RocCurve[], options: RocChartOptions): string {
  const W = 520;
  const H = 420;
  const m = { left: 62, right: 18, top: 30, bottom: 50 };
  const floor = logFloor(curves);
  const lo = Math.log10(floor);
  const x = (fpr: number) => round(m.left + ((Math.log10(clampRate(fpr, floor)) - lo) / -lo) * (W - m.left - m.right));
  const y = (tpr: number) => round(H - m.bottom - ((Math.log10(clampRate(tpr, floor)) - lo) / -lo) * (H - m.top - m.bottom));
  const parts: string[] = [];
  parts.push(
    `<rect class="plot-area" x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="#fff" stroke="#999"/>`,
  );
  for (let e = Math.round(lo); e <= 0; e++) {
    const v = Number(`1e${e}`);
    parts.push(
      `<line class="grid" x1="${x(v)}" y1="${m.top}" x2="${x(v)}" y2="${H - m.bottom}" stroke="#e3e3e3"/>`,
      `<line class="grid" x1="${m.left}" y1="${y(v)}" x2="${W - m.right}" y2="${y(v)}" stroke="#e3e3e3"/>`,
      `<text x="${x(v)}" y="${H - m.bottom + 16}" text-anchor="middle" font-size="12">${decadeLabel(e)}</text>`,
      `<text x="${m.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="12">${decadeLabel(e)}</text>`,
    );
  }
  parts.push(
    `<line class="chance" x1="${x(floor)}" y1="${y(floor)}" x2="${x(1)}" y2="${y(1)}" stroke="#888" stroke-dasharray="4 4"/>`,
    `<text x="${x(0.3)}" y="${y(0.3) + 16}" font-size="11" fill="#666" text-anchor="middle" transform="rotate(-${round((Math.atan((H - m.top - m.bottom) / (W - m.left - m.right)) * 180) / Math.PI)} ${x(0.3)} ${y(0.3) + 16})">chance</text>`,
  );
  if (options.policyFpr !== undefined && options.policyFpr > 0) {
    const px = x(options.policyFpr);
    parts.push(
      `<line class="policy-fpr" x1="${px}" y1="${m.top}" x2="${px}" y2="${H - m.bottom}" stroke="#B00020" stroke-width="1.5" stroke-dasharray="6 3"/>`,
      `<text x="${px + 4}" y="${m.top + 14}" font-size="12" fill="#B00020">policy FPR ${escapeHtml(String(options.policyFpr))}</text>`,
    );
  }
  curves.forEach((curve, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const dash = DASHES[Math.floor(i / PALETTE.length) % DASHES.length]!;
    const d = interpolateRoc(curve.points, floor)
      .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.fpr)},${y(p.tpr)}`)
      .join('');
    parts.push(
      `<path class="roc-curve" d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${escapeHtml(curve.label)}</title></path>`,
    );
    if (options.policyFpr !== undefined && curve.atPolicyFpr !== undefined && Number.isFinite(curve.atPolicyFpr)) {
      parts.push(
        `<circle class="policy-point" cx="${x(options.policyFpr)}" cy="${y(curve.atPolicyFpr)}" r="4" fill="${colour}" stroke="#fff"><title>${escapeHtml(curve.label)}: TPR ${curve.atPolicyFpr.toFixed(3)} at FPR ${escapeHtml(String(options.policyFpr))}</title></circle>`,
      );
    }
  });
  parts.push(
    `<text x="${(W + m.left - m.right) / 2}" y="${H - 12}" text-anchor="middle" font-size="13">false positive rate (non-members accused)</text>`,
    `<text x="16" y="${(H + m.top - m.bottom) / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 16 ${(H + m.top - m.bottom) / 2})">true positive rate (members caught)</text>`,
    `<text x="${m.left}" y="18" font-size="14" font-weight="600">${escapeHtml(options.title)}</text>`,
  );
  return svg(W, H, `${options.title}: ROC curves on log–log axes`, parts);
}

export function histogramChart(h: Histogram, title: string): string {
  const W = 400;
  const H = 250;
  const m = { left: 46, right: 12, top: 28, bottom: 44 };
  const bins = Math.max(1, Math.min(h.bins, h.members.length, h.nonMembers.length));
  const total = (counts: number[]) => counts.reduce((s, c) => s + c, 0) || 1;
  const share = { members: h.members.map((c) => c / total(h.members)), nonMembers: h.nonMembers.map((c) => c / total(h.nonMembers)) };
  // A square-root scale keeps small bins visible next to a tall one (scores often pile up at one end).
  const y = (s: number) => round(H - m.bottom - Math.sqrt(Math.max(0, Math.min(1, s))) * (H - m.top - m.bottom));
  const bw = (W - m.left - m.right) / bins;
  const parts: string[] = [
    `<rect class="plot-area" x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="#fff" stroke="#999"/>`,
  ];
  for (const t of [0.01, 0.1, 0.25, 0.5, 1]) {
    parts.push(
      `<line class="grid" x1="${m.left}" y1="${y(t)}" x2="${W - m.right}" y2="${y(t)}" stroke="#e3e3e3"/>`,
      `<text x="${m.left - 4}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t}</text>`,
    );
  }
  for (const [set, colour] of [
    ['nonMembers', NON_MEMBER_COLOUR],
    ['members', MEMBER_COLOUR],
  ] as const) {
    for (let b = 0; b < bins; b++) {
      const s = share[set][b] ?? 0;
      if (s <= 0) continue;
      const x0 = round(m.left + b * bw + (set === 'members' ? bw / 2 : 0));
      parts.push(
        `<rect class="bar bar-${set === 'members' ? 'member' : 'non-member'}" x="${x0}" y="${y(s)}" width="${round(bw / 2)}" height="${round(H - m.bottom - y(s))}" fill="${colour}" fill-opacity="0.8"/>`,
      );
    }
  }
  const axis = scoreAxis(h.min, h.max);
  const span = h.max - h.min;
  for (const tick of axis.ticks) {
    const px = round(m.left + (span > 0 ? (tick.value - h.min) / span : 0.5) * (W - m.left - m.right));
    parts.push(
      `<line class="tick" x1="${px}" y1="${H - m.bottom}" x2="${px}" y2="${H - m.bottom + 4}" stroke="#999"/>`,
      `<text x="${px}" y="${H - m.bottom + 15}" text-anchor="middle" font-size="11">${escapeHtml(tick.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${(W + m.left - m.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">attack score${escapeHtml(axis.unit)} (higher = more likely a member)</text>`,
    `<text x="12" y="${(H + m.top - m.bottom) / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 12 ${(H + m.top - m.bottom) / 2})">share of records (√ scale)</text>`,
    `<text x="${m.left}" y="18" font-size="13" font-weight="600">${escapeHtml(title)}</text>`,
  );
  return svg(W, H, `${title}: member and non-member score histograms`, parts);
}

export interface ScoreAxis {
  ticks: Array<{ value: number; label: string }>;
  /** A power of ten the labels are written in, e.g. " (×10⁻⁸)"; '' when none is needed. */
  unit: string;
}

/**
 * Round-number ticks (steps of 1, 2 or 5 times a power of ten) inside [min, max]. Scores near 0
 * (log p_y of confident rows, e.g. −3×10⁻⁸) or very large are labelled in a common power of ten
 * named once on the axis, never as "1.6e-8" on every tick.
 */
export function scoreAxis(min: number, max: number, target = 5): ScoreAxis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [], unit: '' };
  if (max <= min) return { ticks: [{ value: min, label: plainLabel(min, 3) }], unit: '' };
  const raw = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((f) => f * power >= raw) ?? 10) * power;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const largest = Math.max(Math.abs(first * step), Math.abs(last * step));
  // A common power of ten when the labels would need more than 4 decimals or 5 digits.
  const exp = largest >= 1e5 || (largest > 0 && largest < 1e-2) ? Math.floor(Math.log10(largest)) : 0;
  const scale = 10 ** exp;
  const decimals = Math.max(0, -Math.floor(Math.log10(step / scale) + 1e-9));
  const ticks = [];
  for (let i = first; i <= last; i++) {
    const value = i * step;
    ticks.push({ value, label: plainLabel(value / scale, decimals) });
  }
  return { ticks, unit: exp === 0 ? '' : ` (×10${superscript(exp)})` };
}

function plainLabel(v: number, decimals: number): string {
  const text = Math.abs(v) < 1e-12 ? '0' : v.toFixed(Math.min(decimals, 10));
  return text.replace(/^-/, '−');
}

function superscript(n: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return [...String(n)].map((ch) => (ch === '-' ? '⁻' : digits[Number(ch)]!)).join('');
}

function svg(width: number, height: number, label: string, parts: string[]): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" font-family="system-ui, sans-serif">${parts.join('')}</svg>`;
}
