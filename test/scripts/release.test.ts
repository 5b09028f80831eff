// scripts/release.mjs against real git: a throw-away repository whose `origin` is a bare
// repository on disk, so every tag the script pushes is read back from the remote.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = path.resolve(import.meta.dirname, '../../scripts/release.mjs');
const identity = {
  GIT_AUTHOR_NAME: 'release test',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'release test',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
};
let tmp: string;
let work: string;
let origin: string;

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...identity, ...env } });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}
function git(cwd: string, ...args: string[]): string {
  const result = run(cwd, 'git', args);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.out}`);
  return result.out.trim();
}
const release = (...args: string[]) => run(work, process.execPath, [script, ...args]);
/** The commit a tag on the remote names (annotated tags peeled), or '' when absent. */
const remoteTag = (tag: string) => {
  const result = run(origin, 'git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`]);
  return result.status === 0 ? result.out.trim() : '';
};
function commitVersion(version: string, note: string): string {
  writeFileSync(path.join(work, 'package.json'), `${JSON.stringify({ name: 'x', version })}\n`);
  writeFileSync(path.join(work, 'NOTE'), note);
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', note);
  git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  return git(work, 'rev-parse', 'HEAD');
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'release-test-'));
  origin = path.join(tmp, 'origin.git');
  work = path.join(tmp, 'work');
  git(tmp, 'init', '--quiet', '--bare', origin);
  git(tmp, 'init', '--quiet', work);
  git(work, 'remote', 'add', 'origin', origin);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('release.mjs check', () => {
  beforeAll(() => commitVersion('0.1.0', 'first'));

  it.each([
    ['1.0.0', /package\.json says version 0\.1\.0, the release is 1\.0\.0/],
    ['0.1', /"0\.1" is not of the form X\.Y\.Z/],
    ['v0.1.0-rc.1', /is not of the form X\.Y\.Z/],
    ['00.1.0', /is not of the form X\.Y\.Z/],
  ])('refuses %s with exit 2', (version, message) => {
    const result = release('check', version);
    expect(result.status).toBe(2);
    expect(result.out).toMatch(message);
  });

  it.each(['0.1.0', 'v0.1.0'])('accepts %s and writes the tag names to GITHUB_OUTPUT', (version) => {
    const output = path.join(tmp, `output-${version}`);
    writeFileSync(output, '');
    const result = release('check', version);
    expect(result.status).toBe(0);
    const withOutput = run(work, process.execPath, [script, 'check', version], { GITHUB_OUTPUT: output });
    expect(withOutput.status).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe('tag=v0.1.0\nmajor=v0\nversion=0.1.0\n');
  });
});

describe('release.mjs tag', () => {
  it('tags X.Y.Z and moves the major tag on each release, and never moves a released version', () => {
    const first = git(work, 'rev-parse', 'HEAD');
    expect(release('tag', '0.1.0').status).toBe(0);
    expect(remoteTag('v0.1.0')).toBe(first);
    expect(remoteTag('v0')).toBe(first);

    const second = commitVersion('0.2.0', 'second');
    expect(release('tag', 'v0.2.0').status).toBe(0);
    expect(remoteTag('v0.2.0')).toBe(second);
    expect(remoteTag('v0')).toBe(second);
    expect(remoteTag('v0.1.0')).toBe(first);

    // A re-run on the same commit changes nothing and succeeds.
    expect(release('tag', '0.2.0').status).toBe(0);
    expect(remoteTag('v0.2.0')).toBe(second);

    // The same version on a later commit: refused, and no tag moves.
    commitVersion('0.2.0', 'third');
    const moved = release('tag', '0.2.0');
    expect(moved.status).toBe(2);
    expect(moved.out).toMatch(/tag v0\.2\.0 already names commit [0-9a-f]{40}, not HEAD/);
    expect(remoteTag('v0.2.0')).toBe(second);
    expect(remoteTag('v0')).toBe(second);

    // A new major version gets its own major tag; v0 stays on the last 0.y.z.
    const third = commitVersion('1.0.0', 'fourth');
    expect(release('tag', '1.0.0').status).toBe(0);
    expect(remoteTag('v1')).toBe(third);
    expect(remoteTag('v0')).toBe(second);
  }, 240_000); // a dozen git processes per step: slow on a loaded 2-core machine

  it('exits 1 naming git when the push fails', () => {
    git(work, 'remote', 'set-url', 'origin', path.join(tmp, 'no-such-remote.git'));
    const result = release('tag', '1.0.0');
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/release: git failed: .*no-such-remote/s);
    git(work, 'remote', 'set-url', 'origin', origin);
  });
});
