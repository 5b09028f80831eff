// `npm run demo`: runs the bundled CLI on the shipped digits example, once with the leaky model
// and once with the hardened one, under the same thresholds. Exits 0 when the leaky model fails
// the gate and the hardened one passes, as the example is built to show.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cases = [
  { name: 'leaky model', policy: 'examples/digits/policy.yml', expect: 'fail' },
  { name: 'hardened model', policy: 'examples/digits/hardened.policy.yml', expect: 'pass' },
];

let ok = true;
for (const c of cases) {
  const out = path.join('out', 'demo', c.name.split(' ')[0]);
  console.log(`\n=== ${c.name}: privacy-gate run --policy ${c.policy} --out ${out}`);
  const run = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', '--policy', c.policy, '--out', out], {
    cwd: root,
    stdio: 'inherit',
  });
  const report = JSON.parse(readFileSync(path.join(root, out, 'privacy-report.json'), 'utf8'));
  const loss = report.probes[0]?.attacks.find((a) => a.attack === 'loss');
  const auc = loss ? loss.metrics.auc : undefined;
  const verdictOk = report.verdict === c.expect;
  ok &&= verdictOk;
  console.log(
    `${verdictOk ? 'as expected' : 'UNEXPECTED'}: verdict ${report.verdict} (exit ${run.status}), expected ${c.expect}` +
      (auc ? `; loss-attack AUC ${auc.value.toFixed(3)} [${auc.ci[0].toFixed(3)}, ${auc.ci[1].toFixed(3)}]` : ''),
  );
}
console.log(ok ? '\ndemo: both verdicts as expected' : '\ndemo: a verdict was not as expected');
process.exit(ok ? 0 : 1);
