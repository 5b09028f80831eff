// `npm run demo`: runs the bundled CLI on the shipped examples, each once with its leaky model and
// once with its hardened one under the same policy. Exits 0 when every leaky model fails the gate
// and every hardened one passes, as the examples are built to show.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const cases = ['digits', 'wages', 'charlm'].flatMap((example) => [
  { name: `${example}, leaky model`, out: `${example}-leaky`, policy: `examples/${example}/policy.yml`, expect: 'fail' },
  { name: `${example}, hardened model`, out: `${example}-hardened`, policy: `examples/${example}/hardened.policy.yml`, expect: 'pass' },
]);
/** The headline figure of each example's probe, to show the margin. */
const HEADLINE = {
  membership: ['loss', 'auc'],
  'attribute-inference': [undefined, 'lift'],
  extraction: ['canary-exposure', 'max-exposure'],
};

let ok = true;
for (const c of cases) {
  const out = path.join('out', 'demo', c.out);
  console.log(`\n=== ${c.name}: privacy-gate run --policy ${c.policy} --out ${out}`);
  const run = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'run', '--policy', c.policy, '--out', out], {
    cwd: root,
    stdio: 'inherit',
  });
  const report = JSON.parse(readFileSync(path.join(root, out, 'privacy-report.json'), 'utf8'));
  const verdictOk = report.verdict === c.expect && run.status === (c.expect === 'fail' ? 1 : 0);
  ok &&= verdictOk;
  console.log(
    `${verdictOk ? 'as expected' : 'UNEXPECTED'}: verdict ${report.verdict} (exit ${run.status}), expected ${c.expect}; ${headline(report)}`,
  );
}
console.log(ok ? '\ndemo: every verdict as expected' : '\ndemo: a verdict was not as expected');
process.exit(ok ? 0 : 1);

function headline(report) {
  const probe = report.probes[0];
  const [attack, metric] = HEADLINE[probe?.id] ?? [];
  const check = probe?.checks.find((k) => k.metric === metric && (attack === undefined || k.attack === attack));
  if (!check) return 'no headline figure';
  const f = (v) => (typeof v === 'number' ? v.toFixed(3) : String(v));
  return `${probe.id} ${check.attack} ${metric} ${f(check.value)} [${f(check.ci[0])}, ${f(check.ci[1])}]`;
}
