/**
 * What a reader needs before any table: one group per threshold line of the policy (the
 * strongest attack leads, the others are counted), one plain sentence per group that did not
 * pass saying why, at which operating point, and a note when tied scores hide what the attacks
 * could see. Plain text: every channel escapes it. Pure.
 */
import { bySeverity } from '../gate/verdict';
import type { AttackMeasurement, Check, GateReport, MetricValue, ProbeResult, ScoreTie } from '../result';
import { formatRank } from './canaries';
import { formatCount, formatEstimate, formatNumber, metricLabel, statusExplanation } from './format';

/** The checks of one threshold line: every attack measured against it, strongest first. */
export interface CheckGroup {
  /** The strongest attack's check (most severe, then furthest over its line). */
  lead: Check;
  /** The other attacks' checks against the same line, strongest first. */
  others: Check[];
}

/** Checks grouped by threshold line (probe, metric, place in the policy), most severe group first. */
export function groupChecks(checks: Check[]): CheckGroup[] {
  const byLine = new Map<string, Check[]>();
  for (const c of checks) {
    const key = JSON.stringify([c.probe, c.metric, c.source?.file, c.source?.line, c.source?.column, c.thresholds]);
    byLine.set(key, [...(byLine.get(key) ?? []), c]);
  }
  return [...byLine.values()]
    .map((list) => {
      const [lead, ...others] = [...list].sort(bySeverity);
      return { lead: lead!, others };
    })
    .sort((a, b) => bySeverity(a.lead, b.lead));
}

/** "3 more attacks fail, 1 passes" about a group's other checks; '' when there are none. */
export function othersSummary(group: CheckGroup): string {
  if (group.others.length === 0) return '';
  const counts = new Map<string, number>();
  for (const c of group.others) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const parts = [...counts.entries()].map(
    ([status, n], i) => `${i === 0 ? `${n} more ${n === 1 ? 'attack' : 'attacks'}` : n} ${verb(status, n)}`,
  );
  return parts.join(', ');
}

function verb(status: string, n: number): string {
  const one = n === 1;
  switch (status) {
    case 'fail':
      return one ? 'fails' : 'fail';
    case 'warn':
      return one ? 'warns' : 'warn';
    case 'pass':
      return one ? 'passes' : 'pass';
    case 'error':
      return 'could not be measured';
    default:
      return `${one ? 'is' : 'are'} ${status}`;
  }
}

/** The measurement behind a check, if the report holds it. */
export function measurementOf(report: GateReport, check: Pick<Check, 'probe' | 'attack'>): AttackMeasurement | undefined {
  return report.probes.find((p) => p.id === check.probe)?.attacks.find((a) => a.attack === check.attack);
}

/**
 * One sentence on why a group did not pass, e.g. "membership/loss ε lower bound 4.209 is over
 * the fail threshold 2: 552 of 898 non-members (61.5%) score below every member (the low tail) …".
 */
export function explainGroup(group: CheckGroup, report: GateReport): string {
  const c = group.lead;
  const attack = measurementOf(report, c);
  const measured = attack?.metrics[c.metric];
  const label = metricLabel(c.metric, measured);
  const name = `${c.probe}/${c.attack} ${label}`;
  const others = othersSummary(group);
  const tail = others ? ` (${others})` : '';
  if (c.status === 'error') return `${name} could not be measured, so the gate cannot pass${tail}.`;
  if (c.status === 'insufficient') return `${name}: ${statusExplanation(c)}${c.needs ? `, ${c.needs.reason}` : ''}${tail}.`;
  const value = formatEstimate(c);
  const head =
    c.status === 'inconclusive'
      ? `${name} ${value} is ${statusExplanation(c)}`
      : `${name} ${value} is over the ${c.status === 'warn' ? 'warn' : 'fail'} threshold ${c.status === 'warn' ? c.thresholds.warn : c.thresholds.fail}`;
  const why = operatingPoint(c.metric, measured, attack, report.confidence ?? 0.95);
  return `${head}${tail}${why ? `: ${why}` : ''}.`;
}

/** The operating point behind a check's value, in words ("at the threshold where …"); '' when the report holds none. */
export function operatingPointOf(check: Pick<Check, 'probe' | 'attack' | 'metric'>, report: GateReport): string {
  const attack = measurementOf(report, check);
  return operatingPoint(check.metric, attack?.metrics[check.metric], attack, report.confidence ?? 0.95);
}

/** The facts behind a metric's value, in words; '' when the measurement carries none. */
function operatingPoint(metric: string, m: MetricValue | undefined, attack: AttackMeasurement | undefined, confidence: number): string {
  if (!m || !attack) return '';
  const sample = m.sample;
  switch (metric) {
    case 'auc':
      return typeof m.value === 'number'
        ? `a random member outscores a random non-member ${percent(m.value)} of the time (50% is chance)`
        : '';
    case 'advantage': {
      if (!m.atOrAbove || !sample) return '';
      const { members, nonMembers } = m.atOrAbove;
      return `at its best threshold the attack flags ${share(members, sample.members, 'members')} and ${share(nonMembers, sample.nonMembers, 'non-members')}, so on a balanced set it is right ${percent((1 + (m.value ?? 0)) / 2)} of the time`;
    }
    case 'tpr-at-fpr': {
      if (!m.atOrAbove || !sample) return '';
      const fpr = typeof m.fpr === 'number' ? m.fpr : undefined;
      if (m.atOrAbove.members + m.atOrAbove.nonMembers === 0) {
        return `no threshold flags anyone while keeping the false-positive rate at or under ${fpr ?? 'the target'}`;
      }
      return `at the threshold that flags ${share(m.atOrAbove.nonMembers, sample.nonMembers, 'non-members')} it flags ${share(m.atOrAbove.members, sample.members, 'members')}`;
    }
    case 'epsilon-lower-bound':
      return epsilonPoint(m, attack, confidence);
    case 'lift':
    case 'member-accuracy':
    case 'member-gap':
      return attributePoint(attack);
    case 'max-exposure':
      return typeof m.rank === 'number' && typeof m.spaceBits === 'number'
        ? `the inserted canary ${m.canary ? `${m.canary} ` : ''}ranks ${formatRank({ rank: m.rank, estimated: m.estimated === true })} among 2^${formatNumber(m.spaceBits, 1)} fillings of its format by the model's perplexity${m.estimated ? ' (estimated from a sample)' : ''}: the model prefers it to ${Math.round(m.rank - 1) <= 0 ? 'every other filling' : `all but ${m.estimated ? 'about ' : ''}${formatCount(Math.round(m.rank - 1))} others`}`
        : '';
    case 'secret-matches':
      return typeof m.generations === 'number' && typeof m.value === 'number'
        ? `${formatCount(m.value)} distinct secrets found in ${formatCount(m.generations)} sampled generations occur verbatim in the member data${typeof m.outsideMembers === 'number' && m.outsideMembers > 0 ? ` (${formatCount(m.outsideMembers)} more matched the patterns but ${m.outsideMembers === 1 ? 'is' : 'are'} not in it)` : ''}`
        : '';
    case 'extracted-samples':
      return typeof m.generations === 'number' && typeof m.value === 'number'
        ? `${formatCount(m.value)} of ${formatCount(m.distinct ?? m.generations)} distinct sampled generations reproduce member text that no non-member text holds${typeof m.common === 'number' && m.common > 0 ? ` (${formatCount(m.common)} more reproduce only text the non-members share)` : ''}`
        : '';
    default:
      return '';
  }
}

/** Where an ε bound came from, and the attack's AUC beside it when that is near chance. */
function epsilonPoint(m: MetricValue, attack: AttackMeasurement, confidence: number): string {
  const sample = m.sample;
  if (!m.atOrAbove || !sample || !m.tail) return '';
  const { members: mAbove, nonMembers: nAbove } = m.atOrAbove;
  const at = typeof m.threshold === 'number' ? ` (score ${formatScore(m.threshold)})` : '';
  let where: string;
  if (m.tail === 'low') {
    const mBelow = sample.members - mAbove;
    const nBelow = sample.nonMembers - nAbove;
    where =
      mBelow === 0
        ? `at the threshold${at} where ${share(nBelow, sample.nonMembers, 'non-members')} score below every member (the low tail)`
        : `below the threshold${at} lie ${share(nBelow, sample.nonMembers, 'non-members')} but only ${share(mBelow, sample.members, 'members')} (the low tail)`;
  } else {
    where =
      nAbove === 0
        ? `at the threshold${at} ${share(mAbove, sample.members, 'members')} score above every non-member (the high tail)`
        : `at or above the threshold${at} lie ${share(mAbove, sample.members, 'members')} but only ${share(nAbove, sample.nonMembers, 'non-members')} (the high tail)`;
  }
  const tried = typeof m.thresholdsTried === 'number' ? `, counting the search over ${m.thresholdsTried} thresholds` : '';
  const bound = `no model trained with differential privacy at a smaller ε shows this ratio (at ${Math.round(confidence * 100)}% confidence${tried})`;
  const auc = attack.metrics['auc'];
  const chance =
    auc && typeof auc.value === 'number' && auc.value < 0.6
      ? `; the attack's AUC is ${formatNumber(auc.value)}, close to chance: the leak sits in that tail, not in the average`
      : '';
  return `${where}; ${bound}${chance}`;
}

/** Attribute inference: accuracy against the prior's guess, on members and on non-members. */
function attributePoint(attack: AttackMeasurement): string {
  const d = attack.details;
  const member = attack.metrics['member-accuracy'];
  const baseline = attack.metrics['baseline-accuracy'];
  const nonMember = attack.metrics['non-member-accuracy'];
  if (!d?.attribute || typeof member?.value !== 'number' || typeof baseline?.value !== 'number') return '';
  const mode = d.prior?.mode !== undefined ? ` (${d.prior.mode})` : '';
  const parts = [
    `the attack guesses ${d.attribute} right for ${percent(member.value)} of members, always guessing the most common value${mode} for ${percent(baseline.value)}`,
  ];
  const nonMemberBaseline = d.nonMemberBaselineAccuracy?.value;
  if (typeof nonMember?.value === 'number' && typeof nonMemberBaseline === 'number') {
    parts.push(
      `on non-members ${percent(nonMember.value)} against ${percent(nonMemberBaseline)}, ${nonMemberLiftWords(nonMember.value - nonMemberBaseline, d.nonMemberLift)}`,
    );
  }
  return parts.join('; ');
}

/** Whether the lift also shows on non-members: then the model reveals the attribute about anyone. */
export function nonMemberLiftWords(lift: number, measured?: { ci: [number, number] }): string {
  if (measured && measured.ci[0] > 0) return 'so the model reveals the attribute about anyone, not just its training records';
  if (lift > 0) return 'a lift the data cannot tell from none, so the leak is mainly about the training records';
  return 'no lift, so the model reveals the attribute about its training records, not about anyone';
}

/** Notes on tied scores per probe: how many records share an attack's highest score and what that hides. */
export function tieNotes(report: GateReport): string[] {
  return report.probes.flatMap((p) => {
    const note = tieNote(p, report);
    return note ? [note] : [];
  });
}

/** Ties worth a note: at least 1% of either set, at least 2 records. */
function matters(tie: ScoreTie | undefined, members: number, nonMembers: number): tie is ScoreTie {
  return !!tie && tie.members + tie.nonMembers > 1 && (tie.members >= 0.01 * members || tie.nonMembers >= 0.01 * nonMembers);
}

function tieNote(probe: ProbeResult, report: GateReport): string | undefined {
  const rows = (role: string) => report.inputs.data.find((d) => d.role === role)?.rows;
  const members = rows('members');
  const nonMembers = rows('non-members');
  if (members === undefined || nonMembers === undefined) return undefined;
  const tied = probe.attacks.filter((a) => matters(a.details?.topTie, members, nonMembers));
  const saturated = probe.attacks.find((a) => a.details?.saturated)?.details?.saturated;
  const bigSaturation = saturated && (saturated.members >= 0.01 * members || saturated.nonMembers >= 0.01 * nonMembers);
  if (tied.length === 0 && !bigSaturation) return undefined;
  const parts: string[] = [];
  if (saturated && bigSaturation) {
    parts.push(
      `${formatCount(saturated.members)} of ${formatCount(members)} members and ${formatCount(saturated.nonMembers)} of ${formatCount(nonMembers)} non-members have p_y = 1 exactly in the model's output (its probabilities saturate)`,
    );
  }
  // Attacks whose top tie is the same set of counts are named together.
  const byCounts = new Map<string, string[]>();
  for (const a of tied) {
    const t = a.details!.topTie!;
    const key = `${t.members}/${t.nonMembers}`;
    byCounts.set(key, [...(byCounts.get(key) ?? []), a.attack]);
  }
  for (const [key, names] of byCounts) {
    const [m, n] = key.split('/').map(Number) as [number, number];
    const same = saturated && saturated.members === m && saturated.nonMembers === n;
    const who = same
      ? 'these records'
      : `${formatCount(m)} of ${formatCount(members)} members and ${formatCount(n)} of ${formatCount(nonMembers)} non-members`;
    const lowest = n / nonMembers;
    parts.push(
      `${list(names)} ${names.length === 1 ? 'gives' : 'give'} ${who} one and the same highest score, so no threshold ranks them: whatever these records leak is hidden from ${names.length === 1 ? 'that attack' : 'those attacks'}, and ${names.length === 1 ? 'its' : 'their'} TPR at any FPR under ${percent(lowest)} is 0`,
    );
  }
  const remedy =
    report.surface?.scores !== 'label' && report.model?.scoreKind === 'probabilities'
      ? ' A model that outputs logits (or float64 probabilities) lets the attacks rank these records.'
      : '';
  return `Tied scores (${probe.id}): ${parts.join('; ')}.${remedy}`;
}

function list(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "552 of 898 non-members (61.5%)". */
export function share(k: number, n: number, what: string): string {
  return `${formatCount(k)} of ${formatCount(n)} ${what} (${n > 0 ? percent(k / n) : 'n/a'})`;
}

/** A proportion as a percentage with one decimal, or two under 1%. */
export function percent(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  const v = 100 * p;
  return `${v !== 0 && Math.abs(v) < 1 ? v.toFixed(2) : v.toFixed(1)}%`;
}

/** A score threshold with four significant digits; tiny or huge ones in powers of ten. */
export function formatScore(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e5) return String(Number(v.toPrecision(4))).replace('-', '−');
  const [mantissa, exp] = v.toExponential(2).split('e') as [string, string];
  const superscript = [...exp.replace('+', '')].map((ch) => SUPERSCRIPT[ch] ?? ch).join('');
  return `${mantissa.replace('-', '−')}×10${superscript}`;
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};
