/**
 * examples/tinygpt end to end through the real gate and onnxruntime: a GPT-2-architecture
 * decoder export (KV cache, byte-level BPE tokenizer.json, the base model as reference). The
 * example's own policies enumerate 10^6 canary fillings and sample 256 generations (minutes);
 * here each extends them with an estimated exposure and fewer samples, so the test stays short
 * while every attack still runs on the real models.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../src/publish/files';
import { runGate } from '../../src/run/gate';
import type { GateReport } from '../../src/result';
import { TEST_ROOTS } from '../policy/helpers';

const example = path.resolve('examples/tinygpt');
const canaries = JSON.parse(readFileSync(path.join(example, 'canaries.json'), 'utf8')) as {
  inserted: Array<{ secret: string; repetitions: number }>;
  controls: string[];
};
const secrets = [...canaries.inserted.map((c) => c.secret), ...canaries.controls];

function quickPolicy(policy: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinygpt-'));
  const file = path.join(dir, 'policy.yml');
  writeFileSync(
    file,
    `extends: ${JSON.stringify(path.join(example, policy))}
probes:
  extraction:
    exposure: { exact-limit: 1000, samples: 2000 }
    generation: { samples: 48 }
    secret-scan: { samples: 8 }
`,
  );
  return file;
}

function metric(report: GateReport, probe: string, attack: string, id: string): number {
  const p = report.probes.find((x) => x.id === probe)!;
  return p.attacks.find((a) => a.attack === attack)!.metrics[id]!.value ?? NaN;
}

function leakedSecrets(report: GateReport): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'tinygpt-report-'));
  writeReportFiles(report, dir);
  const text = readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
  return secrets.filter((s) => new RegExp(`(?<![0-9.])${s}(?![0-9])`).test(text));
}

describe('examples/tinygpt (decoder export with a KV cache and a tokenizer.json)', () => {
  it('the leaky model fails on membership, canaries and verbatim continuations, and leaks no secret', { timeout: 600_000 }, async () => {
    const report = await runGate(quickPolicy('policy.yml'), TEST_ROOTS);
    expect(report.error).toBeUndefined();
    expect(report.verdict).toBe('fail');
    expect(report.sequenceModel!.decoder).toMatchObject({ cache: true, layers: 4, heads: 4, headDim: 32 });
    expect(report.sequenceModel!.tokenizer).toMatchObject({ kind: 'tokenizer.json', tokens: 1024, eosId: 1023 });
    for (const attack of ['loss', 'min-k', 'min-k-plus-plus', 'reference']) {
      expect(metric(report, 'text-membership', attack, 'auc')).toBeGreaterThan(0.95);
    }
    expect(metric(report, 'extraction', 'canary-exposure', 'max-exposure')).toBeGreaterThan(12);
    expect(metric(report, 'extraction', 'memorization', 'extraction-gap')).toBeGreaterThan(0.05);
    expect(leakedSecrets(report)).toEqual([]);
  });

  it(
    'the hardened model (DP-SGD fine-tune) passes: no canary, no verbatim text, every membership attack near chance',
    { timeout: 600_000 },
    async () => {
      const report = await runGate(quickPolicy('hardened.policy.yml'), TEST_ROOTS);
      expect(report.error).toBeUndefined();
      // The reference attack (likelihood ratio against the base model) is the one that separated
      // the training texts of the fine-tune without differential privacy (AUC 0.69); with DP-SGD
      // it must be near chance too.
      for (const attack of ['loss', 'zlib', 'min-k', 'min-k-plus-plus', 'reference']) {
        expect(metric(report, 'text-membership', attack, 'auc')).toBeLessThan(0.6);
      }
      const unresolved = report.probes
        .flatMap((p) => p.checks)
        .filter((c) => c.status !== 'pass')
        .map((c) => `${c.probe}/${c.attack}/${c.metric}: ${c.status}`);
      expect(unresolved).toEqual([]);
      expect(report.verdict).toBe('pass');
      expect(report.exitCode).toBe(0);
      expect(metric(report, 'extraction', 'canary-exposure', 'max-exposure')).toBeLessThan(8);
      expect(metric(report, 'extraction', 'memorization', 'extraction-rate')).toBe(0);
      expect(leakedSecrets(report)).toEqual([]);
    },
  );
});
