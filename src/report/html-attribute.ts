/**
 * report.html's view of an attribute-inference attack: what the attacker knew, its accuracy
 * against the prior's guess on members and on non-members (does the model reveal the attribute
 * about anyone, or only about its training records?), the paired table behind the lift and the
 * results per value. Plain names and rounded values, never the raw detail fields. Pure.
 */
import type { AttackMeasurement, Interval, MetricValue, Proportion } from '../result';
import { escapeHtml } from './escape';
import { nonMemberLiftWords, percent } from './explain';
import { formatCount, formatNumber } from './format';

/** The detail fields this view draws; the generic table shows none of them. */
export const ATTRIBUTE_DETAILS: readonly string[] = [
  'attribute',
  'columns',
  'candidates',
  'observed',
  'prior',
  'nonMemberBaselineAccuracy',
  'nonMemberLift',
  'liftTable',
  'queriesPerRecord',
  'unknownFeatures',
  'perValue',
  'residualSpread',
  'nonMemberAuc',
];

export function attributeView(attack: AttackMeasurement): string {
  const d = attack.details;
  if (!d || typeof d.attribute !== 'string') return '';
  const name = escapeHtml(attack.attack);
  return [
    `<h3>${name}: what the attacker knew</h3>`,
    facts(attack),
    `<h3>${name}: accuracy against the prior's guess</h3>`,
    accuracyTable(attack),
    pairedTable(attack),
    perValueTable(attack),
  ].join('');
}

function facts(attack: AttackMeasurement): string {
  const d = attack.details!;
  const code = (s: string) => `<code>${escapeHtml(s, 100)}</code>`;
  const items: Array<[string, string]> = [];
  const columns = Array.isArray(d.columns) ? d.columns : [];
  items.push([
    'Attribute',
    `${code(d.attribute!)}${columns.length > 0 && (columns.length > 1 || columns[0] !== d.attribute) ? ` (columns ${columns.slice(0, 20).map(code).join(', ')})` : ''}`,
  ]);
  if (Array.isArray(d.candidates)) items.push(['Candidate values', d.candidates.slice(0, 50).map(code).join(' ')]);
  if (d.observed) items.push(['The attacker sees', d.observed === 'label' ? 'the true label' : "the model's output for the real record"]);
  if (d.prior && Array.isArray(d.prior.probabilities) && Array.isArray(d.candidates)) {
    const source =
      { 'non-members': 'the non-members', auxiliary: 'the auxiliary data', uniform: 'uniform' }[String(d.prior.source)] ?? 'the policy';
    const shares = d.prior.probabilities
      .slice(0, 50)
      .map((p, i) => `${code(d.candidates![i] ?? String(i))} ${percent(p)}`)
      .join(', ');
    items.push(['Prior', `from ${escapeHtml(source)}: ${shares}; the most common value is ${code(String(d.prior.mode))}`]);
  }
  if (typeof d.queriesPerRecord === 'number') items.push(['Queries per record', formatCount(d.queriesPerRecord)]);
  if (Array.isArray(d.unknownFeatures))
    items.push([
      'Features the attacker does not know',
      d.unknownFeatures.length === 0 ? 'none' : d.unknownFeatures.slice(0, 50).map(code).join(' '),
    ]);
  const s = d.residualSpread;
  if (s && typeof s.value === 'number') {
    items.push([
      'Residual spread σ',
      `${formatNumber(s.value)} (from ${escapeHtml(String(s.from))}; RMS error ${formatNumber(s.rms)}, floor ${formatNumber(s.floor)})`,
    ]);
  }
  return `<dl>${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** "91.8% [87.8%, 94.8%]" with the counts when known. */
function share(p: { value: number | null; ci: Interval } | undefined, k?: number, n?: number): string {
  if (!p || typeof p.value !== 'number') return 'n/a';
  const counts = typeof k === 'number' && typeof n === 'number' ? ` <small>(${formatCount(k)} of ${formatCount(n)})</small>` : '';
  return `${percent(p.value)} <span class="ci">[${percent(p.ci[0])}, ${percent(p.ci[1])}]</span>${counts}`;
}

/** A difference of proportions in percentage points, signed. */
function points(d: { value: number | null; ci: Interval } | undefined): string {
  if (!d || typeof d.value !== 'number') return 'n/a';
  const pp = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(100 * v).toFixed(1)}`;
  return `${pp(d.value)} points <span class="ci">[${pp(d.ci[0])}, ${pp(d.ci[1])}]</span>`;
}

function accuracyTable(attack: AttackMeasurement): string {
  const d = attack.details!;
  const m = attack.metrics;
  const metric = (id: string): MetricValue | undefined => m[id];
  const member = metric('member-accuracy');
  const nonMember = metric('non-member-accuracy');
  const baseline = metric('baseline-accuracy');
  const nmBaseline: Proportion | undefined = d.nonMemberBaselineAccuracy;
  const mode = d.prior?.mode !== undefined ? ` (${escapeHtml(String(d.prior.mode), 100)})` : '';
  const rows: string[] = [
    `<tr><th scope="row">The attack guesses right</th><td class="num">${share(member, member?.correct, member?.records)}</td><td class="num">${share(nonMember, nonMember?.correct, nonMember?.records)}</td></tr>`,
    `<tr><th scope="row">Always guessing the most common value${mode}</th><td class="num">${share(baseline, baseline?.correct, baseline?.records)}</td><td class="num">${share(nmBaseline, nmBaseline?.k, nmBaseline?.n)}</td></tr>`,
    `<tr><th scope="row">Lift: the attack over that guess</th><td class="num">${points(metric('lift'))}</td><td class="num">${d.nonMemberLift ? points(d.nonMemberLift) : 'n/a'}</td></tr>`,
  ];
  if (metric('auc') || d.nonMemberAuc) {
    rows.push(
      `<tr><th scope="row">AUC of the attack's score (0.5 is chance)</th><td class="num">${estimate(metric('auc'))}</td><td class="num">${estimate(d.nonMemberAuc)}</td></tr>`,
    );
  }
  const gap = metric('member-gap');
  const verdict =
    typeof nonMember?.value === 'number' && typeof nmBaseline?.value === 'number'
      ? `<p>On non-members: ${escapeHtml(nonMemberLiftWords(nonMember.value - nmBaseline.value, d.nonMemberLift))}.${gap ? ` Member gap (members − non-members): ${points(gap)}.` : ''}</p>`
      : '';
  return `<div class="table-wrap"><table class="attribute"><thead><tr><th></th><th>Members</th><th>Non-members</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>${verdict}`;
}

function estimate(m: { value: number | null; ci: Interval } | undefined): string {
  if (!m || typeof m.value !== 'number') return 'n/a';
  return `${formatNumber(m.value)} <span class="ci">[${formatNumber(m.ci[0])}, ${formatNumber(m.ci[1])}]</span>`;
}

function pairedTable(attack: AttackMeasurement): string {
  const t = attack.details!.liftTable;
  if (!t || [t.a, t.b, t.c, t.d].some((v) => typeof v !== 'number')) return '';
  return `<h4>Members: the attack and the prior's guess, record by record (the lift's paired table)</h4><div class="table-wrap"><table class="paired"><thead><tr><th></th><th>Prior's guess right</th><th>Prior's guess wrong</th></tr></thead><tbody><tr><th scope="row">Attack right</th><td class="num">${formatCount(t.a)}</td><td class="num">${formatCount(t.b)}</td></tr><tr><th scope="row">Attack wrong</th><td class="num">${formatCount(t.c)}</td><td class="num">${formatCount(t.d)}</td></tr></tbody></table></div><p class="muted">The lift is (attack right, prior wrong − attack wrong, prior right) / members = (${formatCount(t.b)} − ${formatCount(t.c)}) / ${formatCount(t.a + t.b + t.c + t.d)}.</p>`;
}

function perValueTable(attack: AttackMeasurement): string {
  const rows = attack.details!.perValue;
  if (!Array.isArray(rows) || rows.length === 0) return '';
  const side = (s: { records: number; accuracy: Proportion; guessed: number } | undefined) =>
    s
      ? `<td class="num">${formatCount(s.records)}</td><td class="num">${share(s.accuracy, s.accuracy?.k, s.accuracy?.n)}</td><td class="num">${formatCount(s.guessed)}</td>`
      : '<td></td><td></td><td></td>';
  const body = rows
    .slice(0, 200)
    .map(
      (r) =>
        `<tr><td><code>${escapeHtml(String(r.value), 100)}</code></td><td class="num">${typeof r.prior === 'number' ? percent(r.prior) : 'n/a'}</td>${side(r.members)}${side(r.nonMembers)}</tr>`,
    )
    .join('');
  return `<h4>Per value</h4><div class="table-wrap"><table class="per-value"><thead><tr><th rowspan="2">Value</th><th rowspan="2">Prior</th><th colspan="3">Members</th><th colspan="3">Non-members</th></tr><tr><th>Records</th><th>Guessed right</th><th>Guessed as this value</th><th>Records</th><th>Guessed right</th><th>Guessed as this value</th></tr></thead><tbody>${body}</tbody></table></div>`;
}
