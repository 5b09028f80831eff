// What a user copies from the docs must work outside this repository: one action name in every
// `uses:`, the repository package.json publishes under that name, and CLI commands written as the
// installed package runs them (`privacy-gate …` / `npx privacy-gate …`), never through this
// repository's sources or one machine's paths.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ACTION = 'model-privacy-gate/model-privacy-gate';
const USES = [`${ACTION}@v0`, './.github/actions/privacy-gate'];

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => path.join(dir, file))
    .filter(keep);
}
const docs = [
  'README.md',
  'RELEASING.md',
  ...filesUnder('docs', (f) => f.endsWith('.md')),
  ...filesUnder('examples', (f) => f.endsWith('.md')),
];
const workflows = filesUnder('examples/workflows', (f) => /\.ya?ml$/.test(f) && !f.endsWith('.policy.yml'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** Every `uses:` value in a workflow file or in a Markdown file's yaml blocks. */
function usesIn(text: string): string[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)/gm)].map((m) => m[1]!);
}

describe('the action name users put in uses:', () => {
  it.each([...workflows, ...docs])('%s names the gate only as README says', (file) => {
    const gate = usesIn(readFileSync(file, 'utf8')).filter((uses) => uses.includes('privacy-gate'));
    for (const uses of gate) expect(USES).toContain(uses);
  });

  it('every example workflow uses the gate', () => {
    expect(workflows.length).toBeGreaterThan(0);
    for (const file of workflows) {
      expect(usesIn(readFileSync(file, 'utf8')), file).toContain(`${ACTION}@v0`);
    }
  });

  it('README says in one place which name goes in uses:, and how to vendor the action', () => {
    const readme = readFileSync('README.md', 'utf8');
    const install = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## ', readme.indexOf('\n## Install\n') + 1));
    expect(install).toContain(`\`${ACTION}@v0\``);
    expect(install).toContain('`./.github/actions/privacy-gate`');
    expect(install).toMatch(/copy\s+`action\.yml`\s+and\s+`dist\/`/);
    expect(install).toContain('RELEASING.md');
  });

  it('package.json publishes from the repository the action name points at', () => {
    expect(pkg.repository?.url).toBe(`git+https://github.com/${ACTION}.git`);
  });

  it('the release workflow triggers on the tags scripts/release.mjs accepts and runs the whole CI', () => {
    const release = parse(readFileSync('.github/workflows/release.yml', 'utf8'));
    expect(release.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
    const runs = Object.values(release.jobs as Record<string, { steps: { run?: string }[] }>)
      .flatMap((job) => job.steps)
      .map((step) => step.run ?? '');
    expect(runs.some((run) => run.includes('node scripts/release.mjs check'))).toBe(true);
    expect(runs).toContain('bash .ci/run');
    expect(runs.some((run) => run.includes('node scripts/release.mjs tag'))).toBe(true);
  });
});

describe('CLI commands in the docs', () => {
  it.each(docs)('%s runs the CLI as the installed package does', (file) => {
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/src\/cli-main\.ts|src\/cli\.ts|node dist\/cli\.js/);
    expect(text).not.toMatch(/\/work\/|\/home\/|\.\.\/shared\//);
    // Every `privacy-gate <command>` names a command the CLI has.
    for (const [, command] of text.matchAll(/(?:^|[\s`(])privacy-gate ([a-z-]+)/gm)) {
      expect(['run', 'validate', 'merge', 'help', '-']).toContain(command!.startsWith('-') ? '-' : command);
    }
  });

  it('package.json installs the CLI as privacy-gate with no runtime dependency', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ 'privacy-gate': 'dist/cli.js' });
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', 'action.yml', 'LICENSE']));
    expect(readFileSync('dist/cli.js', 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});
