/** The per-feature box an attacker works in: the range of each feature over the records it targets. */
import type { Box } from '../optim/gradient';
import type { LabelledData } from './types';

/** Per-feature range over every record the gate holds: attacks search, perturb and clip inside it. */
export function featureBox(a: LabelledData, b: LabelledData): Box {
  const d = a.features.length;
  const lower = new Float64Array(d).fill(Infinity);
  const upper = new Float64Array(d).fill(-Infinity);
  for (const data of [a, b]) {
    for (let i = 0; i < data.x.length; i++) {
      const j = i % d;
      lower[j] = Math.min(lower[j]!, data.x[i]!);
      upper[j] = Math.max(upper[j]!, data.x[i]!);
    }
  }
  return { lower, upper };
}
