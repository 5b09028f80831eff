// Checks leaky.onnx, hardened.onnx and private.onnx in onnxruntime-node, independently of the gate's code:
//
//   node examples/digits/verify.cjs [DUMP_DIR]
//
// - prints each model's input/output metadata and the probabilities of the first member row;
// - runs every row of data/members.csv and data/non-members.csv (raw 0..16 pixels, float32);
// - compares with PyTorch: reference-outputs.json (first rows of each split, written by
//   train.py) and, if DUMP_DIR is given, every row (`train.py --dump-probs DUMP_DIR`), max |diff|
//   must be <= 1e-5;
// - recomputes the loss-attack AUC and accuracies from ORT's outputs and compares them with
//   metrics.json.
// Exits 1 on any mismatch.
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const here = __dirname;
const TOL = 1e-5;

function readCsv(file) {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  if (header.length !== 65 || header[64] !== 'digit') throw new Error(`${file}: unexpected header`);
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const x = new Float32Array(rows.length * 64);
  rows.forEach((r, i) => x.set(r.slice(0, 64), i * 64));
  return { x, y: rows.map((r) => r[64]), n: rows.length };
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + headerLen);
  if (!header.includes("'<f4'")) throw new Error(`${file}: expected little-endian float32`);
  const start = 10 + headerLen;
  return new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
}

function auc(pos, neg) {
  // Mann-Whitney with ties counted 1/2
  const all = pos
    .map((v) => [v, 1])
    .concat(neg.map((v) => [v, 0]))
    .sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1][0] === all[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k][1] === 1) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

async function predict(session, x, n) {
  const out = await session.run({ x: new ort.Tensor('float32', x, [n, 64]) });
  return out.probabilities.data;
}

function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

(async () => {
  const dumpDir = process.argv[2];
  const members = readCsv(path.join(here, 'data/members.csv'));
  const nonMembers = readCsv(path.join(here, 'data/non-members.csv'));
  const reference = JSON.parse(fs.readFileSync(path.join(here, 'reference-outputs.json'), 'utf8'));
  const metrics = JSON.parse(fs.readFileSync(path.join(here, 'metrics.json'), 'utf8'));
  let ok = true;
  const check = (cond, msg) => {
    console.log(`  ${cond ? 'ok  ' : 'FAIL'} ${msg}`);
    ok = ok && cond;
  };

  for (const name of ['leaky', 'hardened', 'private']) {
    const session = await ort.InferenceSession.create(path.join(here, `${name}.onnx`));
    console.log(`== ${name}.onnx`);
    console.log('  inputs ', JSON.stringify(session.inputMetadata));
    console.log('  outputs', JSON.stringify(session.outputMetadata));
    const pm = await predict(session, members.x, members.n);
    const pn = await predict(session, nonMembers.x, nonMembers.n);
    console.log('  first member row (digit %d):', members.y[0], Array.from(pm.slice(0, 10), (v) => v.toPrecision(6)).join(' '));

    for (const split of ['members', 'non_members']) {
      const rows = reference[split];
      const x = Float32Array.from(rows.flat());
      const got = await predict(session, x, rows.length);
      const d = maxDiff(got, reference[name][split].flat());
      check(d <= TOL, `reference-outputs.json ${split}: max |ORT - PyTorch| = ${d.toExponential(2)}`);
    }
    if (dumpDir) {
      for (const [split, p] of [
        ['members', pm],
        ['non-members', pn],
      ]) {
        const d = maxDiff(p, readNpy(path.join(dumpDir, `${name}-${split}.npy`)));
        check(d <= TOL, `all ${p.length / 10} ${split} rows vs PyTorch: max |diff| = ${d.toExponential(2)}`);
      }
    }

    const score = (p, y) => y.map((label, i) => Math.log(p[i * 10 + label]));
    const acc = (p, y) =>
      y.filter((label, i) => {
        const row = Array.from(p.slice(i * 10, i * 10 + 10));
        return row.indexOf(Math.max(...row)) === label;
      }).length / y.length;
    const a = auc(score(pm, members.y), score(pn, nonMembers.y));
    const m = metrics[name];
    check(
      Math.abs(a - m.loss_attack_auc) < 1e-3,
      `loss-attack AUC from ORT ${a.toFixed(4)} (metrics.json ${m.loss_attack_auc.toFixed(4)})`,
    );
    const [tr, ho] = [acc(pm, members.y), acc(pn, nonMembers.y)];
    check(
      Math.abs(tr - m.train_accuracy) < 2e-3 && Math.abs(ho - m.holdout_accuracy) < 2e-3,
      `accuracy train ${tr.toFixed(4)} holdout ${ho.toFixed(4)} (metrics.json ${m.train_accuracy.toFixed(4)} / ${m.holdout_accuracy.toFixed(4)})`,
    );
  }
  console.log(ok ? 'all checks passed' : 'SOME CHECKS FAILED');
  process.exit(ok ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
