/**
 * Issue 10's digits table, recomputed with the committed reference models (examples/digits/
 * refs/, `train.py --references 16`): real onnxruntime runs of the targets and every reference
 * model, the pure attacks of src/metrics, and the gate's own AUC and TPR at FPR. Shared by the
 * test (digits-reference-attacks.test.ts) and by anyone who wants the table:
 *
 *   npx tsx test/probes/digits-reference-attacks.ts [leaky|hardened]
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../../src/data/csv';
import { parseMemberships } from '../../src/data/memberships';
import { logitConfidence } from '../../src/metrics/logit-confidence';
import { liraScores } from '../../src/metrics/lira';
import { membershipMetrics } from '../../src/metrics/membership';
import { recipeLevelScores, sliceModel, withoutModel, withoutModelMemberships } from '../../src/metrics/recipe-level';
import { IN, OUT, type MembershipMatrix, type ReferenceSignals, type SignalMatrix } from '../../src/metrics/reference-signals';
import { rmiaScores } from '../../src/metrics/rmia';
import { openOnnxClassifier } from '../../src/model/onnx';
import { observe } from '../../src/model/surface';
import { shiftedImages } from '../../src/probes/membership/reference';

const DIGITS = fileURLToPath(new URL('../../examples/digits', import.meta.url));
const FULL = { scores: 'full' as const, topK: 0 };

export interface Pooled {
  x: Float32Array;
  labels: Int32Array;
  members: number;
  records: number;
}

/** members.csv rows then non-members.csv rows: the memberships file's record order. */
export function loadPooled(): Pooled {
  const tables = ['members.csv', 'non-members.csv'].map((f) => parseCsv(readFileSync(path.join(DIGITS, 'data', f)), f));
  const records = tables[0]!.rows + tables[1]!.rows;
  const x = new Float32Array(records * 64);
  const labels = new Int32Array(records);
  let r = 0;
  for (const t of tables) {
    for (let row = 0; row < t.rows; row++, r++) {
      for (let c = 0; c < 64; c++) x[r * 64 + c] = t.number(row, c);
      labels[r] = t.number(row, 64);
    }
  }
  return { x, labels, members: tables[0]!.rows, records };
}

/** The unshifted 8 × 8 images, or those and their 8 one-pixel shifts (the gate's own `shift-1`). */
export function shifted(x: Float32Array, records: number, augmentations: 1 | 9): Float32Array {
  return augmentations === 1 ? x : shiftedImages(x, records, 8);
}

/** φ of every (record, augmentation) under one model, read through a full-score surface. */
export async function signalsOf(file: string, queries: Float32Array, labels: Int32Array, augmentations: number): Promise<Float64Array> {
  const model = await openOnnxClassifier({ path: file, task: 'classification', scores: 'auto' });
  const rows = queries.length / 64;
  const answer = await model.predict(queries, rows);
  const obs = observe(answer, rows, model.info.classCount, FULL);
  const truth = new Int32Array(rows);
  for (let i = 0; i < rows; i++) truth[i] = labels[Math.floor(i / augmentations)]!;
  return logitConfidence(obs.scores!, model.info.classCount, truth);
}

export interface FamilyInputs {
  target: SignalMatrix;
  refs: ReferenceSignals;
  memberships: MembershipMatrix;
  members: number;
}

export async function familyInputs(family: 'leaky' | 'hardened', augmentations: 1 | 9, pooled = loadPooled()): Promise<FamilyInputs> {
  const folder = path.join(DIGITS, 'refs', family);
  const files = readdirSync(folder).filter((f) => f.endsWith('.onnx'));
  const memberships = parseMemberships(readFileSync(path.join(folder, 'memberships.csv')), 'memberships.csv', {
    models: files,
    members: pooled.members,
    nonMembers: pooled.records - pooled.members,
  });
  const queries = shifted(pooled.x, pooled.records, augmentations);
  const size = pooled.records * augmentations;
  const values = new Float64Array(files.length * size);
  // One model open at a time, all its queries in one call.
  for (const [k, name] of memberships.models.entries())
    values.set(await signalsOf(path.join(folder, name), queries, pooled.labels, augmentations), k * size);
  const target = await signalsOf(path.join(DIGITS, `${family}.onnx`), queries, pooled.labels, augmentations);
  return {
    target: { records: pooled.records, augmentations, values: target },
    refs: { models: files.length, records: pooled.records, augmentations, values },
    memberships: memberships.matrix,
    members: pooled.members,
  };
}

export interface Row {
  attack: string;
  auc: number;
  tprAt1: number;
  tprAt01: number;
  members: number;
  nonMembers: number;
}

function row(attack: string, members: ArrayLike<number>, nonMembers: ArrayLike<number>): Row {
  const at = (fpr: number) => membershipMetrics(members, nonMembers, { fpr, confidence: 0.95 });
  const one = at(0.01);
  return {
    attack,
    auc: one.auc.value,
    tprAt1: one.tprAtFpr.value,
    tprAt01: at(0.001).tprAtFpr.value,
    members: members.length,
    nonMembers: nonMembers.length,
  };
}

/** The target's members are the first `members` records. */
function split(scores: Float64Array, members: number): [Float64Array, Float64Array] {
  return [scores.subarray(0, members), scores.subarray(members)];
}

/** LiRA online and offline and RMIA (offline, a = 0.3; population = all pooled records) against the target, and LiRA online at recipe level. */
export function attackRows(inputs: FamilyInputs, label: string): Row[] {
  const { target, refs, memberships, members } = inputs;
  const rows: Row[] = [];
  // The threshold attack on φ of the unshifted query ranks records as the loss attack does (p_y is increasing in φ).
  const plain = Float64Array.from({ length: target.records }, (_, r) => target.values[r * target.augmentations]!);
  rows.push(row(`threshold on φ (= loss attack)${label}`, ...split(plain, members)));
  rows.push(row(`LiRA online${label}`, ...split(liraScores(target, refs, memberships, { mode: 'online' }).scores, members)));
  rows.push(row(`LiRA offline${label}`, ...split(liraScores(target, refs, memberships, { mode: 'offline' }).scores, members)));
  const population = { target, refs, memberships };
  rows.push(
    row(`RMIA offline a=0.3${label}`, ...split(rmiaScores({ target, refs, memberships }, population, { mode: 'offline' }), members)),
  );
  rows.push(row(`RMIA online${label}`, ...split(rmiaScores({ target, refs, memberships }, population, { mode: 'online' }), members)));
  const pooled = recipeLevelScores(refs, memberships, (t, r, m) => liraScores(t, r, m, { mode: 'online' }).scores);
  rows.push(row(`LiRA online${label}, recipe level`, pooled.members, pooled.nonMembers));
  const rmiaPooled = recipeLevelScores(refs, memberships, (t, r, m, held) =>
    rmiaScores(
      { target: t, refs: r, memberships: m },
      { target: sliceModel(refs, held), refs: withoutModel(refs, held), memberships: withoutModelMemberships(memberships, held) },
      { mode: 'offline' },
    ),
  );
  rows.push(row(`RMIA offline${label}, recipe level`, rmiaPooled.members, rmiaPooled.nonMembers));
  return rows;
}

/** How many reference models trained on each record, summarised. */
export function coverage(m: MembershipMatrix): { minIn: number; minOut: number } {
  let minIn = Infinity;
  let minOut = Infinity;
  for (let r = 0; r < m.records; r++) {
    let i = 0;
    let o = 0;
    for (let k = 0; k < m.models; k++) {
      if (m.values[k * m.records + r] === IN) i++;
      else if (m.values[k * m.records + r] === OUT) o++;
    }
    minIn = Math.min(minIn, i);
    minOut = Math.min(minOut, o);
  }
  return { minIn, minOut };
}

async function main(families: Array<'leaky' | 'hardened'>): Promise<void> {
  const pooled = loadPooled();
  console.log('| target | attack | AUC | TPR at FPR 1% | TPR at FPR 0.1% | members / non-members |');
  console.log('|---|---|---|---|---|---|');
  for (const family of families) {
    for (const aug of [1, 9] as const) {
      const inputs = await familyInputs(family, aug, pooled);
      for (const r of attackRows(inputs, aug === 9 ? ', 9 shifted queries' : '')) {
        console.log(
          `| ${family} | ${r.attack} | ${r.auc.toFixed(3)} | ${r.tprAt1.toFixed(3)} | ${r.tprAt01.toFixed(3)} | ${r.members} / ${r.nonMembers} |`,
        );
      }
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const asked = process.argv.slice(2).filter((f): f is 'leaky' | 'hardened' => f === 'leaky' || f === 'hardened');
  void main(asked.length ? asked : ['leaky', 'hardened']);
}
