import { describe, expect, it } from 'vitest';
import { clampRate, histogramChart, interpolateRoc, logFloor, rocChart, scoreAxis } from '../../src/report/svg';

describe('log axes', () => {
  it.each([
    {
      name: '898 non-members: 10⁻³',
      curves: [
        {
          label: 'a',
          points: [
            { fpr: 0, tpr: 0, fp: 0, tp: 0 },
            { fpr: 1, tpr: 1, fp: 898, tp: 899 },
          ],
        },
      ],
      floor: 1e-3,
    },
    { name: '50 records: 10⁻²', curves: [{ label: 'a', points: [{ fpr: 1, tpr: 1, fp: 50, tp: 40 }] }], floor: 1e-2 },
    {
      name: 'rates only: the smallest positive rate stands for 1/n',
      curves: [{ label: 'a', points: [{ fpr: 0.0002, tpr: 0.5 }] }],
      floor: 1e-4,
    },
    { name: 'no data: 10⁻³', curves: [], floor: 1e-3 },
    { name: 'tiny sets: never above 10⁻¹', curves: [{ label: 'a', points: [{ fpr: 1, tpr: 1, fp: 3, tp: 3 }] }], floor: 1e-1 },
  ])('logFloor: $name', ({ curves, floor }) => {
    expect(logFloor(curves)).toBe(floor);
  });

  it.each([
    [0, 1e-3, 1e-3],
    [1e-4, 1e-3, 1e-3],
    [0.5, 1e-3, 0.5],
    [1.2, 1e-3, 1],
    [Number.NaN, 1e-3, 1e-3],
  ])('clampRate(%d, %d) = %d', (rate, floor, expected) => {
    expect(clampRate(rate, floor)).toBe(expected);
  });
});

describe('interpolateRoc', () => {
  it('samples the straight ROC segment from (0, 0) at log-spaced FPRs, where it runs parallel to the diagonal', () => {
    const points = interpolateRoc(
      [
        { fpr: 0, tpr: 0 },
        { fpr: 0.5, tpr: 1 },
      ],
      0.001,
    );
    expect(points[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(points.at(-1)).toEqual({ fpr: 0.5, tpr: 1 });
    const inner = points.slice(1, -1);
    // log10(0.5 / 0.001) × 24 ≈ 64.8 → 65 steps, the first at the floor.
    expect(inner).toHaveLength(65);
    expect(inner[0]!.fpr).toBeCloseTo(0.001, 12);
    for (const p of inner) expect(p.tpr).toBeCloseTo(2 * p.fpr, 12);
    const ratios = inner.slice(1).map((p, i) => p.fpr / inner[i]!.fpr);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0]!, 9);
  });

  it('leaves short and vertical segments as they are, and sorts by FPR', () => {
    expect(
      interpolateRoc(
        [
          { fpr: 0.5, tpr: 0.9 },
          { fpr: 0.5, tpr: 0.6 },
          { fpr: 0.55, tpr: 1 },
        ],
        0.01,
      ),
    ).toEqual([
      { fpr: 0.5, tpr: 0.6 },
      { fpr: 0.5, tpr: 0.9 },
      { fpr: 0.55, tpr: 1 },
    ]);
  });
});

describe('charts', () => {
  it('draws a curve per attack, the policy FPR line and a dot per attack at it', () => {
    const svg = rocChart(
      [
        {
          label: 'loss',
          points: [
            { fpr: 0, tpr: 0 },
            { fpr: 0.001, tpr: 0.004 },
            { fpr: 0.1, tpr: 0.3 },
            { fpr: 1, tpr: 1 },
          ],
          atPolicyFpr: 0.02,
        },
        {
          label: '<b>x</b>',
          points: [
            { fpr: 0, tpr: 0 },
            { fpr: 1, tpr: 1 },
          ],
          atPolicyFpr: 0.01,
        },
      ],
      { title: 'membership', policyFpr: 0.01 },
    );
    expect(svg.match(/class="roc-curve"/g)).toHaveLength(2);
    expect(svg.match(/class="policy-point"/g)).toHaveLength(2);
    expect(svg).toContain('class="policy-fpr"');
    expect(svg).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(svg).not.toContain('<b>');
    // Decade ticks 0.001 … 1 on both axes.
    for (const t of ['0.001', '0.01', '0.1', '>1<']) expect(svg).toContain(t);
  });

  it('draws a bar per non-empty bin and set', () => {
    const svg = histogramChart({ min: -2, max: 0, bins: 4, members: [0, 0, 1, 9], nonMembers: [2, 3, 0, 5] }, 'loss');
    expect(svg.match(/class="bar bar-member"/g)).toHaveLength(2);
    expect(svg.match(/class="bar bar-non-member"/g)).toHaveLength(3);
    // Member bin 4 holds 9 of 10 records: height √0.9 of the 178-pixel plot area.
    const bar = /class="bar bar-member" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g;
    const heights = [...svg.matchAll(bar)].map((m) => Number(m[2]));
    expect(heights.at(-1)).toBeCloseTo(Math.sqrt(0.9) * 178, 0);
  });
});

describe('scoreAxis: round ticks, a common power of ten named once', () => {
  it.each([
    { min: -3.2e-8, max: 0, labels: ['−3', '−2', '−1', '0'], unit: ' (×10⁻⁸)' },
    { min: -27.6, max: 0, labels: ['−20', '−10', '0'], unit: '' },
    { min: 0, max: 1, labels: ['0', '0.2', '0.4', '0.6', '0.8', '1.0'], unit: '' },
    { min: -2e6, max: 3e6, labels: ['−2', '−1', '0', '1', '2', '3'], unit: ' (×10⁶)' },
    { min: 5, max: 5, labels: ['5.000'], unit: '' },
  ])('[$min, $max] → $labels$unit', ({ min, max, labels, unit }) => {
    const axis = scoreAxis(min, max);
    expect(axis.ticks.map((t) => t.label)).toEqual(labels);
    expect(axis.unit).toBe(unit);
    for (const t of axis.ticks) {
      expect(t.value).toBeGreaterThanOrEqual(min - 1e-12 * Math.abs(min));
      expect(t.value).toBeLessThanOrEqual(max + 1e-12 * Math.abs(max));
    }
  });

  it('labels a histogram of log p_y near 0 without exponent notation on the ticks', () => {
    const svg = histogramChart({ min: -3.2e-8, max: 0, bins: 4, members: [0, 0, 1, 9], nonMembers: [2, 1, 1, 6] }, 'loss');
    expect(svg).not.toMatch(/\de-\d/);
    expect(svg).toContain('attack score (×10⁻⁸) (higher = more likely a member)');
  });
});
