// The git half of a release, run by .github/workflows/release.yml (see RELEASING.md):
//
//   node scripts/release.mjs check VERSION  # VERSION is X.Y.Z or vX.Y.Z and must equal package.json's
//   node scripts/release.mjs tag VERSION    # tag HEAD vX.Y.Z, move the major tag vX to it, push both
//
// `check` writes tag=vX.Y.Z and major=vX to $GITHUB_OUTPUT when that is set. `tag` accepts a vX.Y.Z
// that already names HEAD (a tag push, or a re-run) and refuses one that names another commit: a
// published version never moves. The major tag is what `uses: owner/repo@vX` resolves to, so it
// moves on every release of that major version. Run from the repository's root (package.json, the
// `origin` remote). Exit 2 for a bad version, 1 for a git failure.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';

const [command, requested] = process.argv.slice(2);

function fail(code, message) {
  console.error(`release: ${message}`);
  process.exit(code);
}

function git(...args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The commit a tag names, or undefined when there is no such tag. */
function tagged(tag) {
  try {
    return git('rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`);
  } catch {
    return undefined;
  }
}

if ((command !== 'check' && command !== 'tag') || requested === undefined) {
  fail(2, 'usage: node scripts/release.mjs check|tag X.Y.Z');
}
const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(requested);
if (!match) fail(2, `version "${requested}" is not of the form X.Y.Z (e.g. 0.2.0 or v0.2.0)`);
const version = requested.replace(/^v/, '');
const tag = `v${version}`;
const major = `v${match[1]}`;

const pkgVersion = JSON.parse(readFileSync('package.json', 'utf8')).version;
if (pkgVersion !== version) {
  fail(2, `package.json says version ${pkgVersion}, the release is ${version}: set "version": "${version}" in a commit first`);
}

if (command === 'check') {
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `tag=${tag}\nmajor=${major}\nversion=${version}\n`);
  console.log(`release: ${tag} (major tag ${major}) matches package.json`);
  process.exit(0);
}

try {
  const head = git('rev-parse', 'HEAD');
  const existing = tagged(tag);
  if (existing !== undefined && existing !== head) {
    fail(2, `tag ${tag} already names commit ${existing}, not HEAD ${head}: a released version never moves; release a new version`);
  }
  if (existing === undefined) git('tag', '--annotate', '--message', `Release ${tag}`, tag, head);
  git('tag', '--force', '--annotate', '--message', `Latest ${major} release: ${tag}`, major, head);
  git('push', 'origin', `refs/tags/${tag}`);
  git('push', '--force', 'origin', `refs/tags/${major}`);
  console.log(`release: ${tag} and ${major} name ${head} and are pushed`);
} catch (error) {
  const stderr = error && typeof error === 'object' && 'stderr' in error ? String(error.stderr) : String(error);
  fail(1, `git failed: ${stderr.trim()}`);
}
