/**
 * Where the shipped presets live, and how `extends` chains are followed.
 *
 * The presets are plain YAML files in `policies/`. The bundle step copies them (and the schema)
 * to `dist/policies/`, because the action may run from a checkout holding only action.yml and
 * dist/. `presetDirectory()` looks, in order, at `$PRIVACY_GATE_POLICIES_DIR`, then at
 * `policies/` in this module's folder and in its two parents; it accepts the first folder that
 * holds `standard.yaml`. That covers the ESM sources (src/policy/ → ../../policies) and an esbuild
 * CJS bundle (dist/index.js → dist/policies).
 */
import { cutUserText, quoteUserText } from '../util/user-text';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PolicyError } from '../errors';
import { moduleDirectory } from '../util/module-dir';
import { pathProblem, type AllowedRoots } from '../util/paths';
import { closestMatch } from './suggest';
import { errorAt, readPolicySource, type PolicySource, type PolicyTexts } from './source';

/** Environment variable that points the gate at another folder of presets. */
export const POLICIES_DIR_ENV = 'PRIVACY_GATE_POLICIES_DIR';

/** Longest `extends` chain followed before giving up (a cycle is reported before this). */
const MAX_EXTENDS_DEPTH = 16;

/** The folder that holds the shipped presets, or undefined when none can be found. */
export function presetDirectory(): string | undefined {
  const override = process.env[POLICIES_DIR_ENV];
  if (override) return resolve(override);
  const here = moduleDirectory();
  if (!here) return undefined;
  for (const candidate of [join(here, 'policies'), join(here, '..', 'policies'), join(here, '..', '..', 'policies')]) {
    if (existsSync(join(candidate, 'standard.yaml'))) return resolve(candidate);
  }
  return undefined;
}

/** Names of the presets available to `extends` (e.g. standard, strict). */
export function presetNames(): string[] {
  const dir = presetDirectory();
  if (!dir || !existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** Absolute path of a preset, or undefined. */
export function presetFile(name: string): string | undefined {
  const dir = presetDirectory();
  if (!dir) return undefined;
  const file = join(dir, `${name}.yaml`);
  return existsSync(file) ? file : undefined;
}

/** A bare name such as `standard` is a preset; anything with a slash or an extension is a path. */
function isPresetName(value: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(value);
}

function canonical(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** Said after an `extends` error: what the rest of the policy was checked against instead. */
export const UNEXTENDED =
  ' (the rest of the policy is checked without it: against the schema with no required keys, so only what is written here is checked)';

/**
 * Reads a policy and everything it extends. Returns the files outermost first (the policy file
 * last), and the errors that stopped the chain: with an error, the files read up to it (the
 * policy file alone when its own `extends` is wrong), so the rest can still be checked.
 * `texts` serves the files from elsewhere (the base commit); paths and roots are judged as for
 * the files on the disk.
 */
export function readExtendsChain(
  file: string,
  roots: AllowedRoots,
  texts?: PolicyTexts,
): { layers: PolicySource[]; errors: PolicyError[] } {
  const outside = pathProblem(file, roots);
  if (outside) return { layers: [], errors: [new PolicyError(`policy file ${outside}`, { file })] };
  const first = readPolicySource(file, undefined, texts);
  if (!first.source) return { layers: [], errors: first.errors };
  const chain: PolicySource[] = [first.source];
  const seen = [canonical(file)];
  for (;;) {
    const current = chain[chain.length - 1]!;
    const data = current.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data) || !('extends' in data)) break;
    const value = (data as Record<string, unknown>)['extends'];
    // The files read so far still go back: the rest of each is checked without what it extends.
    const fail = (message: string) => ({
      layers: [...chain].reverse(),
      errors: [errorAt(current, ['extends'], 'value', `${message}${UNEXTENDED}`)],
    });
    const presets = presetNames();
    const expected = `a preset name (${presets.join(', ') || 'none found'}) or a path, relative to this file, to another policy file`;
    if (typeof value !== 'string' || value.trim() === '') {
      return fail(`expected ${expected} for extends, found ${value === null ? 'an empty value' : cutUserText(JSON.stringify(value))}`);
    }
    let target: string;
    if (isPresetName(value)) {
      const dir = presetDirectory();
      if (!dir) {
        return fail(
          `cannot find the folder of presets to resolve extends ${quoteUserText(value)}; set ${POLICIES_DIR_ENV} to the folder that holds standard.yaml`,
        );
      }
      const found = presetFile(value);
      if (!found) {
        const suggestion = closestMatch(value, presets);
        return fail(
          `unknown preset ${quoteUserText(value)} for extends; expected ${expected}` +
            (suggestion ? `; did you mean "${suggestion}"?` : ''),
        );
      }
      target = found;
    } else {
      target = isAbsolute(value) ? value : resolve(dirname(current.file), value);
      // Presets are the gate's own files; a path comes from the (hostile) policy.
      const outside = pathProblem(target, roots);
      if (outside) return fail(`extends ${quoteUserText(value)}: ${outside}`);
      const given = texts?.text(target);
      if (given === null || (given === undefined && !existsSync(target))) {
        return fail(`extends ${quoteUserText(value)}: file not found: ${target}`);
      }
    }
    const key = canonical(target);
    if (seen.includes(key)) {
      const names = [...chain.map((s) => s.file), target].map((f) => displayName(f, file));
      return fail(`extends cycle: ${names.join(' -> ')}`);
    }
    if (chain.length >= MAX_EXTENDS_DEPTH) {
      return fail(`extends chain is longer than ${MAX_EXTENDS_DEPTH} files`);
    }
    const next = readPolicySource(target, { source: current, path: ['extends'] }, texts);
    if (!next.source) return { layers: [...chain].reverse(), errors: next.errors };
    chain.push(next.source);
    seen.push(key);
  }
  return { layers: chain.reverse(), errors: [] };
}

/** A short name for messages: relative to the policy's folder when that is shorter. */
export function displayName(file: string, relativeTo: string): string {
  const rel = relative(dirname(relativeTo), file);
  return rel && rel.length < file.length ? rel : file;
}
