/**
 * What a pull request changed in the policy that gates it: the base commit's merged policy
 * against the head's, field by field. Each field with a known direction has one row in
 * FIELD_RULES saying which way loosens the audit; any other difference is a plain change. Pure:
 * both documents are already read (src/github/base-policy.ts reads the base from git).
 *
 * Directions (every metric is "higher = more leakage", policies/standard.yaml):
 * - a warn or fail line raised, or removed, lets more leakage pass; a probe or a threshold removed
 *   checks nothing at all;
 * - fewer attacks, fewer records (data.max-rows) and a lower gate.confidence (narrower intervals:
 *   fewer inconclusive and insufficient checks) find less;
 * - tpr-at-fpr read at a lower FPR: the ROC curve never falls, so the same line is reached later;
 * - gate.inconclusive fail → warn → pass and gate.insufficient error → warn count doubt as a pass;
 * - data.allow-overlap turned on accepts records that are in both sets;
 * - a surface that reveals less (full → top-k → label, fewer top-k scores, fewer decimals,
 *   float32) weakens the attacker the gate plays: the audit then only covers a deployment that
 *   reveals that little, and the same model served with more is no longer shown to be safe;
 * - the model or a data file moved: the gate then audits another file than the one the base
 *   policy named, which no rule can show to be harmless, so it is listed for review with them.
 */
import { relative, sep } from 'node:path';
import { resolvePathValue } from './fields';
import { isPlainObject, valueAt, type MergedPolicy } from './merge';
import { fieldName, type PolicyPath } from './source';
import { POLICY_DEFAULTS } from './build';

export type ChangeKind = 'loosened' | 'tightened' | 'changed';

export interface PolicyChange {
  /** The field as written in the policy, e.g. `probes.membership.thresholds.auc.fail`. */
  field: string;
  kind: ChangeKind;
  /** The value at the base and at the head, as text; undefined where the policy does not set it. */
  base?: string;
  head?: string;
  /** Why the change loosens or tightens the audit (empty for a plain change). */
  reason: string;
  /** Where the head policy writes the field, or its deepest written parent when it was removed. */
  location: { file: string; line: number; column: number };
}

/**
 * How a field's change is judged:
 * - higher / lower: a number; the looser side, with the value an absent field stands for;
 * - order: values from strictest to loosest;
 * - set: a list; an item removed loosens, an item added tightens;
 * - presence: a mapping whose removal loosens (a probe, a threshold), compared inside otherwise;
 * - path: a file path; any move is listed for review as loosening.
 */
type Direction =
  | { kind: 'higher-looser'; absent: number }
  | { kind: 'lower-looser'; absent: number }
  | { kind: 'order'; values: readonly unknown[]; absent: unknown }
  | { kind: 'set' }
  | { kind: 'presence' }
  | { kind: 'path' };

interface FieldRule {
  /** Path segments; `*` matches any key. */
  pattern: readonly string[];
  direction: Direction;
  /** Why the loosening way loosens; the opposite way is said to tighten. */
  why: string;
  /** Compared only when this holds for both documents (e.g. top-k only when both reveal top-k). */
  when?: (doc: Record<string, unknown>) => boolean;
}

const isTopK = (doc: Record<string, unknown>) => valueAt(doc, ['surface', 'scores']) === 'top-k';

/** One row per field whose direction is known; the first matching row applies. */
export const FIELD_RULES: readonly FieldRule[] = [
  { pattern: ['model', 'path'], direction: { kind: 'path' }, why: 'the gate audits another model file than the base policy named' },
  ...['members', 'non-members'].flatMap((role) =>
    ['path', 'labels'].map((key): FieldRule => ({
      pattern: ['data', role, key],
      direction: { kind: 'path' },
      why: `the ${role} records audited are another file than the base policy named`,
    })),
  ),
  {
    pattern: ['data', 'max-rows'],
    direction: { kind: 'lower-looser', absent: POLICY_DEFAULTS.maxRows },
    why: 'fewer records: wider intervals and weaker attacks',
  },
  {
    pattern: ['data', 'allow-overlap'],
    direction: { kind: 'order', values: [false, true], absent: false },
    why: 'records in both sets are accepted instead of stopping the gate',
  },
  {
    pattern: ['surface', 'scores'],
    direction: { kind: 'order', values: ['full', 'top-k', 'label'], absent: POLICY_DEFAULTS.surfaceScores },
    why: 'the attacker is shown less, so the audit covers only a deployment that reveals that little',
  },
  {
    pattern: ['surface', 'top-k'],
    direction: { kind: 'lower-looser', absent: Infinity },
    why: 'the attacker is shown fewer scores',
    when: isTopK,
  },
  {
    pattern: ['surface', 'decimals'],
    direction: { kind: 'lower-looser', absent: Infinity },
    why: 'the attacker is shown coarser scores',
  },
  {
    pattern: ['surface', 'precision'],
    direction: { kind: 'order', values: ['float64', 'float32'], absent: 'float64' },
    why: 'the attacker is shown less precise scores',
  },
  { pattern: ['probes', '*'], direction: { kind: 'presence' }, why: 'the probe no longer runs: none of its checks can fail the gate' },
  { pattern: ['probes', 'membership', 'attacks'], direction: { kind: 'set' }, why: 'fewer attacks are run' },
  {
    pattern: ['probes', 'membership', 'recipe-level'],
    direction: { kind: 'order', values: [true, false], absent: false },
    why: 'the reference attacks are no longer pooled over the reference models',
  },
  { pattern: ['probes', 'extraction', 'canaries'], direction: { kind: 'set' }, why: 'fewer canaries are checked' },
  {
    pattern: ['probes', 'extraction', 'secret-scan', 'regexes'],
    direction: { kind: 'set' },
    why: 'fewer secret patterns are searched for',
  },
  {
    pattern: ['probes', 'membership', 'thresholds', 'tpr-at-fpr', 'fpr'],
    direction: { kind: 'lower-looser', absent: Infinity },
    why: 'TPR read at a lower FPR is never higher (the ROC curve does not fall), so the same line is reached later',
  },
  {
    pattern: ['probes', 'membership', 'max-increase'],
    direction: { kind: 'presence' },
    why: 'the increase over the released model is no longer checked',
  },
  {
    pattern: ['probes', 'membership', 'max-increase', '*'],
    direction: { kind: 'higher-looser', absent: Infinity },
    why: 'a larger increase over the released model passes',
  },
  { pattern: ['baseline', 'model'], direction: { kind: 'path' }, why: 'the candidate is compared with another released model' },
  {
    pattern: ['model', 'reference-model'],
    direction: { kind: 'path' },
    why: 'the likelihood ratio is taken against another reference model',
  },
  { pattern: ['probes', 'text-membership', 'attacks'], direction: { kind: 'set' }, why: 'fewer attacks are run' },
  ...[
    ['probes', 'text-membership', 'fpr'],
    ['probes', 'text-membership', 'thresholds', 'tpr-at-fpr', 'fpr'],
  ].map((pattern): FieldRule => ({
    pattern,
    // Absent: the probe's default FPR, 0.01 (src/probes/text-membership/settings.ts).
    direction: { kind: 'lower-looser', absent: 0.01 },
    why: 'TPR read at a lower FPR is never higher (the ROC curve does not fall), so the same line is reached later',
  })),
  { pattern: ['probes', '*', 'thresholds', '*'], direction: { kind: 'presence' }, why: 'the check is no longer made' },
  {
    pattern: ['probes', '*', 'thresholds', '*', 'fail'],
    direction: { kind: 'higher-looser', absent: Infinity },
    why: 'more leakage passes before the gate fails',
  },
  {
    pattern: ['probes', '*', 'thresholds', '*', 'warn'],
    direction: { kind: 'higher-looser', absent: Infinity },
    why: 'more leakage passes before the gate warns',
  },
  {
    pattern: ['gate', 'confidence'],
    direction: { kind: 'lower-looser', absent: POLICY_DEFAULTS.confidence },
    why: 'narrower intervals: fewer checks are inconclusive or lack records',
  },
  {
    pattern: ['gate', 'inconclusive'],
    direction: { kind: 'order', values: ['fail', 'warn', 'pass'], absent: POLICY_DEFAULTS.inconclusive },
    why: 'a check that may be over its fail line counts less',
  },
  {
    pattern: ['gate', 'insufficient'],
    direction: { kind: 'order', values: ['error', 'warn'], absent: POLICY_DEFAULTS.insufficient },
    why: 'a check the data cannot resolve no longer stops the gate',
  },
];

export interface DiffOptions {
  /** Paths are shown relative to this folder (the repository root). */
  root: string;
  /** The list a policy that writes none stands for, by field (the membership attacks follow the surface). */
  defaultLists?: Record<string, (doc: Record<string, unknown>) => readonly unknown[]>;
}

const KIND_ORDER: Record<ChangeKind, number> = { loosened: 0, tightened: 1, changed: 2 };

/** Every difference between the base and head policies, loosened first, then tightened, then other changes. */
export function diffPolicies(base: MergedPolicy, head: MergedPolicy, options: DiffOptions): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const add = (path: PolicyPath, kind: ChangeKind, values: { base?: string; head?: string }, reason: string) => {
    const where = head.locate(path, 'key');
    changes.push({
      field: fieldName(path),
      kind,
      ...values,
      reason,
      location: { file: where.source.file, line: where.line, column: where.column },
    });
  };
  const extendsOf = (m: MergedPolicy) => {
    const own = m.layers[m.layers.length - 1]?.data;
    return isPlainObject(own) && own['extends'] !== undefined ? show(own['extends']) : undefined;
  };
  const [baseExtends, headExtends] = [extendsOf(base), extendsOf(head)];
  if (baseExtends !== headExtends) add(['extends'], 'changed', { base: baseExtends, head: headExtends }, '');

  const walk = (path: PolicyPath, b: unknown, h: unknown): void => {
    const rule = FIELD_RULES.find((r) => matches(r.pattern, path));
    if (rule && (!rule.when || (rule.when(base.data) && rule.when(head.data)))) {
      if (rule.direction.kind !== 'presence' || b === undefined || h === undefined) {
        judge(rule, path, b, h);
        return;
      }
    }
    // A mapping on one side and nothing on the other is compared inside: each field says its own direction.
    const mappingOrAbsent = (v: unknown): v is Record<string, unknown> | undefined => v === undefined || isPlainObject(v);
    if ((isPlainObject(b) || isPlainObject(h)) && mappingOrAbsent(b) && mappingOrAbsent(h)) {
      const [bm, hm] = [b ?? {}, h ?? {}];
      const keys = [...Object.keys(hm), ...Object.keys(bm).filter((k) => !(k in hm))];
      for (const key of keys) walk([...path, key], bm[key], hm[key]);
      return;
    }
    if (!sameValue(b, h)) add(path, 'changed', { base: showOptional(b), head: showOptional(h) }, '');
  };

  const judge = (rule: FieldRule, path: PolicyPath, b: unknown, h: unknown): void => {
    const direction = rule.direction;
    const tighter = 'stricter than the base policy';
    switch (direction.kind) {
      case 'presence': {
        if (b === undefined && h !== undefined) add(path, 'tightened', { head: 'set' }, 'added: stricter than the base policy');
        else if (b !== undefined && h === undefined) add(path, 'loosened', { base: 'set' }, rule.why);
        return;
      }
      case 'path': {
        const [bp, hp] = [pathText(base, path, b, options.root), pathText(head, path, h, options.root)];
        if (bp !== hp) add(path, 'loosened', { base: bp, head: hp }, rule.why);
        return;
      }
      case 'set': {
        const field = fieldName(path);
        const listOf = (value: unknown, doc: Record<string, unknown>) =>
          Array.isArray(value) ? value : (options.defaultLists?.[field]?.(doc) ?? []);
        const [bl, hl] = [listOf(b, base.data), listOf(h, head.data)];
        const removed = bl.filter((item) => !hl.some((other) => sameValue(item, other)));
        const added = hl.filter((item) => !bl.some((other) => sameValue(item, other)));
        const values = { base: showList(b, bl), head: showList(h, hl) };
        if (removed.length > 0) add(path, 'loosened', values, `${rule.why}: ${removed.map(show).join(', ')} removed`);
        else if (added.length > 0) add(path, 'tightened', values, `${added.map(show).join(', ')} added`);
        else if (!sameValue(b, h)) add(path, 'changed', values, '');
        return;
      }
      case 'higher-looser':
      case 'lower-looser': {
        const [bn, hn] = [numberOr(b, direction.absent), numberOr(h, direction.absent)];
        if (bn === hn) {
          if (!sameValue(b, h))
            add(path, 'changed', { base: showDefault(b, direction.absent), head: showDefault(h, direction.absent) }, '');
          return;
        }
        const looser = direction.kind === 'higher-looser' ? hn > bn : hn < bn;
        const values = { base: showDefault(b, direction.absent), head: showDefault(h, direction.absent) };
        add(path, looser ? 'loosened' : 'tightened', values, looser ? removalAware(rule.why, h) : tighter);
        return;
      }
      case 'order': {
        const [bv, hv] = [b ?? direction.absent, h ?? direction.absent];
        const [bi, hi] = [direction.values.indexOf(bv), direction.values.indexOf(hv)];
        const values = { base: showDefault(b, direction.absent), head: showDefault(h, direction.absent) };
        if (bi === hi || bi < 0 || hi < 0) {
          if (!sameValue(b, h)) add(path, 'changed', values, '');
          return;
        }
        add(path, hi > bi ? 'loosened' : 'tightened', values, hi > bi ? rule.why : tighter);
        return;
      }
    }
  };

  walk([], base.data, head.data);
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => KIND_ORDER[a.change.kind] - KIND_ORDER[b.change.kind] || a.index - b.index)
    .map(({ change }) => change);
}

function matches(pattern: readonly string[], path: PolicyPath): boolean {
  return pattern.length === path.length && pattern.every((segment, i) => segment === '*' || segment === String(path[i]));
}

/** A line removed stands for "no line": the reason says so. */
function removalAware(why: string, head: unknown): string {
  return head === undefined ? `removed: ${why}` : why;
}

function numberOr(value: unknown, absent: number): number {
  return typeof value === 'number' ? value : absent;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value as text for the report (escaped by each renderer for its channel). */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(show).join(', ');
  return JSON.stringify(value) ?? String(value);
}

function showOptional(value: unknown): string | undefined {
  return value === undefined ? undefined : show(value);
}

/** An absent field shows what it stands for: `warn (default)`, or nothing when it stands for no line. */
function showDefault(value: unknown, absent: unknown): string | undefined {
  if (value !== undefined) return show(value);
  return absent === Infinity ? undefined : `${show(absent)} (default)`;
}

function showList(written: unknown, list: readonly unknown[]): string {
  return Array.isArray(written) ? show(written) : `${show(list)} (default)`;
}

/** A path value resolved against the file that wrote it, shown relative to the repository root. */
function pathText(merged: MergedPolicy, path: PolicyPath, value: unknown, root: string): string | undefined {
  if (typeof value !== 'string') return showOptional(value);
  return relative(root, resolvePathValue(merged, path)).split(sep).join('/');
}
