/**
 * Exact canary exposure over |R| = 10^6 ("my pin is {digits:6}") on the charlm example: wall
 * time and model queries (rows sent to onnxruntime) of the shared-prefix walk, for the most
 * exposed inserted canary alone (branch and bound prunes most of the trie), for a control alone
 * (little to prune), and for all eight canaries in one walk, as the gate runs them. Without
 * sharing, one candidate at a time would take 6 × 10^6 rows; the full trie is 111,111.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openOnnxSequenceModel } from '../src/model/sequence';
import { ObservedSequence } from '../src/model/sequence-surface';
import { formatExposures } from '../src/probes/extraction/exposure';
import { tokeniseFormat } from '../src/probes/extraction/run';
import { parseCanaryFormat, positionsOf, type CanaryFormat } from '../src/text/canary';
import { parseVocabularyJson, Vocabulary } from '../src/text/vocab';
import { rngFor } from '../src/util/random';

const example = path.resolve(import.meta.dirname, '..', 'examples/charlm');

interface Canaries {
  format: string;
  inserted: Array<{ secret: string; repetitions: number }>;
  controls: string[];
}

export async function bench(): Promise<void> {
  const canaries = JSON.parse(readFileSync(path.join(example, 'canaries.json'), 'utf8')) as Canaries;
  const vocabFile = path.join(example, 'vocab.json');
  const vocabulary = new Vocabulary(parseVocabularyJson(readFileSync(vocabFile, 'utf8'), vocabFile), 0, 'vocab.json');
  const format = parseCanaryFormat(canaries.format) as CanaryFormat;
  const tokens = tokeniseFormat(format, vocabulary, { format: canaries.format, source: { file: 'canaries.json', line: 1, column: 1 } });
  const secretIds = (secret: string) => {
    const positions = positionsOf(format);
    const first = positions.findIndex((p) => 'choices' in p);
    let k = 0;
    return Int32Array.from(positions.slice(first), (p) => vocabulary.idOf('fixed' in p ? p.fixed : secret[k++]!)!);
  };
  const mostRepeated = canaries.inserted.reduce((a, b) => (b.repetitions > a.repetitions ? b : a));
  const runs = [
    { name: `inserted ×${mostRepeated.repetitions} alone`, secrets: [mostRepeated.secret] },
    { name: 'one control alone', secrets: [canaries.controls[0]!] },
    {
      name: `all ${canaries.inserted.length + canaries.controls.length} canaries in one walk`,
      secrets: [...canaries.inserted.map((c) => c.secret), ...canaries.controls],
    },
  ];
  for (const model of ['leaky', 'hardened']) {
    for (const run of runs) {
      const target = await openOnnxSequenceModel({ path: path.join(example, `${model}.onnx`), scores: 'auto', padId: 0 });
      const observed = new ObservedSequence(target, { scores: 'full', topK: 0 });
      const started = performance.now();
      const { results, stats } = await formatExposures(observed, tokens, run.secrets.map(secretIds), {
        exactLimit: 1e7,
        samples: 10_000,
        batchRows: 4096,
        confidence: 0.95,
        rng: rngFor(0, 'bench'),
      });
      const seconds = (performance.now() - started) / 1000;
      const exposures = results.map((r) => r.exposure.toFixed(2)).join(', ');
      console.log(
        `exact exposure, |R| = 10^6, ${model}.onnx, ${run.name}: ${seconds.toFixed(2)} s, ${stats.queries.toLocaleString('en-US')} model queries ` +
          `(${stats.nodes.toLocaleString('en-US')} trie nodes of 111,111; ${stats.pruned.toLocaleString('en-US')} candidates pruned), ` +
          `${Math.round(stats.queries / seconds).toLocaleString('en-US')} rows/s; exposure ${exposures} bits`,
      );
    }
  }
}
