import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readImportGraph } from './import-graph';
import { type Allowances, checkLayering, LAYERS, PACKAGE_OWNERS } from './layers';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Breaches that today's code has and that issue 9 removes. Each entry fails the test once its
 * breach is gone, so the list empties itself as the fixes land: never add to it to make a new
 * breach pass.
 */
/**
 * Breaches tolerated for now, each with why and when it goes; each entry fails once its breach is
 * gone, so the list empties itself. Empty since the issue 9 restructuring landed.
 */
const KNOWN: Allowances = { cycles: [], upward: [] };

describe('the layers of src/', () => {
  const findings = checkLayering(readImportGraph(ROOT), { layers: LAYERS, packages: PACKAGE_OWNERS, allow: KNOWN });

  it('has no import cycle, no upward import and no file outside a layer', () => {
    expect(findings.problems).toEqual([]);
  });

  it('tolerates nothing it does not list', () => {
    expect(findings.tolerated).toEqual([...KNOWN.cycles, ...KNOWN.upward]);
  });
});

describe('the layer check on a small tree', () => {
  const made: string[] = [];
  afterAll(() => made.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  /** Writes the files into a new temporary folder and checks it with today's layers. */
  function check(files: Record<string, string>, allow: Allowances = { cycles: [], upward: [] }): string[] {
    const root = mkdtempSync(join(tmpdir(), 'layers-'));
    made.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return checkLayering(readImportGraph(root), { layers: LAYERS, packages: PACKAGE_OWNERS, allow }).problems;
  }

  it.each<{ name: string; files: Record<string, string>; expected: (string | RegExp)[] }>([
    {
      name: 'a lower layer importing a higher one (metrics -> probes)',
      files: { 'src/metrics/auc.ts': "import { x } from '../probes/membership';", 'src/probes/membership.ts': 'export const x = 1;' },
      expected: [/^src\/metrics\/auc\.ts:1 imports src\/probes\/membership\.ts: layer 'metrics' is below 'probes'/],
    },
    {
      name: 'a type-only upward import (policy -> report)',
      files: { 'src/policy/types.ts': "\n\nimport type { R } from '../report/json';", 'src/report/json.ts': 'export type R = 1;' },
      expected: [/^src\/policy\/types\.ts:3 imports src\/report\/json\.ts/],
    },
    {
      name: 'an upward re-export and a dynamic import (data -> run, publish)',
      files: {
        'src/data/index.ts': "export * from '../run/gate';\nexport const f = () => import('../publish/files.js');",
        'src/run/gate.ts': 'export const g = 1;',
        'src/publish/files.ts': 'export const h = 1;',
      },
      expected: [/^src\/data\/index\.ts:1 imports src\/run\/gate\.ts/, /^src\/data\/index\.ts:2 imports src\/publish\/files\.ts/],
    },
    {
      name: 'a cycle of two files',
      files: {
        'src/policy/a.ts': "import { b } from './b';\nexport const a = 1;",
        'src/policy/b.ts': "import { a } from './a';\nexport const b = 1;",
      },
      expected: ['import cycle: src/policy/a.ts -> src/policy/b.ts -> src/policy/a.ts'],
    },
    {
      name: 'a cycle of three files across folders, through an index',
      files: {
        'src/util/x.ts': "import { y } from '../util/y';",
        'src/util/y.ts': "import { z } from './z/index.js';",
        'src/util/z/index.ts': "import type { X } from '../x';",
      },
      expected: ['import cycle: src/util/x.ts -> src/util/y.ts -> src/util/z/index.ts -> src/util/x.ts'],
    },
    {
      name: 'two loops that share a file, as one cycle',
      files: {
        'src/policy/checks.ts': "import { s } from './checks-sequence';\nimport { p } from './paths';",
        'src/policy/checks-sequence.ts': "import { c } from './checks';",
        'src/policy/paths.ts': "import { c } from './checks';",
      },
      expected: [
        'import cycle: src/policy/checks-sequence.ts -> src/policy/checks.ts -> src/policy/checks-sequence.ts (and through src/policy/paths.ts)',
      ],
    },
    {
      name: 'a file that imports itself',
      files: { 'src/gate/self.ts': "import './self';" },
      expected: ['import cycle: src/gate/self.ts -> src/gate/self.ts'],
    },
    {
      name: 'a folder in no layer',
      files: { 'src/contract/result.ts': 'export type R = 1;' },
      expected: [/^src\/contract\/result\.ts is in no layer: add 'contract' to LAYERS/],
    },
    {
      name: 'onnxruntime outside model/ and GitHub outside github/ (even as a type)',
      files: {
        'src/probes/run.ts': "type Ort = typeof import('onnxruntime-node');",
        'src/report/post.ts': "import { getOctokit } from '@actions/github';",
      },
      expected: [
        "src/probes/run.ts:1 imports 'onnxruntime-node': only model may",
        "src/report/post.ts:1 imports '@actions/github': only github, main.ts, action-top.ts, action-main.ts may",
      ],
    },
    {
      name: 'downward imports, same-layer imports, JSON and packages that anyone may use',
      files: {
        'src/cli.ts': "import { r } from './run/gate';\nimport pkg from '../package.json';\nimport YAML from 'yaml';",
        'src/run/gate.ts': "import { p } from '../probes/m';\nimport { readFileSync } from 'node:fs';\nexport const r = 1;",
        'src/probes/m.ts': "import { a } from '../metrics/auc';\nimport { d } from '../data/load';\nexport const p = 1;",
        'src/metrics/auc.ts': "import { d } from '../data/load';\nexport const a = 1;",
        'src/data/load.ts': "import { InputError } from '../errors';\nexport const d = 1;",
        'src/errors.ts': "import { u } from './util/text';",
        'src/util/text.ts': 'export const u = 1;',
        'package.json': '{}',
      },
      expected: [],
    },
  ])('finds $name', ({ files, expected }) => {
    const problems = check(files);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((pattern, index) => {
      if (typeof pattern === 'string') expect(problems[index]).toBe(pattern);
      else expect(problems[index]).toMatch(pattern);
    });
  });

  it('tolerates a known breach and fails once it is gone', () => {
    const files = {
      'src/policy/a.ts': "import { b } from './b';",
      'src/policy/b.ts': "import { a } from './a';\nimport { m } from '../model/m';",
      'src/model/m.ts': 'export const m = 1;',
    };
    const allow: Allowances = {
      cycles: [{ key: 'src/policy/a.ts src/policy/b.ts', why: 'split lands' }],
      upward: [{ key: 'src/policy/b.ts -> src/model/m.ts', why: 'move lands' }],
    };
    expect(check(files, allow)).toEqual([]);
    const healed = { ...files, 'src/policy/b.ts': 'export const b = 1;' };
    expect(check(healed, allow)).toEqual([
      'the known upward import src/policy/b.ts -> src/model/m.ts is gone: remove it from the allowances (move lands)',
      'the known cycle of src/policy/a.ts src/policy/b.ts is gone or changed: remove it from the allowances (split lands)',
    ]);
  });

  it('names an import that resolves to no file', () => {
    expect(() => check({ 'src/util/a.ts': "import { b } from './missing';" })).toThrow("src/util/a.ts:1: cannot resolve './missing'");
  });
});
