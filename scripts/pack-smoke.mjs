// Installs the package as a user does and runs its CLI outside this repository: `npm pack`, then
// `npm install ./model-privacy-gate-X.tgz` into an empty project folder with an empty npm cache and
// --offline (so the tarball must hold everything it needs: no dependency, no install script), a
// copy of the digits example beside it, and `npx privacy-gate validate` / `run` there. Fails on
// any unexpected exit code, missing report file, wrong verdict, npm warning or packed file. Then
// vendors the action from the same tarball (README, "Which name goes in `uses:`") and runs it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const tmp = mkdtempSync(path.join(tmpdir(), 'privacy-gate-pack-'));
const project = path.join(tmp, 'project');
const failures = [];

// `npm run` exports npm_config_* (this repository's .npmrc among them) and npm_package_*: a user's
// shell has neither, so the child processes get an environment without them.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
// `npm run` also puts this repository's node_modules/.bin on PATH; a user's project has its own.
env.PATH = (env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !dir.includes(`node_modules${path.sep}.bin`) && !dir.includes('node-gyp-bin'))
  .join(path.delimiter);
env.npm_config_cache = path.join(tmp, 'npm-cache');

function sh(cwd, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  console.log(`$ ${[command, ...args].join(' ')}  → exit ${result.status} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

function expect(ok, message, detail = '') {
  if (ok) return;
  failures.push(message);
  console.error(`FAIL: ${message}${detail ? `\n${detail}` : ''}`);
}

function npmWarnings(stderr) {
  return stderr.split('\n').filter((line) => /^npm (warn|WARN)/.test(line));
}

try {
  // 1. Pack, and check what the tarball holds.
  const pack = sh(root, 'npm', ['pack', '--json', '--pack-destination', tmp]);
  expect(pack.status === 0, 'npm pack failed', pack.stderr);
  const [packed] = JSON.parse(pack.stdout);
  const files = new Set(packed.files.map((file) => file.path));
  const required = [
    'package.json',
    'action.yml',
    'LICENSE',
    'README.md',
    'dist/cli.js',
    'dist/index.js',
    'dist/package.json',
    'dist/policies/standard.yaml',
    'dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    'dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    'dist/node_modules/onnxruntime-common/dist/cjs/index.js',
    'dist/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
  ];
  for (const file of required) expect(files.has(file), `the tarball lacks ${file}`);
  for (const file of files) {
    expect(!/^(src|test|bench|examples|scripts|\.ci)\//.test(file), `the tarball holds the development file ${file}`);
  }
  expect(!('dependencies' in pkg), 'package.json has dependencies: dist/ bundles them, so a user install would fetch them again');
  expect(!pkg.private, 'package.json says "private": npm publish would refuse it');
  console.log(`packed ${packed.filename}: ${files.size} files, ${(packed.size / 1e6).toFixed(1)} MB`);

  // 2. Install the tarball into an empty project, offline, from an empty cache.
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), '{ "name": "pack-smoke-project", "private": true }\n');
  const install = sh(project, 'npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(tmp, packed.filename)]);
  expect(install.status === 0, 'installing the tarball offline failed', install.stderr);
  expect(npmWarnings(install.stderr).length === 0, 'installing the tarball printed npm warnings', npmWarnings(install.stderr).join('\n'));
  const installed = readFileSync(path.join(project, 'node_modules', '.package-lock.json'), 'utf8');
  expect(Object.keys(JSON.parse(installed).packages).length === 1, 'installing the tarball installed other packages', installed);

  // 3. A copy of the digits example, and the CLI as the README shows it.
  cpSync(path.join(root, 'examples', 'digits'), path.join(project, 'model'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}refs`) && !src.endsWith('.py'),
  });
  // `--no`: never fetch a package called privacy-gate from the registry; `--`: the flags after it
  // are the CLI's, not npx's.
  const gate = (...args) => sh(project, 'npx', ['--no', '--', 'privacy-gate', ...args]);

  const version = gate('--version');
  expect(
    version.status === 0 && version.stdout.includes(pkg.version),
    `privacy-gate --version does not say ${pkg.version}`,
    version.stdout + version.stderr,
  );

  const valid = gate('validate', '--policy', 'model/policy.yml');
  expect(
    valid.status === 0 && /valid/.test(valid.stdout),
    'validate on the digits policy did not exit 0 saying valid',
    valid.stdout + valid.stderr,
  );

  const missing = gate('validate', '--policy', 'model/missing.yml');
  expect(
    missing.status === 2 && missing.stderr.includes('missing.yml'),
    'validate on a missing policy did not exit 2 naming it',
    missing.stdout + missing.stderr,
  );

  for (const [policy, exit, verdict] of [
    ['model/hardened.policy.yml', 0, 'pass'],
    ['model/policy.yml', 1, 'fail'],
  ]) {
    const out = `out-${verdict}`;
    const run = gate('run', '--policy', policy, '--out', out);
    expect(run.status === exit, `run on ${policy} exited ${run.status}, expected ${exit}`, run.stdout + run.stderr);
    for (const file of ['privacy-report.json', 'summary.md', 'report.html', 'privacy-gate.sarif']) {
      expect(existsSync(path.join(project, out, file)), `run on ${policy} wrote no ${out}/${file}`);
    }
    const reportFile = path.join(project, out, 'privacy-report.json');
    if (existsSync(reportFile)) {
      const report = JSON.parse(readFileSync(reportFile, 'utf8'));
      expect(report.verdict === verdict, `run on ${policy}: verdict ${report.verdict}, expected ${verdict}`);
    }
  }

  // 4. The action vendored as README says: action.yml and dist/ from the tarball, run as a runner
  //    runs `uses: ./.github/actions/privacy-gate` (inputs as INPUT_* variables, from the workspace).
  const vendored = path.join(project, '.github', 'actions', 'privacy-gate');
  mkdirSync(vendored, { recursive: true });
  const untar = sh(project, 'tar', [
    '-xzf',
    path.join(tmp, packed.filename),
    '--strip-components=1',
    '-C',
    vendored,
    'package/action.yml',
    'package/dist',
  ]);
  expect(untar.status === 0, 'extracting action.yml and dist/ from the tarball failed', untar.stderr);
  const outputs = path.join(tmp, 'github-output');
  const summary = path.join(tmp, 'step-summary');
  writeFileSync(outputs, '');
  writeFileSync(summary, '');
  const action = spawnSync(process.execPath, [path.join(vendored, 'dist', 'index.js')], {
    cwd: project,
    encoding: 'utf8',
    env: {
      PATH: env.PATH,
      HOME: env.HOME,
      INPUT_POLICY: 'model/hardened.policy.yml',
      INPUT_OUT: 'out-action',
      INPUT_COMMENT: 'never',
      GITHUB_OUTPUT: outputs,
      GITHUB_STEP_SUMMARY: summary,
    },
  });
  console.log(`$ (vendored action) node .github/actions/privacy-gate/dist/index.js  → exit ${action.status}`);
  expect(
    action.status === 0 && /^pass$/m.test(readFileSync(outputs, 'utf8')) && readFileSync(summary, 'utf8').length > 0,
    'the vendored action did not pass the hardened digits model with a verdict output and a job summary',
    action.stdout + action.stderr + readFileSync(outputs, 'utf8'),
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`pack smoke: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('pack smoke: the packed CLI installs offline and validates and runs the digits example');
