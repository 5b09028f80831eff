/**
 * Records in both the members and the non-members: exit 2 with the count and the first line in
 * each file, or with data.allow-overlap a warning in the report. Run end to end on the digits
 * example (before: the same file for both sets passed with AUC 0.499).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { findOverlap } from '../../src/data/overlap';
import type { Dataset } from '../../src/data';

const ROOT = process.cwd();
const DATA = path.join(ROOT, 'examples/digits/data');
const members = readFileSync(path.join(DATA, 'members.csv'), 'utf8').trimEnd().split('\n');
const nonMembers = readFileSync(path.join(DATA, 'non-members.csv'), 'utf8').trimEnd().split('\n');

async function gate(files: { members: string; nonMembers: string }, extra = '') {
  const dir = mkdtempSync(path.join(tmpdir(), 'overlap-'));
  writeFileSync(path.join(dir, 'm.csv'), files.members);
  writeFileSync(path.join(dir, 'n.csv'), files.nonMembers);
  writeFileSync(
    path.join(dir, 'policy.yml'),
    `version: 1\nmodel: { path: ${JSON.stringify(path.join(ROOT, 'examples/digits/hardened.onnx'))} }\ndata:\n  members: { path: m.csv }\n  non-members: { path: n.csv }\n  label: digit\n${extra}probes:\n  membership:\n    attacks: [loss]\n    thresholds: { auc: { fail: 0.99 } }\n`,
  );
  let stderr = '';
  const err = new Writable({ write: (chunk, _enc, done) => ((stderr += chunk), done()) });
  const out = new Writable({ write: (_c, _e, done) => done() });
  const outDir = path.join(dir, 'report');
  const code = await cli(['run', '--policy', path.join(dir, 'policy.yml'), '--out', outDir, '--root', dir, '--root', ROOT], out, err);
  return { code, stderr, report: JSON.parse(readFileSync(path.join(outDir, 'privacy-report.json'), 'utf8')), dir };
}

const csv = (lines: string[]) => lines.join('\n') + '\n';

describe('members and non-members that overlap', { timeout: 60_000 }, () => {
  it('the same file for both sets is exit 2 with the count and the first line of each', async () => {
    const { code, stderr, report, dir } = await gate({ members: csv(members), nonMembers: csv(members) });
    const n = members.length - 1;
    expect(code).toBe(2);
    const [m, nn] = ['m.csv', 'n.csv'].map((f) => path.join(dir, f));
    const shown = (f: string) => path.relative(ROOT, f);
    expect(stderr).toBe(
      `privacy-gate: ${nn}:2 (data.non-members): ${n} of the ${n} non-member records used are also among the members (same features and label; first: line 2 of ${shown(nn!)} is line 2 of ${shown(m!)}); a record cannot be both, so the two sets are probably the same file or were split wrongly, and every attack would read "no leak". Remove the repeated records, or set data.allow-overlap: true if they are genuine duplicates (the gate then warns)\n`,
    );
    expect(report.error).toMatchObject({ exitCode: 2, line: 2, field: 'data.non-members' });
  });

  it('a few duplicated rows: the count, and the lines where the first one is in each file', async () => {
    // Member lines 11, 21 and 31 appended to the non-members (whose file then has them at the end).
    const copied = [members[10]!, members[20]!, members[30]!];
    const { code, report } = await gate({ members: csv(members), nonMembers: csv([...nonMembers, ...copied]) });
    expect(code).toBe(2);
    expect(report.error.message).toMatch(
      new RegExp(
        `n\\.csv:${nonMembers.length + 1} \\(data\\.non-members\\): 3 of the ${nonMembers.length - 1 + 3} non-member records used are also among the members \\(same features and label; first: line ${nonMembers.length + 1} of .*n\\.csv is line 11 of .*m\\.csv\\)`,
      ),
    );
  });

  it('data.allow-overlap: true runs the gate and reports the count as a warning', async () => {
    const copied = [members[10]!, members[20]!];
    const { code, report, stderr } = await gate(
      { members: csv(members), nonMembers: csv([...nonMembers, ...copied]) },
      '  allow-overlap: true\n',
    );
    expect(code).toBe(0);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^2 of the \d+ non-member records used are also among the members .*; allowed by data\.allow-overlap/),
    ]);
    expect(stderr).toMatch(/^privacy-gate: warning: 2 of the \d+ non-member records used are also among the members .*$/m);
  });
});

describe('findOverlap', () => {
  const data = (x: number[], labels: string[]): Dataset => ({
    role: 'r',
    file: 'f',
    features: ['a', 'b'],
    x: Float32Array.from(x),
    labels,
    rows: labels.length,
    rowsInFile: labels.length,
  });
  it.each([
    { name: 'same features, same label', a: data([1, 2], ['x']), b: data([1, 2], ['x']), count: 1 },
    { name: 'same features, other label', a: data([1, 2], ['x']), b: data([1, 2], ['y']), count: 0 },
    { name: '-0 and 0 are one input', a: data([-0, 2], ['x']), b: data([0, 2], ['x']), count: 1 },
    { name: 'features are not shifted across rows', a: data([1, 2, 3, 4], ['x', 'x']), b: data([2, 3], ['x']), count: 0 },
    { name: 'every repeat counts', a: data([1, 2], ['x']), b: data([1, 2, 1, 2, 5, 5], ['x', 'x', 'x']), count: 2 },
  ])('$name', ({ a, b, count }) => {
    expect(findOverlap(a, b).count).toBe(count);
    // Every row hashing alike: the value-by-value check alone must give the same answer.
    expect(findOverlap(a, b, () => 7).count).toBe(count);
  });

  it('confirms hash matches value by value, and names the first member row holding the record', () => {
    const a = data([1, 2, 3, 4, 3, 4, 5, 6], ['x', 'x', 'x', 'x']);
    const b = data([9, 9, 5, 6, 3, 4], ['x', 'x', 'x']);
    expect(findOverlap(a, b, () => 7)).toEqual({ count: 2, first: { member: 3, nonMember: 1 } });
    expect(findOverlap(a, b)).toEqual({ count: 2, first: { member: 3, nonMember: 1 } });
  });
});
