/**
 * examples/workflows/privacy-gate-vs-released.yml: its shape (least permissions, the released
 * model downloaded into RUNNER_TEMP, the gate pointed at the policy written there), and the
 * policy its script writes, run for real: the script executes in bash with the download replaced
 * by a copy of the digits example's hardened model (the one network call), and the gate then
 * compares the leaky candidate with it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runGate } from '../../src/run/gate';

const root = path.resolve(__dirname, '../..');
const digits = path.join(root, 'examples/digits');
const workflow = parse(readFileSync(path.join(root, 'examples/workflows/privacy-gate-vs-released.yml'), 'utf8'));
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8'));
const steps = workflow.jobs['privacy-gate'].steps as Array<{ name?: string; uses?: string; run?: string; with?: Record<string, string> }>;
const download = steps.find((s) => s.run?.includes('gh release download'))!;
const gate = steps.find((s) => s.uses?.startsWith('model-privacy-gate/model-privacy-gate@'))!;

mkdirSync(path.join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(path.join(root, '.tmp', 'vs-released-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('privacy-gate-vs-released.yml', () => {
  it('downloads the released model into RUNNER_TEMP with the job token and gates on the policy written there', () => {
    expect(workflow.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(download.run).toMatch(/gh release download .*--dir "\$RUNNER_TEMP\/released"/);
    expect(download).toMatchObject({ env: { GH_TOKEN: '${{ github.token }}' } });
    expect(gate.with).toEqual({ policy: '${{ runner.temp }}/vs-released.policy.yml' });
    for (const input of Object.keys(gate.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
  });

  it('the policy its script writes compares the candidate with the downloaded model', async () => {
    const workspace = path.join(dir, 'workspace');
    const runnerTemp = path.join(dir, 'runner-temp');
    mkdirSync(path.join(workspace, 'release'), { recursive: true });
    mkdirSync(runnerTemp, { recursive: true });
    // The repository's release policy: the leaky digits model is the candidate.
    writeFileSync(
      path.join(workspace, 'release/privacy-policy.yml'),
      `version: 1
extends: standard
seed: 42
model: { path: ${digits}/leaky.onnx, input: x, output: probabilities }
data:
  members: { path: ${digits}/data/members.csv }
  non-members: { path: ${digits}/data/non-members.csv }
  label: digit
  features: "pixel_*"
probes:
  membership:
    attacks: [loss]
    thresholds:
      tpr-at-fpr: { fpr: 0.02, fail: 0.10 }
`,
    );
    // The one network call, replaced: the released model is the hardened digits model. The shell
    // runs as GitHub's runner runs a `run` step (bash --noprofile --norc -eo pipefail).
    const script = download.run!.replace(/^gh release download .*$/m, `cp "${digits}/hardened.onnx" "$RUNNER_TEMP/released/model.onnx"`);
    expect(script).not.toContain('gh release');
    execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      env: { PATH: process.env['PATH'], RUNNER_TEMP: runnerTemp, GITHUB_WORKSPACE: workspace, GITHUB_REPOSITORY: 'octo/models' },
    });
    const written = path.join(runnerTemp, 'vs-released.policy.yml');
    expect(readFileSync(written, 'utf8')).toContain(`model: ${runnerTemp}/released/model.onnx`);
    const report = await runGate(written, { relativeTo: root });
    expect(report).toMatchObject({ verdict: 'fail', exitCode: 1, baseline: { kind: 'model', paired: true } });
    expect(report.baseline?.path).toBe(path.relative(root, path.join(runnerTemp, 'released/model.onnx')));
    const auc = report.probes[0]!.checks.find((c) => c.metric === 'auc-increase')!;
    expect(auc).toMatchObject({ attack: 'loss', status: 'fail', thresholds: { fail: 0.02 } });
    expect(auc.value).toBeCloseTo(0.2364, 4);
  });
});
