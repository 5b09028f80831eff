/**
 * The probe registry against the policy format: every family the schema knows is registered,
 * its threshold ids are the schema's (one spelling from the policy to the report), and a policy
 * that sets every threshold gets settings keyed by those ids, in the registry's check order.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/policy';
import { PROBE_FAMILIES } from '../../src/probes';
import { loadPolicy, validatePolicy } from '../../src/run/policy';
import { policyDir, POLICY_HEAD, TEST_ROOTS } from '../policy/helpers';

type SchemaNode = { properties?: Record<string, SchemaNode> };
const probesSchema = (policySchema as SchemaNode).properties!['probes']!.properties!;

describe('the probe registry', () => {
  it('registers exactly the probes the policy schema describes', () => {
    expect(PROBE_FAMILIES.map((f) => f.id).sort()).toEqual(Object.keys(probesSchema).sort());
  });

  it.each(PROBE_FAMILIES.map((f) => [f.id, f] as const))('%s: threshold ids are the schema’s, in the same order', (id, family) => {
    expect(family.thresholds).toEqual(Object.keys(probesSchema[id]!.properties!['thresholds']!.properties!));
  });

  it('every model task has a probe, and each family names what it needs', () => {
    for (const task of ['classification', 'regression', 'sequence'] as const) {
      expect(PROBE_FAMILIES.some((f) => f.tasks.includes(task))).toBe(true);
    }
    for (const family of PROBE_FAMILIES) expect(family.needs.length).toBeGreaterThan(0);
  });

  it('settings hold every threshold the policy sets under its policy id, in check order', () => {
    const dir = policyDir({
      'policy.yaml': `${POLICY_HEAD}probes:
  membership:
    thresholds:
      epsilon-lower-bound: { fail: 2 }
      tpr-at-fpr: { fpr: 0.01, fail: 0.05 }
      advantage: { fail: 0.2 }
      auc: { warn: 0.55, fail: 0.6 }
  inversion:
    thresholds:
      similarity-gain: { fail: 0.9 }
      identification-rate: { fail: 0.5 }
`,
    });
    const policy = loadPolicy(join(dir, 'policy.yaml'), TEST_ROOTS);
    expect(Object.keys(policy.probes.membership!.thresholds)).toEqual(['auc', 'advantage', 'tpr-at-fpr', 'epsilon-lower-bound']);
    expect(policy.probes.membership!.thresholds['tpr-at-fpr']).toMatchObject({ fpr: 0.01, fail: 0.05 });
    expect(Object.keys(policy.probes.inversion!.thresholds)).toEqual(['identification-rate', 'similarity-gain']);
  });

  it('a probe on a task it does not run on is refused, naming the probes that do', () => {
    const dir = policyDir({
      'policy.yaml': `${POLICY_HEAD.replace('model:\n', 'model:\n  task: regression\n')}probes:
  inversion:
    thresholds:
      identification-rate: { fail: 0.5 }
`,
    });
    const errors = validatePolicy(join(dir, 'policy.yaml'), TEST_ROOTS);
    expect(errors.map((e) => e.message)).toContainEqual(
      expect.stringMatching(
        /^the inversion probe needs a classifier's class scores, but model\.task is regression .*only the attribute-inference probe runs$/,
      ),
    );
  });
});
