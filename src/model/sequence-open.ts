/**
 * Opens a `task: sequence` model with the adapter its layout needs: a decoder-only transformer
 * export (input_ids, KV cache or logits [batch, seq, vocab]) gets src/model/decoder.ts, with its
 * fast whole-sequence paths; any other next-token model the plain adapter, src/model/sequence.ts.
 */
import { decoderFromSession, type DecoderOptions } from './decoder';
import { openOnnxSequenceModel, openSequenceSession } from './sequence';
import type { SequenceModel } from './sequence-types';

/** One session for both: the model file is loaded once whichever adapter takes it. */
export async function openSequenceModel(options: DecoderOptions): Promise<SequenceModel> {
  const opened = await openSequenceSession(options.path);
  return (await decoderFromSession(options, opened)) ?? (await openOnnxSequenceModel(options, opened));
}
