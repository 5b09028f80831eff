/**
 * A recipe-level estimate that reads below chance is not a swapped members file: its memberships
 * come from the memberships file. The DP-SGD digits model queried with one-pixel shifts (which
 * its recipe never trains on) is such a case: recipe-level online LiRA reads about 0.476 with its
 * whole interval under 0.5. The gate used to refuse the run as "members and non-members probably
 * swapped"; now it runs, and the probe notes that the attack misfits the recipe.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGate } from '../../src/run/gate';

const root = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-recipe-below-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recipe level below chance', { timeout: 600_000 }, () => {
  it('is a note on the probe, not a refusal', async () => {
    const policy = path.join(dir, 'policy.yml');
    writeFileSync(
      policy,
      `extends: ${path.join(root, 'examples/digits/deep-audit.private.policy.yml')}\nprobes:\n  membership:\n    queries:\n      augmentations: [shift-1]\n`,
    );
    const report = await runGate(policy, { roots: [dir, root] });
    expect(report.error, JSON.stringify(report.error)).toBeUndefined();
    expect(report.exitCode).toBe(0);
    const membership = report.probes.find((p) => p.id === 'membership')!;
    const recipe = membership.attacks.find((a) => a.attack === 'lira-recipe-level')!;
    const auc = recipe.metrics['auc']!;
    expect(auc.ci[1]).toBeLessThan(0.5);
    expect(membership.notes.join('\n')).toMatch(/lira at recipe level reads below chance \(AUC 0\.4\d\d, interval/);
    // The swap rule still guards the candidate's own attacks: none of them read below chance here.
    for (const a of membership.attacks.filter((x) => !x.attack.endsWith('-recipe-level')))
      expect(a.metrics['auc']!.ci[1]).toBeGreaterThanOrEqual(0.5);
  });
});
