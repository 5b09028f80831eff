/**
 * The charlm example end to end through the real gate and onnxruntime: the leaky model fails,
 * the hardened one passes, the exposures match train.py's independent PyTorch audit and grow
 * with the number of insertions, and no canary secret appears in any file the gate writes.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../src/publish/files';
import { runGate } from '../../src/run/gate';
import type { CanaryRow, GateReport } from '../../src/result';

const example = 'examples/charlm';
const canaries = JSON.parse(readFileSync(`${example}/canaries.json`, 'utf8')) as {
  inserted: Array<{ secret: string; repetitions: number }>;
  controls: string[];
};
const audit = JSON.parse(readFileSync(`${example}/metrics.json`, 'utf8')) as Record<
  string,
  { exposure: { inserted: Array<{ exposure: number; rank: number }>; controls: Array<{ exposure: number }> } }
>;
const secrets = [...canaries.inserted.map((c) => c.secret), ...canaries.controls];

function canaryRows(report: GateReport): CanaryRow[] {
  const attack = report.probes[0]!.attacks.find((a) => a.attack === 'canary-exposure')!;
  return attack.details!.canaries!;
}

/** Every file the gate writes, scanned for each secret as a whole number (not inside a longer digit run or a decimal). */
function leakedSecrets(report: GateReport): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'charlm-report-'));
  writeReportFiles(report, dir);
  const text = readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  return secrets.filter((s) => new RegExp(`(?<![0-9.])${s}(?![0-9])`).test(text));
}

describe.each([
  { model: 'leaky', policy: 'policy.yml', verdict: 'fail', exitCode: 1, outcome: 'fails' },
  { model: 'hardened', policy: 'hardened.policy.yml', verdict: 'pass', exitCode: 0, outcome: 'passes' },
])('examples/charlm: $model model', ({ model, policy, verdict, exitCode, outcome }) => {
  it(`${outcome}, matches train.py's audit, and leaks no secret`, { timeout: 240_000 }, async () => {
    const report = await runGate(path.join(example, policy));
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe(verdict);
    expect(report.exitCode).toBe(exitCode);

    const rows = canaryRows(report);
    const inserted = rows.filter((r) => r.kind === 'inserted');
    const expected = audit[model]!.exposure;
    // Same ranks as PyTorch on the same weights (float32 kernels differ slightly, so allow a
    // rank or two of slack on the least exposed canaries).
    inserted.forEach((r, i) => expect(Math.abs(r.exposure - expected.inserted[i]!.exposure)).toBeLessThan(0.05));
    rows
      .filter((r) => r.kind === 'control')
      .forEach((r, i) => expect(Math.abs(r.exposure - expected.controls[i]!.exposure)).toBeLessThan(0.05));
    if (model === 'leaky') {
      // Inserted 1, 4, 16, 64 times: exposure grows with the repetitions (Carlini et al. 2019, Fig. 2).
      for (let i = 1; i < inserted.length; i++) expect(inserted[i]!.exposure).toBeGreaterThan(inserted[i - 1]!.exposure);
      expect(inserted.at(-1)!.rank).toBe(1);
      const failed = report.probes[0]!.checks.filter((c) => c.status === 'fail').map((c) => c.metric);
      expect(failed).toEqual(expect.arrayContaining(['max-exposure', 'secret-matches']));
    } else {
      expect(Math.max(...inserted.map((r) => r.exposure))).toBeLessThan(8);
    }
    // Model queries: the walk (at most 111,111 trie nodes + 6 per canary), memorisation and scan.
    expect(report.queries).toBeGreaterThan(1000);
    expect(report.queries).toBe(report.probes[0]!.queries);
    expect(leakedSecrets(report)).toEqual([]);
  });
});
