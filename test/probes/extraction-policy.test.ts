/** Typed settings of sequence-model policies: defaults, paths and source positions. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/run/policy';
import { EXTRACTION_DEFAULTS } from '../../src/probes/extraction/settings';
import { policyDir } from '../policy/helpers';

const FILES = ['model.onnx', 'members.txt', 'non-members.jsonl', 'vocab.json'];

describe('sequence policy settings', () => {
  it('the charlm example policy', () => {
    const policy = loadPolicy('examples/charlm/policy.yml');
    expect(policy.model).toMatchObject({
      task: 'sequence',
      input: 'ids',
      output: 'logits',
      tokenizer: { vocabFile: expect.stringMatching(/examples\/charlm\/vocab\.json$/) },
    });
    expect(policy.data.members).toMatchObject({ format: 'text', path: expect.stringMatching(/members\.txt$/) });
    const e = policy.probes.extraction!;
    expect(e.canaries[0]).toMatchObject({ format: 'my pin is {digits:6}', source: { line: 25 } });
    expect(e.canaries[0]!.inserted).toHaveLength(4);
    expect(e.memorization).toEqual({ prefix: 32, suffix: 16 });
    expect(e.thresholds['max-exposure']).toMatchObject({ warn: 8, fail: 12, source: { line: 43, column: 7 } });
  });

  it('a minimal policy gets every default; thresholds switch their attacks on', () => {
    const dir = policyDir(
      {
        'policy.yaml': `version: 1
model:
  path: model.onnx
  task: sequence
  tokenizer: { vocab: "abc", pad-id: 0 }
data:
  members: { path: members.txt }
  non-members: { path: non-members.jsonl }
probes:
  extraction:
    thresholds:
      extraction-gap: { fail: 0.1 }
      secret-matches: { fail: 0 }
`,
      },
      FILES,
    );
    const policy = loadPolicy(join(dir, 'policy.yaml'), { roots: [dir] });
    expect(policy.model.tokenizer).toMatchObject({ vocab: ['a', 'b', 'c'], padId: 0 });
    expect(policy.data).toMatchObject({ textField: 'text', members: { format: 'text' }, nonMembers: { format: 'jsonl' } });
    const e = policy.probes.extraction!;
    expect(e.canaries).toEqual([]);
    expect(e.exposure).toEqual({ exactLimit: EXTRACTION_DEFAULTS.exactLimit, samples: EXTRACTION_DEFAULTS.samples });
    expect(e.memorization).toEqual({ prefix: 32, suffix: 32 });
    expect(e.secretScan).toMatchObject({
      samples: 32,
      length: 64,
      temperature: 1,
      topK: 0,
      patterns: ['email', 'phone', 'id-number'],
      regexes: [],
    });
    expect(e.secretScan!.prompts.map((p) => p.text)).toEqual(['']);
  });

  it('a classification policy is unchanged: no sequence settings appear', () => {
    const policy = loadPolicy('examples/digits/policy.yml');
    expect(policy.model.tokenizer).toBeUndefined();
    expect(policy.data.textField).toBeUndefined();
    expect(policy.probes.extraction).toBeUndefined();
  });
});
