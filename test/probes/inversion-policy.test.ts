/** The inversion section of a policy: defaults, threshold positions, warnings. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicy, loadPolicy } from '../../src/run/policy';
import { policyDir, POLICY_HEAD, TEST_ROOTS } from '../policy/helpers';

const HEAD = POLICY_HEAD;

describe('probes.inversion in a policy', () => {
  it('fills every default and keeps where the thresholds and the image are written', () => {
    const dir = policyDir({
      'policy.yaml': `${HEAD}probes:
  inversion:
    image: { height: 8, width: 8 }
    thresholds:
      identification-rate: { warn: 0.2, fail: 0.5 }
`,
    });
    const file = join(dir, 'policy.yaml');
    const settings = loadPolicy(file, TEST_ROOTS).probes.inversion!;
    expect(settings).toEqual({
      image: { height: 8, width: 8, channels: 1, layout: 'hwc', source: { file, line: 10, column: 5 } },
      start: 'auxiliary-mean',
      gradient: 'auto',
      samples: 50,
      maxQueries: 20_000,
      patience: 20,
      targetConfidence: 0.99,
      stepSize: 0.05,
      differenceStep: 0.01,
      smoothness: 0,
      thresholds: { 'identification-rate': { warn: 0.2, fail: 0.5, source: { file, line: 12, column: 7 } } },
    });
  });

  it('reads every option', () => {
    const dir = policyDir({
      'policy.yaml': `${HEAD}probes:
  inversion:
    image: { height: 28, width: 28, channels: 3, layout: chw }
    start: zeros
    gradient: nes
    samples: 10
    max-queries: 999
    patience: 3
    target-confidence: 0.9
    step-size: 0.1
    difference-step: 0.05
    smoothness: 0.2
    thresholds:
      similarity-gain: { fail: 0.9 }
`,
    });
    const s = loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }).probes.inversion!;
    expect(s).toMatchObject({
      image: { height: 28, width: 28, channels: 3, layout: 'chw' },
      start: 'zeros',
      gradient: 'nes',
      samples: 10,
      maxQueries: 999,
      patience: 3,
      targetConfidence: 0.9,
      stepSize: 0.1,
      differenceStep: 0.05,
      smoothness: 0.2,
    });
    expect(s.thresholds['similarity-gain']).toMatchObject({ fail: 0.9, source: { line: 21, column: 7 } });
  });

  it('takes larger difference steps by default when the surface rounds scores', () => {
    const dir = policyDir({
      'policy.yaml': `${HEAD}surface: { scores: full, decimals: 2 }
probes:
  inversion:
    thresholds: { similarity-gain: { fail: 0.9 } }
`,
    });
    expect(loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] }).probes.inversion!.differenceStep).toBe(0.2);
  });

  it('warns that samples is ignored with central differences', () => {
    const dir = policyDir({
      'policy.yaml': `${HEAD}probes:
  inversion:
    gradient: central
    samples: 10
    thresholds: { similarity-gain: { fail: 0.9 } }
`,
    });
    const { warnings } = checkPolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(warnings.map((w) => [w.location.line, w.location.column, w.message])).toEqual([
      [11, 5, expect.stringMatching(/^samples is ignored because gradient is central/)],
    ]);
  });
});
