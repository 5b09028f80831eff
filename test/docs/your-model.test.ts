// docs/your-model.md stays true: its `privacy-gate` commands run on the committed worked example
// with the exit codes and verdict the page states, its records-needed table is what the gate
// computes, and (where PyTorch is installed) its training command rebuilds a model that gets the
// same verdict.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../../src/cli';
import { recordsNeeded } from '../../src/gate/minimums';
import { sink } from '../helpers/sink';

const root = path.resolve(import.meta.dirname, '../..');
const guide = readFileSync(path.join(root, 'docs/your-model.md'), 'utf8');
const PYTHON = '/usr/bin/python3';

interface Command {
  line: string;
  args: string[];
  exit: number | undefined;
}

/** The lines of the page's ```sh blocks, each split into words with its `# exit N`. */
function shellCommands(): Command[] {
  const blocks = [...guide.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [command, comment = ''] = line.split('#');
      const exit = /exit (\d+)/.exec(comment)?.[1];
      return { line, args: command!.trim().split(/\s+/), exit: exit === undefined ? undefined : Number(exit) };
    });
}
const gateCommands = shellCommands().filter((c) => c.args[0] === 'npx' && c.args[1] === 'privacy-gate');
const trainCommands = shellCommands().filter((c) => c.args[0] === PYTHON);

/** Runs the CLI in-process as `npx privacy-gate ARGS` would from the repository root. */
async function gate(args: string[]) {
  const out = sink();
  const err = sink();
  const code = await cli(args, out.stream, err.stream);
  return { code, output: out.text() + err.text() };
}

/** `--out DIR` moved under a temporary folder, so the test writes nothing into the repository. */
function withTempOut(args: string[], dir: string): string[] {
  return args.map((arg, i) => (args[i - 1] === '--out' ? path.join(dir, arg) : arg));
}

const torchVersion = (() => {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx; print(torch.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
})();

describe('docs/your-model.md', () => {
  it('shows a validate and a run command, each with its exit code', () => {
    expect(gateCommands.map((c) => c.args[2])).toEqual(['validate', 'run']);
    for (const c of gateCommands) expect(c.exit, c.line).toBeDefined();
    expect(trainCommands).toHaveLength(1);
  });

  it.each(gateCommands.map((c) => [c.line, c] as const))('`%s` exits as the page says', async (_line, command) => {
    const out = mkdtempSync(path.join(tmpdir(), 'your-model-'));
    const result = await gate(withTempOut(command.args.slice(2), out));
    expect(result.code, result.output).toBe(command.exit);
    if (command.args[2] === 'run') {
      const outDir = withTempOut(command.args, out)[command.args.indexOf('--out') + 1]!;
      const report = JSON.parse(readFileSync(path.join(outDir, 'privacy-report.json'), 'utf8'));
      expect(report.verdict).toBe(/The verdict is `(\w+)`/.exec(guide)?.[1]);
    }
  });

  it('states the records-needed floors the gate computes', () => {
    const table = /<!-- records-needed[^>]*-->\n([\s\S]*?)<!-- \/records-needed -->/.exec(guide)![1]!;
    const rows = table.split('\n').filter((line) => /^\| `/.test(line));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const [metricCell, line, members, nonMembers] = row
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      const [, metric, fpr] = /^`([a-z-]+)`(?: \(FPR ([\d.]+)\))?$/.exec(metricCell!)!;
      const needed = recordsNeeded('membership', metric!, Number(line), 0.95, fpr === undefined ? undefined : Number(fpr));
      expect({ row, members: needed?.members, nonMembers: needed?.nonMembers }).toEqual({
        row,
        members: Number(members),
        nonMembers: Number(nonMembers),
      });
    }
  });

  // Visible as skipped where /usr/bin/python3 has no PyTorch (Debian: python3-torch python3-onnx).
  it.skipIf(torchVersion === undefined)(
    `the training command rebuilds a model with the same verdict (PyTorch ${torchVersion ?? 'absent: skipped'})`,
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'your-model-train-'));
      const [train] = trainCommands;
      const built = spawnSync(train!.args[0]!, [...train!.args.slice(1), '--out', dir], { cwd: root, encoding: 'utf8' });
      expect(built.status, built.stderr).toBe(0);
      expect(built.stdout).toMatch(/accuracy 1\.000 on members/);
      const committed = readFileSync(path.join(root, 'docs/your-model/model.onnx'));
      // Debian's PyTorch 1.13 wrote the committed file; others may differ in the last bits.
      if (torchVersion!.startsWith('1.13')) expect(readFileSync(path.join(dir, 'model.onnx')).equals(committed)).toBe(true);

      const data = path.join(root, 'examples/digits/data');
      const policy = readFileSync(path.join(root, 'docs/your-model/policy.yml'), 'utf8').replaceAll('../../examples/digits/data', data);
      writeFileSync(path.join(dir, 'policy.yml'), policy);
      const run = gateCommands.find((c) => c.args[2] === 'run')!;
      const result = await gate([
        'run',
        '--policy',
        path.join(dir, 'policy.yml'),
        '--out',
        path.join(dir, 'out'),
        '--root',
        dir,
        '--root',
        root,
      ]);
      expect(result.code, result.output).toBe(run.exit);
    },
    300_000,
  );
});
