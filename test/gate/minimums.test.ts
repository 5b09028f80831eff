/**
 * The sample-size minimums (README "What fails the gate"): each is checked against a value worked
 * out by hand from its formula, and where the gate's own metric code gives the same interval, the
 * minimum is shown to be exactly the size at which that interval first ends below the line.
 */
import { describe, expect, it } from 'vitest';
import { recordsNeeded } from '../../src/gate/minimums';
import { membershipMetrics } from '../../src/metrics/membership';

describe('recordsNeeded', () => {
  it.each([
    // 0.5 + 1.96·sqrt((2n + 1) / 12n²) < 0.6 first at n = 65 (n = 64: 0.6002).
    { metric: 'auc', line: 0.6, members: 65, nonMembers: 65 },
    { metric: 'auc', line: 0.55, members: 257, nonMembers: 257 },
    // n > 2·ln(80) / 0.2² = 219.1; n > 2·ln(80) / 0.1² = 876.4.
    { metric: 'advantage', line: 0.2, members: 220, nonMembers: 220 },
    { metric: 'advantage', line: 0.1, members: 877, nonMembers: 877 },
    // ⌈10 / 0.01⌉ non-members; members: m > ln(0.025) / ln(0.95) = 71.9.
    { metric: 'tpr-at-fpr', line: 0.05, fpr: 0.01, members: 72, nonMembers: 1000 },
    { metric: 'tpr-at-fpr', line: 0.01, fpr: 0.001, members: 368, nonMembers: 10000 },
    // ln(a^(1/n) / (1 − a^(1/n))) > 2 with a = 0.05 / 128 first at n = 62; > 1 at n = 26.
    { metric: 'epsilon-lower-bound', line: 2, members: 62, nonMembers: 62 },
    { metric: 'epsilon-lower-bound', line: 1, members: 26, nonMembers: 26 },
  ])(
    '$metric against $line (fpr $fpr) needs $members members and $nonMembers non-members',
    ({ metric, line, fpr, members, nonMembers }) => {
      expect(recordsNeeded('membership', metric, line, 0.95, fpr)).toMatchObject({ members, nonMembers });
    },
  );

  it('the AUC hand values', () => {
    const upper = (n: number) => 0.5 + 1.959964 * Math.sqrt((2 * n + 1) / (12 * n * n));
    expect(upper(64)).toBeGreaterThan(0.6);
    expect(upper(65)).toBeLessThan(0.6);
  });

  it('the advantage minimum is where the DKW band of a measured advantage of 0 first ends below the line', () => {
    // Every score tied: advantage 0 with the band as its whole interval, from the gate's own code.
    const upperAt = (n: number) =>
      membershipMetrics(new Float64Array(n), new Float64Array(n), { fpr: 0.01, confidence: 0.95 }).advantage.ci[1];
    const n = recordsNeeded('membership', 'advantage', 0.2, 0.95)!.members!;
    expect(upperAt(n)).toBeLessThan(0.2);
    expect(upperAt(n - 1)).toBeGreaterThanOrEqual(0.2);
  });

  it('the TPR minimum for members is where the Clopper–Pearson interval of a TPR of 0 first ends below the line', () => {
    const upperAt = (m: number) =>
      // Non-members all score higher than every member: TPR 0 at FPR 1%.
      membershipMetrics(new Float64Array(m), new Float64Array(1000).fill(1), { fpr: 0.01, confidence: 0.95 }).tprAtFpr.ci[1];
    const m = recordsNeeded('membership', 'tpr-at-fpr', 0.05, 0.95, 0.01)!.members!;
    expect(upperAt(m)).toBeLessThan(0.05);
    expect(upperAt(m - 1)).toBeGreaterThanOrEqual(0.05);
  });

  it('has no minimum for other probes or a check without a line', () => {
    expect(recordsNeeded('attribute-inference', 'lift', 0.05, 0.95)).toBeUndefined();
    expect(recordsNeeded('membership', 'auc', undefined, 0.95)).toBeUndefined();
    expect(recordsNeeded('membership', 'ppv', 0.9, 0.95)).toBeUndefined();
  });

  it('a line no data can resolve (AUC 0.5) needs more records than any data set has', () => {
    expect(recordsNeeded('membership', 'auc', 0.5, 0.95)!.members).toBeGreaterThanOrEqual(1e9);
  });
});
