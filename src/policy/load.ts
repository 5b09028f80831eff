/**
 * `policyLoader(families).loadPolicy(file)`: the one entry point from a policy file to the typed
 * `Policy`. The probe families (their checks and settings builders) are handed in by the
 * composition root, src/run/policy.ts: this layer knows the policy format, not the probes.
 *
 * Steps: read and parse every file of the `extends` chain with source positions → deep-merge →
 * check each preset/base on its own against the schema without `required` (so a broken shared
 * base is reported even where a policy overrides the broken value) → check the merged document
 * against the full schema → checks the schema cannot express (threshold order, files that must
 * exist, surface/attack combinations) → build the typed Policy with defaults and absolute paths.
 */
import { resolve } from 'node:path';
import { PolicyError, RuntimeFailure, type SourceLocation } from '../errors';
import { allowedRoots, defaultRoots, type AllowedRoots } from '../util/paths';
import { buildPolicy } from './build';
import { semanticChecks } from './checks';
import type { PolicyFamily } from './family';
import { mergeLayers, type MergedPolicy } from './merge';
import { readExtendsChain } from './presets';
import { schemaErrors } from './schema';
import { positionOf, type PolicyTexts } from './source';
import type { Policy, PolicyWarning } from './types';

/** Everything wrong with a policy: errors stop the gate (exit 2), warnings do not. */
export interface PolicyCheck {
  /** Sorted: the policy file's own errors first, then those of what it extends; by position. */
  errors: PolicyError[];
  /** Settings the gate ignores, sorted the same way. */
  warnings: PolicyWarning[];
}

interface Analysis extends PolicyCheck {
  merged?: MergedPolicy;
}

/** A policy's problems, and the merged document they were found in (absent when no file could be read). */
export interface PolicyInspection extends Analysis {
  /** True when the extends chain broke: `merged` then lacks what the broken `extends` named. */
  partial: boolean;
}

/** Where the policy's files may come from. */
export interface PolicyOptions {
  /**
   * Folders the policy, what it extends (presets aside) and every file it names must resolve
   * into. Default: the working folder and RUNNER_TEMP (src/util/paths.ts).
   */
  roots?: AllowedRoots;
  /** The policy's texts from elsewhere than the disk (the base commit); files it names are still those on the disk. */
  texts?: PolicyTexts;
}

/** A policy as written and merged, checked against the schema only (src/policy/diff.ts compares two). */
export interface PolicyDocument {
  /** Absent when an error stopped the reading (YAML, extends) before a merge. */
  merged?: MergedPolicy;
  /** YAML, extends and schema errors, sorted as PolicyCheck's. */
  errors: PolicyError[];
}

function analyse(file: string, options: PolicyOptions, families: readonly PolicyFamily[] | undefined): PolicyInspection {
  const absolute = resolve(file);
  const roots = options.roots ? allowedRoots(options.roots) : defaultRoots();
  const chain = readExtendsChain(absolute, roots, options.texts);
  if (chain.layers.length === 0) return { errors: sortByPosition(chain.errors, [absolute]), warnings: [], partial: true };
  // A broken extends chain leaves the policy without (part of) what it extends: the rest is then
  // checked against the relaxed schema (no required keys), so every other mistake still shows.
  const partial = chain.errors.length > 0;
  const { merged, errors } = mergeLayers(chain.layers);
  errors.push(...chain.errors);
  let warnings: PolicyWarning[] = [];
  if (errors.length === chain.errors.length) {
    // Presets and bases: partial policies, checked for unknown keys, types and ranges only.
    for (const layer of chain.layers.slice(0, -1)) {
      if (layer.data === null) continue;
      errors.push(...schemaErrors(layer.data, (path, part) => ({ source: layer, ...positionOf(layer, path, part) }), true));
    }
    errors.push(...schemaErrors(merged.data, (path, part) => merged.locate(path, part), partial));
    // Without families: the document only (the checks look at the files in the checkout).
    if (families) {
      const checks = semanticChecks(merged, roots, families);
      errors.push(...checks.errors);
      warnings = checks.warnings;
    }
  }
  const order = [...chain.layers].reverse().map((l) => l.file);
  return {
    errors: sortByPosition(dedupe(errors), order),
    warnings: sortByPosition(warnings, order),
    merged,
    partial,
  };
}

/**
 * Reads, merges and checks a policy against the schema, without the checks that look at the
 * files it names: the base commit's policy is compared even when the pull request moved them.
 */
export function readPolicyDocument(file: string, options: PolicyOptions = {}): PolicyDocument {
  const { errors, merged } = analyse(file, options, undefined);
  return errors.length > 0 ? { errors } : { merged, errors };
}

function dedupe(errors: PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = e.describe();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The policy file's own errors first, then those of what it extends; by line and column. */
export function sortByPosition<T extends { location?: SourceLocation }>(errors: T[], fileOrder: string[]): T[] {
  const rank = (e: T) => {
    const i = fileOrder.indexOf(e.location?.file ?? '');
    return i < 0 ? fileOrder.length : i;
  };
  return [...errors].sort(
    (a, b) =>
      rank(a) - rank(b) || (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0),
  );
}

/** What reads policies, for the given probe families. */
export interface PolicyLoader {
  /**
   * Every mistake in a policy (and what it extends), sorted by file and position; empty when the
   * policy is valid. For `privacy-gate validate`, which prints them all.
   */
  validatePolicy: (file: string, options?: PolicyOptions) => PolicyError[];
  /** Errors and warnings of a policy, for a `validate` command that shows both. */
  checkPolicy: (file: string, options?: PolicyOptions) => PolicyCheck;
  /** `checkPolicy` plus the merged document, for checks against the model and data files it names. */
  inspectPolicy: (file: string, options?: PolicyOptions) => PolicyInspection;
  /**
   * Reads, merges, validates and types a policy. Throws the first PolicyError (by position) when
   * the policy has any mistake; `validatePolicy` lists them all.
   */
  loadPolicy: (file: string, options?: PolicyOptions) => Policy;
}

export function policyLoader(families: readonly PolicyFamily[]): PolicyLoader {
  return {
    validatePolicy: (file, options = {}) => analyse(file, options, families).errors,
    checkPolicy: (file, options = {}) => {
      const { errors, warnings } = analyse(file, options, families);
      return { errors, warnings };
    },
    inspectPolicy: (file, options = {}) => analyse(file, options, families),
    loadPolicy: (file, options = {}) => {
      const { errors, warnings, merged } = analyse(file, options, families);
      // analyse() gives no merged policy only with an error; never throw undefined if that changes.
      if (errors.length > 0 || !merged)
        throw errors[0] ?? new RuntimeFailure(`${file}: the policy could not be read, and no error says why`);
      return { ...buildPolicy(merged, families), warnings };
    },
  };
}
