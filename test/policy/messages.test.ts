/**
 * How the policy's schema reads in messages and docs: a bare number where a threshold mapping
 * belongs shows the mapping to write; descriptions are not cut inside "e.g."; and the one rule
 * for crossing a threshold (strictly above, as src/gate/verdict.ts decides) is stated the same in
 * the schema, the README and the verdict.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeCheck } from '../../src/gate/verdict';
import { policySchema } from '../../src/policy';
import { firstSentence } from '../../src/policy/schema';
import { validatePolicy } from '../../src/run/policy';
import { policyDir, POLICY_HEAD } from './helpers';

const root = join(__dirname, '../..');

describe('a bare number where a threshold mapping belongs', () => {
  it.each([
    {
      yaml: 'probes:\n  membership:\n    thresholds:\n      auc: 0.6\n',
      message:
        /^expected a mapping for probes\.membership\.thresholds\.auc, found a number \(0\.6\); a threshold is a mapping: write auc: \{ fail: 0\.6 \} \(fails when the value is strictly above 0\.6\), or \{ warn: …, fail: 0\.6 \}$/,
    },
    {
      yaml: 'probes:\n  membership:\n    thresholds:\n      tpr-at-fpr: 0.1\n',
      message: /write tpr-at-fpr: \{ fpr: …, fail: 0\.1 \}/,
    },
    {
      yaml: 'probes:\n  inversion:\n    thresholds:\n      similarity-gain: 0.9\n',
      message: /write similarity-gain: \{ fail: 0\.9 \}/,
    },
  ])('$yaml', ({ yaml, message }) => {
    const dir = policyDir({ 'policy.yaml': POLICY_HEAD + yaml });
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(errors.map((e) => e.message)).toContainEqual(expect.stringMatching(message));
    expect(errors.find((e) => message.test(e.message))!.location).toMatchObject({ line: 11 });
  });
});

describe('firstSentence: schema descriptions in messages', () => {
  it.each([
    [
      'Records from the same distribution that were NOT in the training set (e.g. a held-out split).',
      'Records from the same distribution that were NOT in the training set (e.g. a held-out split)',
    ],
    ['A value, e.g. 3. Then more.', 'A value, e.g. 3'],
    ['The label, i.e. the class. Default: label.', 'The label, i.e. the class'],
    ['One sentence only', 'One sentence only'],
    ['Ends with a version 1.5 number. Next.', 'Ends with a version 1.5 number'],
  ])('%s', (text, expected) => {
    expect(firstSentence(text)).toBe(expected);
  });

  it('a missing data.non-members quotes its whole first sentence', () => {
    const dir = policyDir({
      'policy.yaml':
        'version: 1\nmodel: { path: model.onnx }\ndata:\n  members: { path: train.csv }\n  label: digit\nprobes: { membership: { thresholds: { auc: { fail: 0.6 } } } }\n',
    });
    const messages = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] }).map((e) => e.message);
    expect(messages).toContain(
      'missing required key "non-members" in data (Records from the same distribution that were NOT in the training set (e.g. a held-out split))',
    );
  });
});

/** Every warn/fail description in the schema, with its path. */
function thresholdDescriptions(schema: unknown, path = ''): [string, string][] {
  if (schema === null || typeof schema !== 'object') return [];
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    const here = `${path}/${key}`;
    if ((key === 'warn' || key === 'fail') && value !== null && typeof value === 'object' && 'description' in value) {
      out.push([here, String((value as { description: unknown }).description)]);
    } else {
      out.push(...thresholdDescriptions(value, here));
    }
  }
  return out;
}

describe('one rule for crossing a threshold: strictly above', () => {
  const descriptions = thresholdDescriptions(policySchema);

  it('the schema has a warn and a fail description for every threshold', () => {
    expect(descriptions.length).toBeGreaterThanOrEqual(26);
  });

  it.each(descriptions)('%s says "strictly above this value"', (_path, description) => {
    expect(description).toMatch(/^(Warn|Fail the release) when .* is strictly above this value/);
    expect(description).not.toMatch(/reaches/);
  });

  it('the README says the same', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| `fail` \| the value is strictly above `fail`/);
    expect(readme).toMatch(/\| `warn` \| the value is strictly above `warn`/);
  });

  it.each([
    { value: 0.6, status: 'pass' },
    { value: 0.6000001, status: 'fail' },
  ])('the verdict agrees: AUC $value against fail 0.6 → $status', ({ value, status }) => {
    const check = { probe: 'membership', metric: 'auc', value, ci: [value, value] as [number, number], thresholds: { fail: 0.6 } };
    expect(judgeCheck(check, undefined, 0.95).status).toBe(status);
  });
});
