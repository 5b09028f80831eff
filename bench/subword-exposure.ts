/**
 * Canary exposure with subword tokens over |R| = 10^6 ("my pin is {digits:6}."): every candidate
 * text tokenised whole with the byte-level BPE tokenizer.json fixture and scored from the shared
 * token prefix. Prints the time spent tokenising and scoring, candidates per second, model rows
 * (scored continuation tokens) and calls.
 *
 * 1. A plain-function bigram model with its own `continuationScores` (table look-ups): what the
 *    probe itself costs (tokenising, batching, ranking), the model being nearly free.
 * 2. When the tinygpt example is present (examples/tinygpt/leaky.onnx and tokenizer.json), the
 *    whole gate on it with a 10^6-candidate canary: the real decoder and its KV cache.
 * EXPOSURE_CANDIDATES (digits, default 6) sets a smaller space for a quick run.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ObservedSequence } from '../src/model/sequence-surface';
import type { ContinuationScores } from '../src/model/sequence-types';
import { encodeCandidates, fillingAt, subwordExposures } from '../src/probes/extraction/subword-exposure';
import { runGate } from '../src/run/gate';
import { fillCanary, parseCanaryFormat, type CanaryFormat } from '../src/text/canary';
import { rngFor } from '../src/util/random';
import { FunctionSequenceModel } from '../test/probes/extraction-helpers';
import { fixtureTokenizer } from '../test/probes/subword-tokenizer';

const root = path.resolve(import.meta.dirname, '..');
const digits = Number(process.env['EXPOSURE_CANDIDATES'] ?? 6);
const origin = { file: 'bench', field: 'probes.extraction.canaries.format', what: 'the canary format' };

/** log p(next | previous token) from a seeded table: a model whose scoring costs a look-up. */
class BigramModel extends FunctionSequenceModel {
  private readonly table: Float64Array;

  constructor(private readonly size: number) {
    super(size, (c) => this.table.subarray(c[c.length - 1]! * size, (c[c.length - 1]! + 1) * size));
    const rng = rngFor(1, 'bigram');
    this.table = new Float64Array(size * size);
    for (let a = 0; a < size; a++) {
      let total = 0;
      const row = Array.from({ length: size }, () => Math.exp(2 * rng.normal()));
      for (const v of row) total += v;
      row.forEach((v, b) => (this.table[a * size + b] = Math.log(v / total)));
    }
  }

  continuationScores(prefix: Int32Array, continuations: readonly Int32Array[]): Promise<ContinuationScores> {
    this.calls += 1;
    const offsets = new Int32Array(continuations.length + 1);
    continuations.forEach((c, i) => (offsets[i + 1] = offsets[i]! + c.length));
    const logProbs = new Float64Array(offsets[continuations.length]!);
    continuations.forEach((c, i) => {
      let previous = prefix[prefix.length - 1]!;
      for (let j = 0; j < c.length; j++) {
        logProbs[offsets[i]! + j] = this.table[previous * this.size + c[j]!]!;
        previous = c[j]!;
      }
    });
    this.queries += logProbs.length;
    return Promise.resolve({ offsets, logProbs, ranks: new Int32Array(logProbs.length) });
  }
}

export async function bench(): Promise<void> {
  const tokenizer = fixtureTokenizer();
  const format = parseCanaryFormat(`my pin is {digits:${digits}}.`) as CanaryFormat;
  const alphabets = Array.from({ length: digits }, () => '0123456789');
  const count = format.spaceSize;

  // Tokenising alone (on the first 10^5 candidates): the part no model can speed up. The
  // library's BPE cache is an LRU over a Map (delete + set per hit) that thrashes on 10^6
  // distinct digit pieces; a plain Map cleared when full gives the same ids.
  const part = Math.min(count, 100_000);
  let started: number;
  let tokenising = 0;
  for (const [name, t] of [
    ['library cache', tokenizer],
    ['plain Map cache', fixtureTokenizer(undefined, undefined, true)],
  ] as const) {
    started = performance.now();
    const encoded = encodeCandidates(part, (i) => fillCanary(format, fillingAt(alphabets, i)), t, t.eosId, origin);
    const rate = part / ((performance.now() - started) / 1000);
    if (t === tokenizer) tokenising = count / rate;
    console.log(
      `tokenising candidate texts (byte-level BPE fixture, @huggingface/tokenizers, ${name}): ${Math.round(rate).toLocaleString('en-US')} texts/s, ${(encoded.tokens.length / part).toFixed(1)} tokens per text (start token included): about ${(count / rate).toFixed(1)} s for ${count.toLocaleString('en-US')}`,
    );
  }

  const inner = new BigramModel(tokenizer.size);
  const model = new ObservedSequence(inner, { scores: 'full', topK: 0 });
  started = performance.now();
  const secrets = ['281943'.slice(0, digits).padEnd(digits, '0'), '550173'.slice(0, digits).padEnd(digits, '0')];
  const { results, stats } = await subwordExposures(
    model,
    tokenizer,
    format,
    secrets,
    { exactLimit: 1e6, samples: 10_000, batch: 4096, confidence: 0.95, rng: rngFor(0, 'bench') },
    origin,
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `plain-function model, exact over ${stats.scored.toLocaleString('en-US')} candidates: ${seconds.toFixed(1)} s (tokenising about ${tokenising.toFixed(1)} s of it), ${Math.round(stats.scored / seconds).toLocaleString('en-US')} candidates/s, ${stats.queries.toLocaleString('en-US')} model rows (scored tokens) in ${inner.calls} calls, shared prefix ${stats.prefixTokens} tokens; exposures ${results.map((r) => r.exposure.toFixed(2)).join(', ')}`,
  );

  const example = path.join(root, 'examples/tinygpt');
  const onnx = path.join(example, 'leaky.onnx');
  const tokenizerJson = path.join(example, 'tokenizer.json');
  if (!existsSync(onnx) || !existsSync(tokenizerJson)) {
    console.log('examples/tinygpt (leaky.onnx, tokenizer.json) not present: the example-model run is skipped');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'subword-exposure-'));
  const members = path.join(dir, 'members.txt');
  writeFileSync(members, 'call me ishmael.\nsome years ago.\n');
  writeFileSync(path.join(dir, 'non-members.txt'), 'it was the best of times.\nit was the worst of times.\n');
  writeFileSync(
    path.join(dir, 'policy.yml'),
    `version: 1
model:
  path: ${JSON.stringify(onnx)}
  task: sequence
  tokenizer: ${JSON.stringify(tokenizerJson)}
data:
  members: { path: members.txt }
  non-members: { path: non-members.txt }
probes:
  extraction:
    canaries:
      - format: ${JSON.stringify(format.source)}
        inserted: [${JSON.stringify(secrets[0])}]
        controls: [${JSON.stringify(secrets[1])}]
    exposure: { exact-limit: 1000000 }
    thresholds: { max-exposure: { fail: 1000 } }
`,
  );
  started = performance.now();
  const report = await runGate(path.join(dir, 'policy.yml'), { roots: [dir, root] });
  const total = (performance.now() - started) / 1000;
  const probe = report.probes.find((p) => p.id === 'extraction');
  const walks = probe?.attacks.find((a) => a.attack === 'canary-exposure')?.details?.walks ?? [];
  const scored = walks.reduce((a, w) => a + (w.scored ?? 0), 0);
  console.log(
    `examples/tinygpt/leaky.onnx through the gate: ${total.toFixed(1)} s for ${scored.toLocaleString('en-US')} candidates (${Math.round(scored / total).toLocaleString('en-US')} candidates/s), ${(probe?.queries ?? 0).toLocaleString('en-US')} model rows; ${walks.map((w) => `${w.tokens ?? 'characters'}, ${w.estimated ? 'estimated' : 'exact'}`).join('; ')}`,
  );
}
