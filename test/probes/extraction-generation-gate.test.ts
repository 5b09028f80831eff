/**
 * Generation extraction through the real gate and onnxruntime on the charlm example: the leaky
 * model (canaries inserted up to 64 times) and the hardened one, sampled from "my pin is " and
 * from the start of a text. Checks the report (schema, files), that the leaky model's samples
 * reproduce member text, that nothing generated leaks into any report file wholesale, and that
 * the same seed gives the same figures.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReportFiles } from '../../src/publish/files';
import { parseReportJson, reportSchemaProblems } from '../../src/report/parse';
import { runGate } from '../../src/run/gate';
import type { GateReport } from '../../src/result';

const example = path.resolve('examples/charlm');
const canaries = JSON.parse(readFileSync(`${example}/canaries.json`, 'utf8')) as {
  inserted: Array<{ secret: string }>;
  controls: string[];
};

function policy(model: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'charlm-generation-'));
  writeFileSync(
    path.join(dir, 'policy.yml'),
    `version: 1
seed: 7
model:
  path: ${JSON.stringify(`${example}/${model}.onnx`)}
  task: sequence
  input: ids
  output: logits
  tokenizer: { vocab-file: ${JSON.stringify(`${example}/vocab.json`)} }
data:
  members: { path: ${JSON.stringify(`${example}/data/members.txt`)} }
  non-members: { path: ${JSON.stringify(`${example}/data/non-members.txt`)} }
  max-rows: 300
probes:
  extraction:
    generation: { prompts: ["my pin is ", ""], samples: 24, length: 40, top-k: 10, match-tokens: 16, inspect: 10 }
    thresholds: { extracted-samples: { fail: 0 } }
`,
  );
  return path.join(dir, 'policy.yml');
}

function generationOf(report: GateReport) {
  return report.probes[0]!.attacks.find((a) => a.attack === 'generation')!;
}

describe('generation extraction on examples/charlm (onnxruntime)', () => {
  it('the leaky model reproduces member text; the report is valid and carries no secret', { timeout: 240_000 }, async () => {
    const file = policy('leaky');
    const report = await runGate(file, { roots: [path.dirname(file), example] });
    expect(report.error).toBeUndefined();
    const attack = generationOf(report);
    const metric = attack.metrics['extracted-samples']!;
    expect(metric.generations).toBe(48);
    expect(metric.value).toBeGreaterThan(0);
    expect(report.verdict).toBe('fail');
    expect(attack.details!.rankings!.map((r) => r.ranking)).toEqual(['perplexity', 'zlib']);
    const dir = mkdtempSync(path.join(tmpdir(), 'charlm-generation-report-'));
    writeReportFiles(report, dir);
    const json = readFileSync(path.join(dir, 'privacy-report.json'), 'utf8');
    const parsed = parseReportJson(json);
    expect('data' in parsed && reportSchemaProblems(parsed.data, 10)).toEqual([]);
    const text = readdirSync(dir)
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    for (const s of [...canaries.inserted.map((c) => c.secret), ...canaries.controls])
      expect(text).not.toMatch(new RegExp(`(?<![0-9.])${s}(?![0-9])`));
    // Same seed, same figures.
    const again = await runGate(file, { roots: [path.dirname(file), example] });
    expect(generationOf(again).metrics).toEqual(attack.metrics);
  });
});
