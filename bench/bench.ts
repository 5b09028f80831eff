/** `npm run bench`: prints speed figures for every probe family. Figures, not pass/fail. */
import { bench as attributeInference } from './attribute-inference';
import { bench as extraction } from './extraction';
import { bench as generation } from './generation';
import { bench as inversion } from './inversion';
import { bench as io } from './io';
import { bench as membership } from './membership';
import { bench as reference } from './reference';
import { bench as scale } from './scale';
import { bench as textMembership } from './text-membership';
import { bench as subwordExposure } from './subword-exposure';

const benches: Array<[string, () => Promise<void>]> = [
  ['data loading', io],
  ['membership', membership],
  ['reference-models', reference],
  ['attribute-inference', attributeInference],
  ['inversion', inversion],
  ['extraction', extraction],
  ['generation (decoder KV cache)', () => generation()],
  ['text-membership', textMembership],
  ['canary exposure, subword tokens', subwordExposure],
  // Last: 10^6 + 10^6 records take minutes (SCALE_ROWS sets fewer).
  ['scale', scale],
];

for (const [name, run] of benches) {
  console.log(`\n## ${name}`);
  await run();
}
