/**
 * The example workflows users copy: parsed and checked for what makes them safe and working
 * (permissions, the fork-safe split, inputs that action.yml really has, an artifact name both
 * halves agree on) and the audit policy runs through the gate's own validator.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkPolicy } from '../../src/run/policy';

const DIR = 'examples/workflows';
const load = (file: string) => parse(readFileSync(path.join(DIR, file), 'utf8'));
const action = parse(readFileSync('action.yml', 'utf8'));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
const steps = (wf: any): Step[] => Object.values(wf.jobs as Record<string, { steps: Step[] }>).flatMap((j) => j.steps);
const gateSteps = (wf: any) => steps(wf).filter((s) => s.uses?.startsWith('model-privacy-gate/model-privacy-gate@'));

describe('example workflows', () => {
  it.each([
    { file: 'privacy-gate.yml', on: ['pull_request'], permissions: { contents: 'read', 'pull-requests': 'write' } },
    { file: 'privacy-gate-fork-measure.yml', on: ['pull_request'], permissions: { contents: 'read' } },
    { file: 'privacy-gate-fork-publish.yml', on: ['workflow_run'], permissions: { actions: 'read', 'pull-requests': 'write' } },
    { file: 'privacy-gate-audit.yml', on: ['schedule', 'workflow_dispatch'], permissions: { contents: 'read' } },
    { file: 'privacy-gate-deep-audit.yml', on: ['schedule', 'push', 'workflow_dispatch'], permissions: { contents: 'read' } },
  ])('$file: triggers and least permissions', ({ file, on, permissions }) => {
    const wf = load(file);
    expect(Object.keys(wf.on)).toEqual(on);
    expect(wf.permissions).toEqual(permissions);
    for (const step of gateSteps(wf)) {
      for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    }
    expect(gateSteps(wf)).toHaveLength(1);
  });

  it('the measuring half never comments and uploads the report under the name the publishing half downloads', () => {
    const measure = load('privacy-gate-fork-measure.yml');
    const publish = load('privacy-gate-fork-publish.yml');
    expect(gateSteps(measure)[0]!.with).toMatchObject({ comment: 'never' });
    const upload = steps(measure).find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const download = steps(publish).find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with!.name).toBe(upload.with!.name);
    expect(download.with!['run-id']).toBe('${{ github.event.workflow_run.id }}');
    expect(publish.on.workflow_run.workflows).toEqual([measure.name]);
    expect(gateSteps(publish)[0]!.with).toEqual({ report: download.with!.path });
  });

  it('the publishing half never checks out or runs the pull request code', () => {
    const publish = load('privacy-gate-fork-publish.yml');
    for (const step of steps(publish)) {
      expect(step.uses ?? '').not.toMatch(/^actions\/checkout@/);
      expect(step.run).toBeUndefined();
    }
    expect(publish.jobs.publish.if).toContain("github.event.workflow_run.event == 'pull_request'");
  });

  it('the deep audit trains the reference models in matrix slices and audits them all in a job that needs them', () => {
    const wf = load('privacy-gate-deep-audit.yml');
    expect(wf.on.push).toEqual({ tags: ['v*'] });
    const { references, audit } = wf.jobs;
    expect(audit.needs).toBe('references');
    const slices: number[] = references.strategy.matrix.slice;
    expect(slices.map(String)).toEqual(Array.from({ length: Number(wf.env.SLICES) }, (_, i) => String(i + 1)));
    expect(Number(wf.env.REFERENCES) % 2).toBe(0);
    const train = (references.steps as Step[]).find((s) => s.run?.includes('train.py'))!;
    expect(train.run).toContain('--reference-slice "${{ matrix.slice }}/$SLICES"');
    // every slice's artifact name matches the download pattern, and nothing else is downloaded
    const upload = (references.steps as Step[]).find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const download = (audit.steps as Step[]).find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    const pattern = String(download.with!.pattern);
    expect(pattern.endsWith('*')).toBe(true);
    for (const slice of slices) {
      const name = String(upload.with!.name).replace('${{ matrix.slice }}', String(slice));
      expect(name.startsWith(pattern.slice(0, -1))).toBe(true);
    }
    expect(download.with!['merge-multiple']).toBe(true);
    // the merge runs after the download and before the gate, which reads the merged folder
    const auditSteps = audit.steps as Step[];
    const merge = auditSteps.findIndex((s) => s.run?.includes('merge_memberships.py'));
    expect(merge).toBeGreaterThan(auditSteps.indexOf(download));
    expect(merge).toBeLessThan(auditSteps.indexOf(gateSteps(wf)[0]!));
    expect(gateSteps(wf)[0]!.with!.policy).toBe('examples/digits/deep-audit.policy.yml');
    expect(String(download.with!.path)).toMatch(/^examples\/digits\/refs\/?$/);
    // the artifact holds <family>/ref-NN.onnx, so it must be downloaded where the policy looks for refs/leaky/
    const policy = parse(readFileSync('examples/digits/deep-audit.policy.yml', 'utf8'));
    expect(policy.probes.membership['reference-models'].memberships).toBe('refs/leaky/memberships.csv');
  });

  it('the sharded gate: a 4-way matrix of shards uploads one signals file each, and a merge job that needs them all publishes', () => {
    const wf = load('privacy-gate-sharded.yml');
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.permissions).toEqual({ contents: 'read' });
    const { shard, merge } = wf.jobs;
    expect(merge.needs).toBe('shard');
    expect(merge.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(shard.permissions).toBeUndefined();
    const shards: number[] = shard.strategy.matrix.shard;
    expect(shards).toEqual([1, 2, 3, 4]);
    const [shardGate] = gateSteps({ jobs: { shard } });
    const [mergeGate] = gateSteps({ jobs: { merge } });
    expect(shardGate!.with!.shard).toBe(`${'${{ matrix.shard }}'}/${shards.length}`);
    for (const step of [shardGate!, mergeGate!]) {
      for (const input of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    }
    // every shard's artifact matches the merge's download pattern, and the gate reads where it lands
    const upload = (shard.steps as Step[]).find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    const download = (merge.steps as Step[]).find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(upload.with!.path).toBe(`${String(shardGate!.with!.out)}/`);
    const pattern = String(download.with!.pattern);
    for (const i of shards)
      expect(String(upload.with!.name).replace('${{ matrix.shard }}', String(i)).startsWith(pattern.slice(0, -1))).toBe(true);
    expect(mergeGate!.with).toEqual({ signals: download.with!.path });
    expect((merge.steps as Step[]).indexOf(download)).toBeLessThan((merge.steps as Step[]).indexOf(mergeGate!));
  });

  it('the audit policy is valid and uses the strict preset', () => {
    const { errors } = checkPolicy(path.join(DIR, 'privacy-audit.policy.yml'));
    expect(errors.map((e) => e.describe())).toEqual([]);
    expect(load('privacy-audit.policy.yml').extends).toBe('strict');
  });
});

describe('the policy comparison needs the base commit', () => {
  it('privacy-gate.yml checks out with fetch-depth: 0, and shows policy-from: base', () => {
    const wf = load('privacy-gate.yml');
    const checkout = steps(wf).find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    expect(readFileSync('examples/workflows/privacy-gate.yml', 'utf8')).toMatch(/^\s*# policy-from: base\b/m);
  });
});

describe('action.yml', () => {
  it('is strict YAML with a description for every input and output, and the inputs the action reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([
      'allowed-roots',
      'comment',
      'github-token',
      'out',
      'policy',
      'policy-from',
      'report',
      'shard',
      'signals',
    ]);
    expect(action.inputs['policy-from'].default).toBe('head');
    expect(Object.keys(action.outputs).sort()).toEqual(['comment-url', 'html', 'report', 'sarif', 'signals', 'verdict']);
    for (const spec of [...Object.values(action.inputs), ...Object.values(action.outputs)] as Array<{ description?: string }>) {
      expect(spec.description?.length).toBeGreaterThan(10);
    }
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(action.inputs.comment.default).toBe('always');
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
