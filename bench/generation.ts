/**
 * Generation speed of the decoder adapter: generated tokens per second with the KV cache and
 * without it (every step recomputes the whole sequence), 64-token continuations of a batch of
 * 32 different one-token prompts, seeded top-k 40 sampling (both paths must give the same
 * tokens; checked). The issue's target: the cache ≥ 5× faster. Then the same batch forked from
 * one shared prompt (the extraction probe's case: every sample starts from BOS).
 *
 * The model: the path given as the first argument (`npx tsx bench/generation.ts model.onnx`) or in
 * BENCH_DECODER, else examples/tinygpt/leaky.onnx when present, else the tiny test fixture (whose
 * 2 layers of width 16 leave little for a cache to save).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDecoderModel, type DecoderModel } from '../src/model/decoder';
import type { GenerateOptions } from '../src/model/sequence-types';
import { Rng } from '../src/util/random';

const root = path.resolve(import.meta.dirname, '..');
const BATCH = 32;
const STEPS = 64;
const ROUNDS = 5;

export function chooseModel(argument = process.env.BENCH_DECODER): string {
  if (argument) return path.resolve(argument);
  const example = path.join(root, 'examples/tinygpt/leaky.onnx');
  return existsSync(example) ? example : path.join(root, 'test/fixtures/lm/tiny-gpt2-cache.onnx');
}

export async function bench(modelPath = chooseModel()): Promise<void> {
  const open = async (useCache: boolean): Promise<DecoderModel> => {
    const model = await openDecoderModel({ path: modelPath, scores: 'auto', useCache });
    if (!model) throw new Error(`${modelPath} is not a decoder export (input_ids → logits [batch, seq, vocab])`);
    return model;
  };
  const cached = await open(true);
  const facts = cached.info.decoder!;
  console.log(
    `model: ${path.relative(root, modelPath)} (${facts.layers} layers${facts.heads ? `, ${facts.heads} heads of ${facts.headDim}` : ''}, vocabulary ${cached.info.vocabSize}${facts.cache ? '' : ', NO cache: both figures recompute'})`,
  );
  const vocab = cached.info.vocabSize;
  const prompts = Array.from({ length: BATCH }, (_, i) => Int32Array.of((i * 7919) % vocab));
  const options = (): GenerateOptions => ({ steps: STEPS, sampling: { temperature: 1, topK: 40, topP: 1, rng: new Rng(14) } });

  // One warm-up call each, so session start-up is not timed.
  await cached.generate(prompts.slice(0, 2), { steps: 2 });
  const uncached = await open(false);
  await uncached.generate(prompts.slice(0, 2), { steps: 2 });

  // One-token prompts (sampling from scratch) and 32-token prompts (discoverable memorisation's
  // setting: a training text's first 32 tokens, continued): without a cache every step recomputes
  // the prompt too, so the cache's advantage grows with it. The two paths alternate: a first
  // (cold) run each, printed apart, then ROUNDS rounds whose medians are the figures. A cold run
  // pays for JIT compilation and for first touching the memory that onnxruntime's arena and the
  // output buffers grow into (on this VM up to half its time in page faults), which a gate run
  // pays on its first batch only: extraction generates in many batches of the same shapes.
  const rate = (seconds: number) => (BATCH * STEPS) / seconds;
  for (const promptTokens of [1, 32]) {
    const batch = prompts.map((p, i) =>
      promptTokens === 1 ? p : Int32Array.from({ length: promptTokens }, (_, k) => (i * 7919 + k * 104729) % vocab),
    );
    const withCache: number[] = [];
    const without: number[] = [];
    let same = true;
    for (let round = 0; round <= ROUNDS; round++) {
      const a = await timed(() => cached.generate(batch, options()));
      const b = await timed(() => uncached.generate(batch, options()));
      withCache.push(a.seconds);
      without.push(b.seconds);
      same &&= a.result.every((row, i) => row.length === b.result[i]!.length && row.every((t, k) => t === b.result[i]![k]));
    }
    const warm = (seconds: number[]) => median(seconds.slice(1));
    const label = `generation, batch ${BATCH} × ${STEPS} tokens after ${promptTokens}-token prompts, top-k 40`;
    const runs = (seconds: number[]) => `median of ${ROUNDS} after a first run of ${fmt(rate(seconds[0]!))} tokens/s`;
    console.log(`${label}: with the KV cache ${fmt(rate(warm(withCache)))} tokens/s (${runs(withCache)})`);
    console.log(`${label}: without the cache ${fmt(rate(warm(without)))} tokens/s (${runs(without)})`);
    console.log(
      `cache speed-up after ${promptTokens}-token prompts: ${(warm(without) / warm(withCache)).toFixed(1)}× (target ≥ 5×; first runs ${(without[0]! / withCache[0]!).toFixed(1)}×); same tokens on both paths: ${same ? 'yes' : 'NO'}`,
    );
  }

  const shared = Array.from({ length: BATCH }, () => prompts[0]!);
  const forked = await timed(() => cached.generate(shared, options()));
  console.log(`generation forked from one shared prompt, batch ${BATCH} × ${STEPS} tokens: ${fmt(rate(forked.seconds))} tokens/s`);
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  await bench(chooseModel(process.argv[2] ?? process.env.BENCH_DECODER));
}
