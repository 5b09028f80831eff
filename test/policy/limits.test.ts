/**
 * Policies that are big or not files at all: validation stays linear in the number of keys, and a
 * --policy that is a FIFO, a device or over 1 MiB is refused before anything is read.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { validatePolicy } from '../../src/run/policy';
import { MAX_POLICY_BYTES } from '../../src/policy/source';
import { policyDir, POLICY_HEAD } from './helpers';
import { sink } from '../helpers/sink';

const PROBES = 'probes:\n  membership:\n    thresholds: { auc: { fail: 0.6 } }\n';
const FIRST_UNKNOWN_LINE = (POLICY_HEAD + PROBES).split('\n').length;

describe('policy size', () => {
  // Quadratic before (yaml's duplicate-key scan, a lookup per error that scanned the mapping, and
  // the merge forgetting replaced paths by scanning every recorded path): 15 s on the dev machine
  // for 20,000 keys, about 1.2 s now. The timeout is a loose guard, not a benchmark.
  it('reports 20,000 unknown keys, each at its own line', { timeout: 10_000 }, () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `unknown${i}: ${i}\n`).join('');
    const dir = policyDir({ 'policy.yaml': POLICY_HEAD + PROBES + keys });
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(errors).toHaveLength(20_000);
    expect(errors.map((e) => e.location?.line)).toEqual(Array.from({ length: 20_000 }, (_, i) => FIRST_UNKNOWN_LINE + i));
    expect(errors[19_999]!.message).toMatch(/^unknown key "unknown19999" at the top level; expected one of: version/);
  });

  it('finds a duplicate key inside a nested mapping, at the second key', () => {
    const dir = policyDir({ 'policy.yaml': `${POLICY_HEAD}${PROBES}gate:\n  confidence: 0.9\n  confidence: 0.8\n` });
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(errors.map((e) => [e.location?.line, e.location?.column, e.message])).toEqual([
      [FIRST_UNKNOWN_LINE + 2, 3, 'YAML syntax error: Map keys must be unique'],
    ]);
  });

  it('refuses a policy over 1 MiB before parsing it', () => {
    const dir = policyDir({ 'policy.yaml': POLICY_HEAD + PROBES + `# ${'x'.repeat(MAX_POLICY_BYTES)}\n` });
    const file = join(dir, 'policy.yaml');
    const errors = validatePolicy(file, { roots: [dir] });
    expect(errors.map((e) => e.describe())).toEqual([
      `${file}: policy file is ${MAX_POLICY_BYTES + POLICY_HEAD.length + PROBES.length + 3} bytes; expected at most ${MAX_POLICY_BYTES} (1 MiB): ${file}`,
    ]);
  });
});

describe('--policy that is not a regular file', () => {
  const fifo = () => {
    const dir = policyDir({});
    const file = join(dir, 'policy.yaml');
    execFileSync('mkfifo', [file]);
    return file;
  };
  const folder = () => policyDir({});
  it.each([
    // Before: the FIFO blocked the read forever; /dev/zero read 4.2 GB and aborted with exit 134.
    ['a FIFO', fifo, 'a FIFO (named pipe)'],
    ['a folder', folder, 'a folder'],
  ])('%s is exit 2 at once', { timeout: 10_000 }, async (_, make, kind) => {
    const file = make();
    const err = sink();
    const code = await cli(['validate', '--policy', file, '--root', '/'], sink().stream, err.stream);
    expect(code).toBe(2);
    expect(err.text()).toContain(`policy file is ${kind}, not a regular file: ${file}`);
  });

  it('/dev/zero is exit 2 at once, even with / as a root: /dev is never read', { timeout: 10_000 }, async () => {
    const err = sink();
    const code = await cli(['validate', '--policy', '/dev/zero', '--root', '/'], sink().stream, err.stream);
    expect(code).toBe(2);
    expect(err.text()).toBe(
      'privacy-gate: /dev/zero: policy file /dev/zero is under /dev, which the gate never reads (it holds the process environment, kernel state or devices)\n',
    );
  });

  it('an extends target that is a FIFO is refused at the extends line', { timeout: 10_000 }, () => {
    const dir = policyDir({ 'policy.yaml': `extends: ./base.yaml\n${POLICY_HEAD}${PROBES}` });
    execFileSync('mkfifo', [join(dir, 'base.yaml')]);
    const errors = validatePolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(errors.map((e) => [e.location?.line, e.message])).toEqual([
      [1, expect.stringContaining('a FIFO (named pipe), not a regular file')],
    ]);
  });
});
