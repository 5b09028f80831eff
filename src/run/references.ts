/**
 * The membership probe's reference models (LiRA, RMIA): the memberships file read against the
 * whole data files, every file's SHA-256 in the audit record, and a handle that opens one
 * reference model at a time behind the candidate's own output surface (so a top-k or rounded
 * surface applies to the references too). Mistakes in the memberships file, or records the
 * attacks cannot score, are errors at the policy line of `reference-models.memberships`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sha256File } from '../data';
import { parseMemberships } from '../data/memberships';
import { checkCoverage, type ReferenceAttackName } from '../data/memberships-coverage';
import { InputError, PolicyError } from '../errors';
import { ObservedModel } from '../model/surface';
import type { Classifier } from '../model/types';
import type { Policy, ReferenceModelSettings } from '../policy/types';
import type { LabelledData, ReferenceModels } from '../probes/types';
import type { GateReport } from '../result';
import { ONNX_MODELS, type ModelOpener } from './models';
import { modelDigest } from './model-digest';

const FIELD = 'probes.membership.reference-models.memberships';

export interface ReferenceTools {
  report: GateReport;
  relative: (p: string) => string;
  candidate: Classifier;
  /** How each reference model is opened (default: onnxruntime). */
  models?: ModelOpener;
}

/** Undefined when the policy runs no reference attack. Counts the references' queries in `queries()`. */
export function openReferences(
  policy: Policy,
  members: LabelledData,
  nonMembers: LabelledData,
  { report, relative, candidate, models = ONNX_MODELS }: ReferenceTools,
): { references: ReferenceModels; queries: () => number } | undefined {
  const settings = policy.probes.membership;
  const refs = settings?.referenceModels;
  const attacks = settings?.attacks.filter((a): a is ReferenceAttackName => a === 'lira' || a === 'lira-offline' || a === 'rmia') ?? [];
  if (!refs || attacks.length === 0) return undefined;
  const at = (message: string) => new PolicyError(message, { ...refs.membershipsSource, field: FIELD });

  const names = refs.models.map((m) => basename(m));
  const memberships = readMemberships(refs, names, members.rowsInFile, nonMembers.rowsInFile, at);
  const audited = auditedRecords(members, nonMembers, members.rowsInFile);
  const problems = checkCoverage(memberships, attacks, {
    audited,
    members: members.rowsInFile,
    recipeLevel: settings.recipeLevel === true,
  });
  if (problems.length > 0) {
    throw at(
      `${relative(refs.memberships)} does not give every audited record the reference models the attacks need: ${problems.map((p) => p.message).join('; ')}`,
    );
  }
  report.inputs.references = {
    models: refs.models.map((m) => modelDigest(m, relative)),
    memberships: { path: relative(refs.memberships), sha256: sha256File(refs.memberships) },
  };

  let queries = 0;
  const references: ReferenceModels = {
    names,
    memberships,
    membersInFile: members.rowsInFile,
    query: async (k, x, rows, source) => {
      const file = refs.models[k]!;
      // Same input/output names and score reading as the candidate; only the file differs.
      const model = await models.classifier({ ...policy.model, path: file }, { kind: 'reference', index: k });
      checkSameShape(model, candidate, relative(file));
      const observation = await new ObservedModel(model, policy.surface).query(x, rows, source);
      queries += model.queries;
      return observation;
    },
  };
  return { references, queries: () => queries };
}

function readMemberships(
  refs: ReferenceModelSettings,
  names: string[],
  members: number,
  nonMembers: number,
  at: (message: string) => PolicyError,
) {
  try {
    return parseMemberships(readFileSync(refs.memberships), refs.memberships, { models: names, members, nonMembers }).matrix;
  } catch (error) {
    // The reader names the file, line and column; the policy line says which setting named it.
    if (error instanceof InputError) throw at(`memberships file: ${error.describe()}`);
    throw error;
  }
}

/** Each audited record's column in the memberships matrix: members' file rows, then non-members' after the whole members file. */
export function auditedRecords(members: LabelledData, nonMembers: LabelledData, membersInFile: number): Uint32Array {
  const out = new Uint32Array(members.rows + nonMembers.rows);
  for (let i = 0; i < members.rows; i++) out[i] = members.origin?.fileRows[i] ?? i;
  for (let j = 0; j < nonMembers.rows; j++) out[members.rows + j] = membersInFile + (nonMembers.origin?.fileRows[j] ?? j);
  return out;
}

function checkSameShape(model: Classifier, candidate: Classifier, file: string): void {
  const a = model.info;
  const b = candidate.info;
  const problems: string[] = [];
  if (a.featureCount !== b.featureCount) problems.push(`${a.featureCount} input features, the candidate ${b.featureCount}`);
  if (a.classLabels.join('\u0000') !== b.classLabels.join('\u0000'))
    problems.push(`classes [${a.classLabels.slice(0, 10).join(', ')}], the candidate [${b.classLabels.slice(0, 10).join(', ')}]`);
  if (problems.length > 0) {
    throw new InputError(`reference model ${file} is not shaped like the candidate: ${problems.join('; ')}`, {
      file,
      field: 'probes.membership.reference-models.models',
    });
  }
}
