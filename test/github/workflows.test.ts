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

  it('the audit policy is valid and uses the strict preset', () => {
    const { errors } = checkPolicy(path.join(DIR, 'privacy-audit.policy.yml'));
    expect(errors.map((e) => e.describe())).toEqual([]);
    expect(load('privacy-audit.policy.yml').extends).toBe('strict');
  });
});

describe('action.yml', () => {
  it('is strict YAML with a description for every input and output, and the inputs the action reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(['allowed-roots', 'comment', 'github-token', 'out', 'policy', 'report']);
    expect(Object.keys(action.outputs).sort()).toEqual(['comment-url', 'html', 'report', 'sarif', 'verdict']);
    for (const spec of [...Object.values(action.inputs), ...Object.values(action.outputs)] as Array<{ description?: string }>) {
      expect(spec.description?.length).toBeGreaterThan(10);
    }
    expect(action.inputs['github-token'].default).toBe('${{ github.token }}');
    expect(action.inputs.comment.default).toBe('always');
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
