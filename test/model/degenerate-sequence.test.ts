/**
 * Issue 8 item 1 for sequence models: a next-token model whose scores hold NaN or ±Infinity is
 * refused with exit 2, naming the model, the output, how many contexts and where the first came
 * from (a data file's line, or which part of the extraction probe built it). Each variant is the
 * charlm example's model with nodes appended to its output (test/helpers/onnx-proto.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { NonFiniteOutput } from '../../src/model/non-finite';
import { openOnnxSequenceModel } from '../../src/model/sequence';
import { ObservedSequence, observeNext } from '../../src/model/sequence-surface';
import { intAttribute, node, tensor, wrapOutput, addConstant, type OutputVariant } from '../helpers/onnx-proto';
import { sink } from '../helpers/sink';

const root = path.resolve(__dirname, '../..');
const charlm = path.join(root, 'examples/charlm');
const leaky = readFileSync(path.join(charlm, 'leaky.onnx'));
const vocab = JSON.parse(readFileSync(path.join(charlm, 'vocab.json'), 'utf8')) as string[];
const CONTEXT = 32;
const PREFIX = 32;
const SUFFIX = 16;

/** logits + 0 / (ids[:, 31] − id): NaN (0 / 0) on exactly the contexts whose last token is `id`, + 0 elsewhere. */
const nanWhereLastIs =
  (id: number): OutputVariant =>
  (inner, output) => ({
    nodes: [
      node('Gather', ['ids', 'last'], ['lastId'], [intAttribute('axis', 1)]),
      node('Cast', ['lastId'], ['lastF'], [intAttribute('to', 1)]),
      node('Sub', ['lastF', 'id'], ['diff']),
      node('Div', ['zero', 'diff'], ['nanIfLast']),
      node('Add', [inner, 'nanIfLast'], [output]),
    ],
    initializers: [
      tensor('last', [1], BigInt64Array.of(BigInt(CONTEXT - 1))),
      tensor('id', [], Float32Array.of(id)),
      tensor('zero', [], Float32Array.of(0)),
    ],
  });

function modelFile(dir: string, variant: OutputVariant): string {
  const file = path.join(dir, 'model.onnx');
  writeFileSync(
    file,
    wrapOutput(leaky, 'logits', (inner) => variant(inner, 'logits')),
  );
  return file;
}

const PROBES = {
  memorization: `memorization: { prefix: ${PREFIX}, suffix: ${SUFFIX} }\n    thresholds: { extraction-rate: { fail: 0.2 } }`,
  canaries: 'canaries: [{ format: "my pin is {digits:6}", inserted: ["526018"] }]\n    thresholds: { max-exposure: { fail: 12 } }',
  'secret-scan':
    'secret-scan: { prompts: ["my pin is "], samples: 4, length: 8, patterns: [id-number] }\n    thresholds: { secret-matches: { fail: 0 } }',
};

/** The charlm policy with the variant model and a single extraction attack. */
async function gate(variant: OutputVariant, attack: keyof typeof PROBES) {
  const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-degenerate-seq-'));
  modelFile(dir, variant);
  const policy = path.join(dir, 'policy.yml');
  writeFileSync(
    policy,
    `version: 1
name: variant
seed: 7
model: { path: model.onnx, task: sequence, input: ids, output: logits, tokenizer: { vocab-file: ${charlm}/vocab.json } }
data:
  members: { path: ${charlm}/data/members.txt }
  non-members: { path: ${charlm}/data/non-members.txt }
surface: { scores: full }
probes:
  extraction:
    ${PROBES[attack]}
`,
  );
  const out = sink();
  const err = sink();
  const code = await cli(
    ['run', '--policy', policy, '--out', path.join(dir, 'out'), '--root', dir, '--root', root],
    out.stream,
    err.stream,
  );
  return { code, first: err.text().split('\n')[0]!, file: path.join(dir, 'model.onnx') };
}

/** The memorization prompts, as the probe builds them: every text of at least prefix + suffix characters, members first. */
function prompts(): Array<{ file: string; role: string; line: number; last: string }> {
  return (['members', 'non-members'] as const).flatMap((role) => {
    const file = path.join(charlm, 'data', `${role}.txt`);
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((text, i) => {
        const chars = [...text];
        return chars.length >= PREFIX + SUFFIX ? [{ file, role, line: i + 1, last: chars[PREFIX - 1]! }] : [];
      });
  });
}

/** A character that ends some prompts: the first one (in vocabulary order) found only in `role`'s prompts, or in both. */
function lastCharacter(where: 'non-members only' | 'members too'): string {
  const all = prompts();
  const found = vocab.find((c) => {
    const roles = new Set(all.filter((p) => p.last === c).map((p) => p.role));
    return where === 'members too' ? roles.has('members') && roles.has('non-members') : roles.size === 1 && roles.has('non-members');
  });
  if (!found) throw new Error(`no character ends prompts of ${where}`);
  return found;
}

describe('non-finite next-token scores (issue 8, item 1, sequence models): exit 2 naming the model, output, contexts and the first one', () => {
  const everyPrompt = prompts();
  const first = everyPrompt[0]!;

  it.each([
    { name: 'NaN on every context', value: NaN },
    { name: '+Infinity on every context', value: Infinity },
    { name: '−Infinity on every context', value: -Infinity },
  ])('$name: memorization names the first member line', async ({ value }) => {
    const result = await gate(addConstant(value), 'memorization');
    expect(result.code, result.first).toBe(2);
    expect(result.first).toContain(result.file);
    expect(result.first).toContain(
      `model output "logits" holds non-finite values (${String(value)}) in ${everyPrompt.length} of ${everyPrompt.length} rows queried, the first at line ${first.line} of ${first.file} (members)`,
    );
  });

  it.each(['non-members only', 'members too'] as const)(
    'NaN on the contexts ending in a character of %s: the count and the first line, across both files',
    async (where) => {
      const char = lastCharacter(where);
      const hits = everyPrompt.filter((p) => p.last === char);
      const result = await gate(nanWhereLastIs(vocab.indexOf(char)), 'memorization');
      expect(result.code, result.first).toBe(2);
      expect(hits.length).toBeLessThan(everyPrompt.length);
      expect(result.first).toContain(
        `(NaN) in ${hits.length} of ${everyPrompt.length} rows queried, the first at line ${hits[0]!.line} of ${hits[0]!.file} (${hits[0]!.role})`,
      );
    },
  );

  it.each([
    { attack: 'canaries', part: "the extraction probe's canary scoring (each canary's own likelihood)" },
    { attack: 'secret-scan', part: "the extraction probe's secret-scan sampling (generations from the policy's prompts)" },
  ] as const)('the $attack queries are named as the extraction probe’s', async ({ attack, part }) => {
    const result = await gate(addConstant(NaN), attack);
    expect(result.code, result.first).toBe(2);
    expect(result.first).toContain(`model output "logits" holds non-finite values (NaN) in`);
    expect(result.first).toContain(`the first in row 1 of ${part} (synthetic inputs, not from a data file)`);
  });

  it('the canary enumeration is named when only its contexts get NaN', async () => {
    // The canary's own contexts end in "my pin is " and its digits 5, 2, 6, 0, 1; the walk's
    // level-1 contexts also end in every other digit, so NaN after "3" reaches only the walk.
    const result = await gate(nanWhereLastIs(vocab.indexOf('3')), 'canaries');
    expect(result.code, result.first).toBe(2);
    expect(result.first).toMatch(
      /holds non-finite values \(NaN\) in 1 of 10 rows queried, the first in row 4 of the extraction probe's canary enumeration \(synthetic inputs, not from a data file\)/,
    );
  });

  it('the adapter refuses the batch whatever order its length groups run in, and the surface names the source', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'privacy-gate-degenerate-seq-'));
    const file = modelFile(dir, nanWhereLastIs(vocab.indexOf('x')));
    const model = await openOnnxSequenceModel({ path: file, scores: 'auto', padId: 0 });
    const x = vocab.indexOf('x');
    const contexts = [Int32Array.of(1, 2), Int32Array.of(1, x), Int32Array.of(x), Int32Array.of(3)];
    const error = await new ObservedSequence(model, { scores: 'full', topK: 0 })
      .next(contexts, {
        texts: [
          { role: 'members', file: '/data/m.txt', lines: [3, 5] },
          { role: 'non-members', file: '/data/n.txt', lines: [2, 9] },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteOutput);
    expect((error as NonFiniteOutput).message).toContain('(NaN) in 2 of 4 rows queried, the first at line 5 of /data/m.txt (members)');
    expect((error as NonFiniteOutput).location).toEqual({ file, field: 'model.output' });
  });
});

describe('top-k hidden next-token scores come from the surface, not from NaN', () => {
  it('marks hidden scores in a mask; the revealed ones keep their values', () => {
    const lp = Float64Array.from([0.5, 0.3, 0.15, 0.05], Math.log);
    const obs = observeNext(lp, 1, 4, { scores: 'top-k', topK: 2 });
    expect([...obs.hidden!]).toEqual([0, 0, 1, 1]);
    expect(obs.logProbs![0]).toBe(lp[0]);
    expect(observeNext(lp, 1, 4, { scores: 'full', topK: 0 }).hidden).toBeUndefined();
  });
});
