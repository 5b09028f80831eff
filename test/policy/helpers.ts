import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Lines 1-7 of a valid policy over DUMMY_FILES, so each test only writes what differs. */
export const POLICY_HEAD = `version: 1
model:
  path: model.onnx
data:
  members: { path: train.csv }
  non-members: { path: holdout.csv }
  label: digit
`;

/** The model and data files most test policies point at; the loader only checks they exist. */
export const DUMMY_FILES = ['model.onnx', 'train.csv', 'holdout.csv'];

/**
 * A fresh temporary folder holding `files` (name → text) plus empty dummy model/data files.
 * Returns the folder; the policy under test is conventionally `policy.yaml`.
 */
export function policyDir(files: Record<string, string>, dummies: string[] = DUMMY_FILES): string {
  const dir = mkdtempSync(join(tmpdir(), 'policy-test-'));
  for (const name of dummies) write(join(dir, name), '');
  for (const [name, text] of Object.entries(files)) write(join(dir, name), text);
  return dir;
}

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** 1-based line of the first line of `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" not found`);
  return index + 1;
}

/**
 * The gate reads only inside allowed roots (by default the working folder, i.e. this repo).
 * Tests that write their policies under the OS temp folder and point at the repo's examples
 * name both explicitly, as `--root` would; the product's default stays the working folder.
 */
export const TEST_ROOTS = { roots: [tmpdir(), process.cwd()] };
