/** Pure: decoder layout detection from TensorInfo lists (src/model/decoder-layout.ts), and the cache and batch helpers. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { byLength, chunkByLength, joinColumns, padRows, pickRows, positionsFromMask } from '../../src/model/decoder-batch';
import { emptyCache, gatherRows } from '../../src/model/decoder-cache';
import { decoderFacts, detectDecoderLayout } from '../../src/model/decoder-layout';
import type { TensorInfo } from '../../src/model/types';

const PATH = '/models/gpt.onnx';
const t = (name: string, type: string, ...shape: (number | string)[]): TensorInfo => ({ name, type, shape });
const ids = t('input_ids', 'int64', 'batch', 'seq');
const mask = t('attention_mask', 'int64', 'batch', 'total');
const positions = t('position_ids', 'int64', 'batch', 'seq');
const logits = t('logits', 'float32', 'batch', 'seq', 357);
const kv = (prefix: string, layers: number, heads = 2, dim = 8) =>
  Array.from({ length: layers }, (_, i) =>
    ['key', 'value'].map((p) => t(`${prefix}.${i}.${p}`, 'float32', 'batch', heads, 'past', dim)),
  ).flat();
const optimum = { inputs: [ids, mask, positions, ...kv('past_key_values', 2)], outputs: [logits, ...kv('present', 2)] };

describe('detectDecoderLayout', () => {
  it("Optimum's decoder with past: layers, heads and head size from the shapes", () => {
    const layout = detectDecoderLayout(PATH, optimum.inputs, optimum.outputs)!;
    expect(layout.cache.map((s) => [s.input, s.output])).toEqual([
      ['past_key_values.0.key', 'present.0.key'],
      ['past_key_values.0.value', 'present.0.value'],
      ['past_key_values.1.key', 'present.1.key'],
      ['past_key_values.1.value', 'present.1.value'],
    ]);
    expect(layout.vocabSize).toBe(357);
    expect(decoderFacts(layout)).toEqual({ cache: true, layers: 2, merged: false, positionIds: true, heads: 2, headDim: 8 });
  });

  it('a merged decoder (use_cache_branch)', () => {
    const layout = detectDecoderLayout(PATH, [...optimum.inputs, t('use_cache_branch', 'bool', 1)], optimum.outputs)!;
    expect(decoderFacts(layout)).toMatchObject({ cache: true, merged: true, layers: 2 });
  });

  it.each([
    { name: 'past_key_values.{i} ↔ present.{i}', past: 'past_key_values', present: 'present' },
    { name: 'past_{i} ↔ present_{i} (onnxruntime GPT-2 tooling)', past: 'past', present: 'present' },
  ])('the older one-tensor-per-layer layout: $name', ({ past, present }) => {
    const sep = past === 'past' ? '_' : '.';
    const joint = (p: string, s: string) => Array.from({ length: 3 }, (_, i) => t(`${p}${s}${i}`, 'float32', 2, 'batch', 4, 'past', 16));
    const layout = detectDecoderLayout(PATH, [ids, mask, ...joint(past, sep)], [logits, ...joint(present, sep)])!;
    expect(layout.cache.map((s) => [s.output, s.part, s.outer])).toEqual([0, 1, 2].map((i) => [`${present}${sep}${i}`, 'key-value', 2]));
    expect(decoderFacts(layout)).toMatchObject({ cache: true, layers: 3, heads: 4, headDim: 16, positionIds: false });
  });

  it('a no-cache export: input_ids (+ mask) → logits [batch, seq, vocab]', () => {
    const layout = detectDecoderLayout(PATH, [ids, t('attention_mask', 'int64', 'batch', 'seq')], [logits])!;
    expect(decoderFacts(layout)).toEqual({ cache: false, layers: 0, merged: false, positionIds: false });
  });

  it.each([
    {
      name: 'a char model with probabilities [batch, seq, vocab]',
      inputs: [ids, mask],
      outputs: [t('probs', 'float32', 'batch', 'seq', 6)],
    },
    { name: 'a fixed context', inputs: [t('input_ids', 'int64', 'batch', 4)], outputs: [logits] },
    { name: 'another token-id input name', inputs: [t('ids', 'int64', 'batch', 'seq')], outputs: [logits] },
    { name: 'logits [batch, vocab]', inputs: [ids], outputs: [t('logits', 'float32', 'batch', 357)] },
    { name: 'an input left over', inputs: [ids, t('token_type_ids', 'int64', 'batch', 'seq')], outputs: [logits] },
  ])('not a decoder (the plain adapter takes it): $name', ({ inputs, outputs }) => {
    expect(detectDecoderLayout(PATH, inputs, outputs)).toBeUndefined();
  });

  it('model.input / model.output / model.attention-mask name other tensors', () => {
    const layout = detectDecoderLayout(
      PATH,
      [t('tokens', 'int32', 'b', 's'), t('m', 'int64', 'b', 's')],
      [t('scores', 'float32', 'b', 's', 9)],
      {
        input: 'tokens',
        output: 'scores',
        attentionMask: 'm',
      },
    )!;
    expect([layout.ids.name, layout.mask?.name, layout.logits.name, layout.vocabSize]).toEqual(['tokens', 'm', 'scores', 9]);
  });

  const without = (list: TensorInfo[], name: string) => list.filter((x) => x.name !== name);
  const renamed = (list: TensorInfo[], name: string, to: TensorInfo) => list.map((x) => (x.name === name ? to : x));
  it.each([
    {
      name: 'no input_ids',
      inputs: without(optimum.inputs, 'input_ids'),
      outputs: optimum.outputs,
      error: /no token-id input "input_ids"/,
    },
    {
      name: 'a past without its present',
      inputs: optimum.inputs,
      outputs: without(optimum.outputs, 'present.1.value'),
      error: /"past_key_values\.1\.value" has no matching output "present\.1\.value"/,
    },
    {
      name: 'a heads mismatch',
      inputs: optimum.inputs,
      outputs: renamed(optimum.outputs, 'present.0.key', t('present.0.key', 'float32', 'batch', 4, 'total', 8)),
      error: /shape mismatch: decoder output "present\.0\.key" has heads 4 but input "past_key_values\.0\.key" has 2/,
    },
    {
      name: 'a symbolic head size',
      inputs: renamed(optimum.inputs, 'past_key_values.0.key', t('past_key_values.0.key', 'float32', 'batch', 2, 'past', 'dim')),
      outputs: optimum.outputs,
      error: /"past_key_values\.0\.key" .*heads and head_dim must be fixed numbers/,
    },
    {
      name: 'a layer without its value',
      inputs: without(optimum.inputs, 'past_key_values.1.value'),
      outputs: optimum.outputs,
      error: /layer 1 has past inputs key/,
    },
    {
      name: 'an input the gate cannot fill',
      inputs: [...optimum.inputs, t('token_type_ids', 'int64', 'batch', 'seq')],
      outputs: optimum.outputs,
      error: /cannot fill: token_type_ids/,
    },
    {
      name: 'logits of rank 2',
      inputs: optimum.inputs,
      outputs: renamed(optimum.outputs, 'logits', t('logits', 'float32', 'batch', 357)),
      error: /"logits" is float32\[batch, 357\]; expected float logits of shape \[batch, seq, vocab\]/,
    },
    {
      name: 'a float16 cache',
      inputs: renamed(optimum.inputs, 'past_key_values.0.key', t('past_key_values.0.key', 'float16', 'batch', 2, 'past', 8)),
      outputs: optimum.outputs,
      error: /"past_key_values\.0\.key" is float16; the gate runs float32 caches/,
    },
    {
      name: 'use_cache_branch without a past',
      inputs: [ids, mask, t('use_cache_branch', 'bool', 1)],
      outputs: [logits],
      error: /"use_cache_branch" input but no past_key_values/,
    },
    { name: 'no logits', inputs: optimum.inputs, outputs: without(optimum.outputs, 'logits'), error: /no output "logits"/ },
  ])('InputError naming the model and the tensor: $name', ({ inputs, outputs, error }) => {
    let thrown: unknown;
    try {
      detectDecoderLayout(PATH, inputs, outputs);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).message).toMatch(error);
    expect((thrown as InputError).location?.file).toBe(PATH);
  });
});

describe('batches', () => {
  it('pads left (last tokens aligned) or right (first tokens aligned), with the mask', () => {
    const rows = [Int32Array.of(5, 6, 7), Int32Array.of(8)];
    expect(padRows(rows, 'left', 0)).toEqual({
      rows: 2,
      width: 3,
      ids: Int32Array.of(5, 6, 7, 0, 0, 8),
      mask: Int32Array.of(1, 1, 1, 0, 0, 1),
    });
    expect(padRows(rows, 'right', 9)).toEqual({
      rows: 2,
      width: 3,
      ids: Int32Array.of(5, 6, 7, 8, 9, 9),
      mask: Int32Array.of(1, 1, 1, 1, 0, 0),
    });
  });

  it('position ids as Hugging Face computes them: cumsum(mask) − 1, padding at 1, for the new columns only', () => {
    const m = Int32Array.of(0, 0, 1, 1, 1, /**/ 1, 1, 1, 1, 1, /**/ 1, 1, 0, 0, 1);
    expect(positionsFromMask(m, 3, 5, 5)).toEqual(Int32Array.of(1, 1, 0, 1, 2, /**/ 0, 1, 2, 3, 4, /**/ 0, 1, 1, 1, 2));
    expect(positionsFromMask(m, 3, 5, 1)).toEqual(Int32Array.of(2, 4, 2));
  });

  it('joins and picks rows of a matrix', () => {
    expect(joinColumns(Int32Array.of(1, 2, 3, 4), 2, Int32Array.of(9, 8), 1, 2)).toEqual(Int32Array.of(1, 2, 9, 3, 4, 8));
    expect(pickRows(Int32Array.of(1, 2, 3, 4, 5, 6), 2, [2, 0, 2])).toEqual(Int32Array.of(5, 6, 1, 2, 5, 6));
  });

  it('chunks by length under a row bound that shrinks with the width; never mixes lengths without a mask', () => {
    const lengths = [3, 1, 8, 3, 2, 8];
    const order = byLength(lengths);
    expect(order).toEqual([1, 4, 0, 3, 2, 5]);
    const maxRows = (width: number) => Math.floor(16 / width);
    expect(chunkByLength(order, (i) => lengths[i]!, maxRows, false)).toEqual([
      [1, 4, 0, 3],
      [2, 5],
    ]);
    expect(chunkByLength(order, (i) => lengths[i]!, maxRows, true)).toEqual([[1], [4], [0, 3], [2, 5]]);
    expect(
      chunkByLength(
        order,
        (i) => lengths[i]!,
        () => 1,
        false,
      ),
    ).toEqual(order.map((i) => [i]));
  });
});

describe('KV cache', () => {
  const slot = { input: 'p', output: 'q', layer: 0, part: 'key' as const, outer: 1, heads: 1, headDim: 2 };
  it('an empty cache has length 0 with the declared heads and head size', () => {
    expect(emptyCache([slot, { ...slot, outer: 2 }], 3).tensors.map((x) => x.dims)).toEqual([
      [3, 1, 0, 2],
      [2, 3, 1, 0, 2],
    ]);
  });

  it('gathers rows (repeats fork a row) of [batch, …] and [2, batch, …] tensors', () => {
    // 2 rows, 1 head, length 1, head size 2.
    const split = { data: Float32Array.of(1, 2, 3, 4), dims: [2, 1, 1, 2] };
    const joint = { data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), dims: [2, 2, 1, 1, 2] };
    const out = gatherRows({ rows: 2, length: 1, tensors: [split, joint] }, [1, 1, 0]);
    expect(out.rows).toBe(3);
    expect(out.tensors[0]).toEqual({ data: Float32Array.of(3, 4, 3, 4, 1, 2), dims: [3, 1, 1, 2] });
    expect(out.tensors[1]).toEqual({ data: Float32Array.of(3, 4, 3, 4, 1, 2, 7, 8, 7, 8, 5, 6), dims: [2, 3, 1, 1, 2] });
  });
});
