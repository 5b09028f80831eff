/**
 * Opens a `task: sequence` model with the adapter its layout needs: a decoder-only transformer
 * export (input_ids, KV cache or logits [batch, seq, vocab]) gets src/model/decoder.ts, with its
 * fast whole-sequence paths; any other next-token model the plain adapter, src/model/sequence.ts.
 */
import { openDecoderModel, type DecoderOptions } from './decoder';
import { openOnnxSequenceModel } from './sequence';
import type { SequenceModel } from './sequence-types';

export async function openSequenceModel(options: DecoderOptions): Promise<SequenceModel> {
  return (await openDecoderModel(options)) ?? (await openOnnxSequenceModel(options));
}
