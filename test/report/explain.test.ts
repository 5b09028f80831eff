/**
 * The sentences at the top of every channel: why a threshold line did not pass, at which
 * operating point, and what tied (saturated) scores hide. Built from real metric code on scores
 * shaped like the breast-cancer MLP of issue 12 (most p_y saturate at 1, 12% of the non-members
 * below every member), so the sentence is checked against what the metrics measured.
 */
import { describe, expect, it } from 'vitest';
import { checksFor } from '../../src/gate/verdict';
import { membershipMetrics } from '../../src/metrics/membership';
import { explainGroup, formatScore, groupChecks, tieNotes } from '../../src/report/explain';
import { renderHtml } from '../../src/report/html';
import { renderMarkdown } from '../../src/report/markdown';
import type { AttackMeasurement, GateReport } from '../../src/result';
import { reportWith, SOURCE } from './helpers';

/** 284 members (248 at p_y = 1) and 285 non-members (240 at p_y = 1, 34 far below every member). */
function saturatedScores() {
  const members = [...Array<number>(248).fill(0), ...Array.from({ length: 36 }, (_, i) => -0.5 + i / 72)];
  const nonMembers = [...Array<number>(240).fill(0), ...Array.from({ length: 11 }, (_, i) => -0.5 + i / 22), ...Array<number>(34).fill(-5)];
  return { members, nonMembers };
}

function saturatedReport(): GateReport {
  const { members, nonMembers } = saturatedScores();
  const m = membershipMetrics(members, nonMembers, { fpr: 0.02, confidence: 0.95 });
  const sample = { members: m.members, nonMembers: m.nonMembers };
  const attack = (name: string): AttackMeasurement => ({
    attack: name,
    description: 'd',
    metrics: {
      auc: { value: m.auc.value, ci: m.auc.ci, sample },
      'epsilon-lower-bound': {
        value: m.epsilonLowerBound.value,
        ci: m.epsilonLowerBound.ci,
        threshold: m.epsilonLowerBound.threshold,
        thresholdsTried: m.epsilonLowerBound.thresholdsTried,
        atOrAbove: m.epsilonLowerBound.atOrAbove,
        tail: m.epsilonLowerBound.tail,
        sample,
      },
      ppv: { value: m.ppv.value, ci: m.ppv.ci, threshold: m.ppv.threshold, atOrAbove: m.tprAtFpr.atOrAbove },
    },
    details: { topTie: m.topTie, saturated: { members: 248, nonMembers: 240 } },
  });
  const attacks = [attack('loss'), attack('confidence')];
  const thresholds = {
    auc: { warn: 0.55, fail: 0.6, source: SOURCE },
    // ε ≈ 1.3 on these 569 records (the issue's own set measured 2.841): a policy line at 1.
    'epsilon-lower-bound': { fail: 1, source: { ...SOURCE, line: 20 } },
  };
  const checks = checksFor('membership', attacks, thresholds);
  const report = reportWith(checks, {
    inputs: {
      policy: [],
      data: [
        { role: 'members', path: 'm.csv', sha256: 'a', rows: 284, rowsInFile: 284 },
        { role: 'non-members', path: 'n.csv', sha256: 'b', rows: 285, rowsInFile: 285 },
      ],
    },
    model: { input: 'input', output: '13', featureCount: 30, classes: ['0', '1'], scoreKind: 'probabilities', scoreKindReason: '' },
  });
  report.probes[0]!.attacks = attacks;
  return report;
}

describe('why a threshold line failed', () => {
  it('says which tail the ε bound came from, its operating point, and that the AUC sat near chance', () => {
    const report = saturatedReport();
    const groups = groupChecks(report.probes[0]!.checks);
    const eps = groups.find((g) => g.lead.metric === 'epsilon-lower-bound')!;
    expect(eps.lead.status).toBe('fail');
    const auc = groups.find((g) => g.lead.metric === 'auc')!;
    expect(auc.lead.status).toBe('pass');
    const sentence = explainGroup(eps, report);
    expect(sentence).toMatch(
      /^membership\/loss ε lower bound \d\.\d{3} \[[\d.]+, [\d.]+\] is over the fail threshold 1 \(1 more attack fails\): /,
    );
    expect(sentence).toContain('where 34 of 285 non-members (11.9%) score below every member (the low tail)');
    expect(sentence).toMatch(/the attack's AUC is 0\.5\d\d, close to chance: the leak sits in that tail, not in the average/);
  });

  it('puts that sentence and the tie note at the top of summary and report.html', () => {
    const report = saturatedReport();
    report.verdict = 'fail';
    const md = renderMarkdown(report);
    const top = md.slice(0, md.indexOf('| Probe |'));
    expect(top).toContain('(the low tail)');
    expect(top).toContain('248 of 284 members and 240 of 285 non-members have p_y = 1 exactly');
    expect(top).toContain('loss and confidence give these records one and the same highest score, so no threshold ranks them');
    const html = renderHtml(report);
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('(the low tail)');
    expect(header).toContain('248 of 284 members and 240 of 285 non-members have p_y = 1 exactly');
  });

  it('names no tie when the top score is a single record', () => {
    const report = saturatedReport();
    for (const a of report.probes[0]!.attacks) a.details = {};
    expect(tieNotes(report)).toEqual([]);
  });
});

describe('why an extraction check failed', () => {
  it.each([
    {
      metric: 'max-exposure',
      measured: { value: 19.932, ci: [19.932, 19.932] as [number, number], canary: 'my pin is 1••••1', rank: 1, spaceBits: 19.93 },
      says: "the inserted canary my pin is 1••••1 ranks 1 among 2^19.9 fillings of its format by the model's perplexity: the model prefers it to every other filling.",
    },
    {
      metric: 'max-exposure',
      measured: {
        value: 18.316,
        ci: [9.084, 19.932] as [number, number],
        canary: 'my pin is 3••••3',
        rank: 3.064,
        spaceBits: 19.93,
        estimated: true,
      },
      says: "the inserted canary my pin is 3••••3 ranks ≈ 3.1 among 2^19.9 fillings of its format by the model's perplexity (estimated from a sample): the model prefers it to all but about 2 others.",
    },
    {
      metric: 'secret-matches',
      measured: { value: 2, ci: [2, 2] as [number, number], generations: 64, matches: 5, distinct: 3, outsideMembers: 1 },
      says: '2 distinct secrets found in 64 sampled generations occur verbatim in the member data (1 more matched the patterns but is not in it).',
    },
    {
      metric: 'extracted-samples',
      measured: { value: 3, ci: [3, 3] as [number, number], generations: 256, distinct: 200, verbatim: 5, common: 2 },
      says: '3 of 200 distinct sampled generations reproduce member text that no non-member text holds (2 more reproduce only text the non-members share).',
    },
  ])('$metric', ({ metric, measured, says }) => {
    const attacks: AttackMeasurement[] = [{ attack: 'a', description: 'd', metrics: { [metric]: measured } }];
    const checks = checksFor('extraction', attacks, { [metric]: { fail: 0, source: SOURCE } });
    const report = reportWith(checks);
    report.probes[0]!.id = 'extraction';
    report.probes[0]!.attacks = attacks;
    expect(explainGroup(groupChecks(checks)[0]!, report)).toContain(`is over the fail threshold 0: ${says}`);
  });
});

describe('readable values', () => {
  it('says why there is no PPV instead of printing an interval around nothing', () => {
    const report = saturatedReport();
    const md = renderMarkdown(report);
    expect(md).toContain('none: no record is flagged at the TPR threshold');
    expect(md).not.toContain('n/a [0.000, 1.000]');
    expect(renderHtml(report)).not.toContain('n/a [0.000, 1.000]');
  });

  it('names the output as an output, so a default export name such as 13 reads as a name', () => {
    const md = renderMarkdown(saturatedReport());
    expect(md).not.toContain('→ `13`: 2 classes');
    const html = renderHtml(saturatedReport());
    expect(html).toContain('→ output <code>13</code>: scores for 2 classes (probabilities)');
  });

  it.each([
    { v: -8.463895376766887e-6, text: '−8.46×10⁻⁶' },
    { v: 0.9999915, text: '1' },
    { v: -1.4811, text: '−1.481' },
    { v: 123456, text: '1.23×10⁵' },
    { v: 0, text: '0' },
  ])('formats the score threshold $v as $text', ({ v, text }) => {
    expect(formatScore(v)).toBe(text);
  });
});
