/**
 * Secret scan (Carlini et al. 2021, §5): sample generations from the model, look for things that
 * look like secrets (emails, phone numbers, ID-like digit runs, the policy's regexes), and count
 * those that occur verbatim in the member data: the model reproduced them from training. Every
 * match is redacted before it enters the report.
 */
import type { ObservedSequenceModel } from '../../model/sequence-types';
import type { ExtractionSettings } from '../../policy/types';
import { sampleDecode } from './decode';
import { builtinPattern, compileUserRegex, scanText, type BuiltinPattern, type ScanPattern } from '../../text/patterns';
import { redact } from '../../text/redact';
import type { TextTokenizer } from '../../text/tokenizer';
import { RuntimeFailure } from '../../errors';
import type { Rng } from '../../util/random';
import type { AttackMeasurement } from '../../result';

type ScanSettings = NonNullable<ExtractionSettings['secretScan']>;

/** Most distinct matches listed in the report (all are counted). */
const LISTED = 50;

export function scanPatterns(settings: ScanSettings): ScanPattern[] {
  const out: ScanPattern[] = settings.patterns.map((name) => builtinPattern(name as BuiltinPattern));
  settings.regexes.forEach((source, i) => {
    const regex = compileUserRegex(source);
    if ('error' in regex) throw new RuntimeFailure(`regex ${i + 1} does not compile: ${regex.error}`);
    out.push({ name: `regex ${i + 1}`, regex });
  });
  return out;
}

export async function secretScanAttack(
  model: ObservedSequenceModel,
  tokenizer: Pick<TextTokenizer, 'decode'>,
  prompts: Int32Array[],
  settings: ScanSettings,
  corpus: string,
  rng: Rng,
): Promise<AttackMeasurement> {
  const rows = prompts.flatMap((p) => Array.from({ length: settings.samples }, () => p));
  const generated = await sampleDecode(
    model,
    rows,
    settings.length,
    { temperature: settings.temperature, topK: settings.topK, rng },
    { probe: "the extraction probe's secret-scan sampling (generations from the policy's prompts)" },
  );
  const patterns = scanPatterns(settings);
  // Distinct by matched text: a string two patterns match (a long digit run is also a phone
  // number) is one secret, listed with both patterns.
  const found = new Map<string, { patterns: Set<string>; text: string; occurrences: number; inMembers: boolean }>();
  let total = 0;
  rows.forEach((prompt, r) => {
    // Decoded together: a subword decoder may strip the first token's leading space, or join bytes across the boundary.
    const promptText = tokenizer.decode(prompt);
    const whole = new Int32Array(prompt.length + generated[r]!.length);
    whole.set(prompt);
    whole.set(generated[r]!, prompt.length);
    const text = tokenizer.decode(whole);
    const start = sharedPrefix(promptText, text);
    const seen = new Set<string>();
    for (const match of scanText(text, patterns, start)) {
      const entry = found.get(match.text) ?? {
        patterns: new Set<string>(),
        text: match.text,
        occurrences: 0,
        inMembers: corpus.includes(match.text),
      };
      entry.patterns.add(match.pattern);
      // One occurrence per place in a generation, however many patterns match it.
      const where = `${match.index}:${match.text}`;
      if (!seen.has(where)) {
        seen.add(where);
        entry.occurrences += 1;
        total += 1;
      }
      found.set(match.text, entry);
    }
  });
  const distinct = [...found.values()];
  const leaked = distinct.filter((m) => m.inMembers);
  const listed = [...distinct]
    .sort((a, b) => Number(b.inMembers) - Number(a.inMembers) || b.occurrences - a.occurrences || (a.text < b.text ? -1 : 1))
    .slice(0, LISTED)
    .map((m) => ({
      pattern: [...m.patterns].sort().join(', '),
      match: redact(m.text),
      inMembers: m.inMembers,
      occurrences: m.occurrences,
    }));
  return {
    attack: 'secret-scan',
    description: `${rows.length} sampled generations of ${settings.length} tokens (temperature ${settings.temperature}${settings.topK ? `, top-k ${settings.topK}` : ''}) scanned for ${patterns.map((p) => p.name).join(', ')}; a match counts when it occurs verbatim in the member data.`,
    metrics: {
      'secret-matches': {
        value: leaked.length,
        ci: [leaked.length, leaked.length],
        generations: rows.length,
        matches: total,
        distinct: distinct.length,
        outsideMembers: distinct.length - leaked.length,
      },
    },
    details: { matches: listed, listed: listed.length, distinct: distinct.length },
  };
}

/** Length of the common prefix of `a` and `b`: where the generated part of a decoded row starts. */
function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}
