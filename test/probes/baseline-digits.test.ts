/**
 * The comparison with the released model on the digits example, each a real onnxruntime run
 * through runGate (issue 11): the leaky model as the candidate against the hardened one as the
 * released model fails on the increases; the hardened model against itself passes with every
 * difference exactly 0; a released run's privacy-report.json compares unpaired and warns when the
 * data differ; a released model of another shape, or a file that is no report, is exit 2 at the
 * policy line. Temporary policies live under the repository's .tmp/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReportAgrees } from '../../src/publish/agree';
import { renderJson } from '../../src/report/json';
import type { GateReport } from '../../src/result';
import { runGate } from '../../src/run/gate';

const root = path.resolve(__dirname, '../..');
const digits = path.join(root, 'examples/digits');
mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.tmp', 'baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INCREASES = ['auc-increase', 'advantage-increase', 'tpr-at-fpr-increase', 'epsilon-lower-bound-increase'];
let count = 0;

function write(name: string, text: string): string {
  const file = path.join(dir, `${++count}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** A policy over the digits example; DIGITS stands for its folder. */
function policy(yaml: string): string {
  return write('policy.yml', yaml.replaceAll('DIGITS', digits));
}

const checksOf = (report: GateReport) => report.probes.flatMap((p) => p.checks);
const attacksOf = (report: GateReport) => report.probes.find((p) => p.id === 'membership')!.attacks;

let released: Promise<GateReport> | undefined;
/** The hardened model against itself (examples/digits/vs-released.hardened.policy.yml), run once. */
const hardenedAgainstItself = () => (released ??= runGate(path.join(digits, 'vs-released.hardened.policy.yml')));

describe('baseline.model: paired comparison on the digits example', () => {
  it('leaky candidate vs the released hardened model: fails on the increase, with paired intervals', async () => {
    const report = await runGate(path.join(digits, 'vs-released.policy.yml'));
    expect(report).toMatchObject({ verdict: 'fail', exitCode: 1, baseline: { kind: 'model', paired: true } });
    expect(report.baseline?.path).toBe('examples/digits/hardened.onnx');
    const auc = checksOf(report).filter((c) => c.metric === 'auc-increase');
    expect(auc.map((c) => c.attack)).toEqual(['loss', 'confidence', 'entropy', 'modified-entropy']);
    for (const check of auc) {
      // The whole interval lies above the 0.02 allowance.
      expect(check).toMatchObject({ status: 'fail', thresholds: { fail: 0.02 } });
      expect(check.ci[0]).toBeGreaterThan(0.02);
    }
    const loss = attacksOf(report).find((a) => a.attack === 'loss')!;
    expect(loss.metrics['auc-increase']!.value).toBeCloseTo(0.2364, 4);
    expect(loss.metrics['auc-increase']!.released).toBeCloseTo(0.5166, 4);
    expect(loss.metrics['auc-increase']!.interval).toMatch(/paired DeLong/);
    expect(loss.metrics['auc-increase']!.value).toBeCloseTo(loss.metrics['auc']!.value! - loss.metrics['auc-increase']!.released!, 12);
    expect(loss.metrics['tpr-at-fpr-increase']).toMatchObject({ fpr: 0.02, interval: expect.stringMatching(/paired Newcombe/) });
    // The candidate's float32 probabilities tie at 1, so it catches no member at FPR 2% where the
    // released model catches 2.6%: an increase below 0, and the check passes.
    expect(checksOf(report).find((c) => c.attack === 'loss' && c.metric === 'tpr-at-fpr-increase')?.status).toBe('pass');
    // Entropy: −0.001 with an interval reaching over 0.01: inconclusive, as every check whose interval straddles the line.
    const entropy = checksOf(report).find((c) => c.attack === 'entropy' && c.metric === 'tpr-at-fpr-increase')!;
    expect(entropy.status).toBe('inconclusive');
    expect(entropy.value!).toBeLessThanOrEqual(0.01);
    expect(entropy.ci[1]).toBeGreaterThan(0.01);
    // Both models' queries count: the same 1,797 records, each model once.
    expect(report.queries).toBe(2 * 1797);
    // The report with its increase checks reads back as agreeing with itself (publish-only mode).
    expect(() => checkReportAgrees(JSON.parse(renderJson(report)) as GateReport, 'privacy-report.json')).not.toThrow();
  });

  it('the released model against itself: every difference exactly 0 with interval [0, 0], and a pass', async () => {
    const report = await hardenedAgainstItself();
    expect(report).toMatchObject({ verdict: 'pass', exitCode: 0 });
    for (const attack of attacksOf(report)) {
      for (const id of INCREASES) {
        const d = attack.metrics[id]!;
        expect(d.value).toBe(0);
        expect(d.ci).toEqual([0, 0]);
        expect(d.released).toBe(attack.metrics[id.replace(/-increase$/, '')]!.value);
      }
    }
    const increaseChecks = checksOf(report).filter((c) => c.metric.endsWith('-increase'));
    expect(increaseChecks).toHaveLength(12);
    expect(increaseChecks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('a released model of another shape is exit 2 at the baseline line', async () => {
    const report = await runGate(
      policy(`version: 1
seed: 42
model: { path: DIGITS/leaky.onnx }
data:
  members: { path: DIGITS/data/members.csv }
  non-members: { path: DIGITS/data/non-members.csv }
  label: digit
baseline: { model: ${path.join(root, 'test/fixtures/models/probabilities.onnx')} }
probes:
  membership:
    attacks: [loss]
    thresholds: { auc: { fail: 0.6 } }
`),
      { relativeTo: root },
    );
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { line: 8, field: 'baseline.model' } });
    expect(report.error?.message).toMatch(
      /baseline model .*probabilities\.onnx is not shaped like the candidate .*it takes 4 input features, the candidate 64/,
    );
  });
});

describe('baseline.report: unpaired comparison with an earlier run', () => {
  const candidate = (reportFile: string, members = 'DIGITS/data/members.csv') =>
    policy(`version: 1
extends: standard
seed: 42
model: { path: DIGITS/leaky.onnx, input: x, output: probabilities }
data:
  members: { path: ${members} }
  non-members: { path: DIGITS/data/non-members.csv }
  label: digit
  features: "pixel_*"
baseline: { report: ${reportFile} }
probes:
  membership:
    attacks: [loss, confidence, entropy, modified-entropy]
    thresholds:
      tpr-at-fpr: { fpr: 0.02, fail: 0.10 }
    max-increase: { auc: 0.02, tpr-at-fpr: 0.01 }
`);

  it('combines the two runs’ intervals as independent: wider than paired, and still a fail', async () => {
    const before = write('privacy-report.json', renderJson(await hardenedAgainstItself()));
    const report = await runGate(candidate(before), { relativeTo: root });
    expect(report).toMatchObject({ verdict: 'fail', exitCode: 1, baseline: { kind: 'report', paired: false } });
    expect(report.warnings).toEqual([]);
    const loss = attacksOf(report).find((a) => a.attack === 'loss')!;
    const d = loss.metrics['auc-increase']!;
    expect(d.interval).toMatch(/unpaired/);
    expect(d.value).toBeCloseTo(0.2364, 4);
    // The paired DeLong interval of the same difference is [0.2077, 0.2651]; unpaired is wider.
    expect(d.ci[0]).toBeLessThan(0.2077);
    expect(d.ci[1]).toBeGreaterThan(0.2651);
    expect(checksOf(report).find((c) => c.attack === 'loss' && c.metric === 'auc-increase')?.status).toBe('fail');
  });

  it('warns when the two runs read different data', async () => {
    const before = write('privacy-report.json', renderJson(await hardenedAgainstItself()));
    const lines = readFileSync(path.join(digits, 'data/members.csv'), 'utf8').split('\n');
    const fewer = write('members.csv', `${lines.slice(0, 601).join('\n')}\n`);
    const report = await runGate(candidate(before, fewer), { relativeTo: root });
    expect(report.warnings).toEqual([
      expect.stringMatching(
        /^the members data differ from the released run .*600 rows here; .*899 rows there\): the two runs measured different records/,
      ),
    ]);
  });

  it('a file that is no privacy report is exit 2 at the baseline line', async () => {
    const report = await runGate(candidate(write('not-a-report.json', '{"version": 1}\n')), { relativeTo: root });
    expect(report).toMatchObject({ verdict: 'error', exitCode: 2, error: { line: 10, field: 'baseline.report' } });
    expect(report.error?.message).toMatch(/is not a privacy-report\.json/);
  });
});
