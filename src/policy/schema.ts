/**
 * Validation against policies/policy.schema.json (JSON Schema draft-07, ajv), with ajv's errors
 * turned into messages that say what was expected, at the line and column of the YAML node.
 */
import { quoteUserText } from '../util/user-text';
import { redact } from '../text/redact';
import type { ErrorObject, ValidateFunction } from 'ajv';
// Precompiled (schema-code.ts): compiling both schemas at start-up cost 0.3–0.4 s.
import * as validators from './validators.generated.cjs';
import { PolicyError } from '../errors';
import { isRequiredOnly } from './schema-json';
import { closestMatch } from './suggest';
import { fieldName, whereName, type PolicyPath, type PolicySource, type Position } from './source';

/** Finds where a path is written: the file and position, for error locations. */
export type Locator = (path: PolicyPath, part: 'key' | 'value') => { source: PolicySource } & Position;

/**
 * Validates `data` against the schema (or its relaxed form for presets) and returns one
 * PolicyError per problem, located with `locate`.
 */
export function schemaErrors(data: unknown, locate: Locator, relaxed = false): PolicyError[] {
  const validate: ValidateFunction = relaxed ? validators.relaxed : validators.full;
  if (validate(data)) return [];
  const raw = validate.errors ?? [];
  // A required-only anyOf ("warn or fail") is reported once, not as one error per branch.
  const anyOfPaths = raw
    .filter((e) => e.keyword === 'anyOf' && Array.isArray(e.schema) && e.schema.every(isRequiredOnly))
    .map((e) => e.schemaPath + '/');
  // A misspelt key ("treshold") also leaves the key it was meant to be missing; the unknown-key
  // message already names it ("did you mean thresholds?"), so the missing-key error is dropped.
  const misspelt = new Set(
    raw
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => {
        const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
        const guess = closestMatch(String(e.params['additionalProperty']), allowed);
        return guess === undefined ? '' : `${e.instancePath}/${guess}`;
      }),
  );
  const errors: PolicyError[] = [];
  for (const error of raw) {
    if (anyOfPaths.some((p) => error.schemaPath.startsWith(p))) continue;
    if (error.keyword === 'required' && misspelt.has(`${error.instancePath}/${String(error.params['missingProperty'])}`)) {
      continue;
    }
    const translated = translate(error, data, locate);
    if (translated) errors.push(translated);
  }
  return errors;
}

/** "/probes/membership/attacks/0" → ["probes", "membership", "attacks", 0] */
function instancePath(pointer: string, root: unknown): PolicyPath {
  if (pointer === '') return [];
  const path: PolicyPath = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(segment));
      node = node[Number(segment)];
    } else {
      path.push(segment);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'an empty value',
};

/** How a value found in the file reads in a message: `a string ("high")`, `a list`. */
export function describeFound(value: unknown): string {
  if (value instanceof Redacted) return `${value.type} (${value.text})`;
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${quoteUserText(value)})`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `${value}`;
  // bigint, symbol or function: YAML gives none of these, so no user text can reach here.
  return typeof value;
}

function show(value: unknown): string {
  if (value instanceof Redacted) return value.text;
  return typeof value === 'string' ? quoteUserText(value) : describeFoundShort(value);
}

function describeFoundShort(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Words whose final dot does not end a sentence ("e.g. a wage"). */
const ABBREVIATIONS = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|approx)$/i;

/**
 * The first sentence of a schema description, for a message: up to the first full stop outside
 * parentheses that is not an abbreviation's ("e.g." or "i.e." would cut "(e.g. a held-out split)"
 * into "(e.g"), without the stop.
 */
export function firstSentence(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === '.' && depth === 0 && (i + 1 === text.length || /\s/.test(text[i + 1]!)) && !ABBREVIATIONS.test(text.slice(0, i))) {
      return text.slice(0, i);
    }
  }
  return text.replace(/\.$/, '');
}

function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Canary secrets are written in the policy; a message about them must not repeat them whole. */
function holdsSecrets(path: PolicyPath): boolean {
  return path.some((key) => key === 'inserted' || key === 'controls');
}

/** A scalar found where a secret belongs, shown redacted but named by its real type. */
class Redacted {
  constructor(
    readonly type: string,
    readonly text: string,
  ) {}
}

function redactFound(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactFound);
  if (typeof value === 'string' || typeof value === 'number') return new Redacted(`a ${typeof value}`, redact(String(value)));
  return value;
}

function translate(error: ErrorObject, root: unknown, locate: Locator): PolicyError | undefined {
  const path = instancePath(error.instancePath, root);
  const field = fieldName(path) || 'the top level';
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const properties = (parent?.['properties'] ?? {}) as Record<string, { description?: string }>;
  const at = (p: PolicyPath, part: 'key' | 'value', message: string, fieldPath: PolicyPath = p) => {
    const where = locate(p, part);
    return new PolicyError(message, {
      file: where.source.file,
      line: where.line,
      column: where.column,
      field: fieldPath.length ? fieldName(fieldPath) : undefined,
    });
  };
  const params = error.params as Record<string, unknown>;
  const data: unknown = holdsSecrets(path) ? redactFound(error.data) : error.data;

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys(properties);
      const suggestion = closestMatch(key, allowed);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `expected one of: ${allowed.join(', ')}`;
      return at([...path, key], 'key', `unknown key ${quoteUserText(key)} ${whereName(path)}; ${hint}`);
    }
    case 'required': {
      const key = String(params['missingProperty']);
      const about = firstSentence(properties[key]?.description);
      return at(path, 'key', `missing required key "${key}" ${whereName(path)}` + (about ? ` (${about})` : ''), [...path, key]);
    }
    case 'type': {
      const raw = params['type'];
      const types = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      const expected = orList(types.map((t) => TYPE_NAMES[t] ?? t));
      return at(path, 'value', `expected ${expected} for ${field}, found ${describeFound(data)}${thresholdForm(path, parent, data)}`);
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const suggestion = typeof data === 'string' ? closestMatch(data, allowed) : undefined;
      return at(
        path,
        'value',
        `invalid value ${show(data)} for ${field}; expected one of: ${allowed.join(', ')}` +
          (suggestion ? `; did you mean "${suggestion}"?` : ''),
      );
    }
    case 'const':
      return at(path, 'value', `unsupported value ${show(data)} for ${field}; expected ${show(params['allowedValue'])}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = {
        '>=': 'at least',
        '<=': 'at most',
        '>': 'greater than',
        '<': 'less than',
      };
      const comparison = words[String(params['comparison'])] ?? String(params['comparison']);
      const range = rangeText(parent, words) ?? `${comparison} ${String(params['limit'])}`;
      return at(path, 'value', `${field} must be ${range}, found ${show(data)}`);
    }
    case 'minLength':
      return at(path, 'value', `${field} must not be empty`);
    case 'minItems':
      return at(path, 'value', `${field} must list at least ${String(params['limit'])} item(s), found none`);
    case 'uniqueItems': {
      const i = Number(params['i']);
      const j = Number(params['j']);
      const later = Math.max(i, j);
      const item = Array.isArray(data) ? data[later] : undefined;
      return at([...path, later], 'value', `${field} lists ${show(item)} more than once`);
    }
    case 'minProperties': {
      const allowed = Object.keys(properties);
      return at(path, 'key', `${field} must set at least one of: ${allowed.join(', ')}`);
    }
    case 'anyOf': {
      const branches = Array.isArray(error.schema) ? error.schema : [];
      if (branches.every(isRequiredOnly)) {
        const keys = branches.flatMap((b) => (b as { required: string[] }).required);
        return at(path, 'key', `${field} must set at least one of: ${keys.join(', ')}`);
      }
      return at(path, 'value', `${field} does not match any allowed form`);
    }
    default:
      return at(path, 'value', `${field} ${error.message ?? 'is invalid'}`);
  }
}

/**
 * A bare number where a threshold mapping belongs (`auc: 0.6`): the form it must take, with the
 * number as `fail` (and any other key the threshold requires, such as tpr-at-fpr's `fpr`).
 */
function thresholdForm(path: PolicyPath, schema: Record<string, unknown> | undefined, data: unknown): string {
  const properties = schema?.['properties'];
  if (typeof data !== 'number' || properties === null || typeof properties !== 'object' || !('fail' in properties)) return '';
  const required = Array.isArray(schema?.['required']) ? (schema['required'] as string[]) : [];
  const others = required.filter((key) => key !== 'fail' && key !== 'warn').map((key) => `${key}: …, `);
  const key = String(path[path.length - 1] ?? 'threshold');
  return `; a threshold is a mapping: write ${key}: { ${others.join('')}fail: ${data} } (fails when the value is strictly above ${data}), or { ${others.join('')}warn: …, fail: ${data} }`;
}

/** "greater than 0 and less than 1": the whole allowed range, when the schema bounds both ends. */
function rangeText(schema: Record<string, unknown> | undefined, words: Record<string, string>): string | undefined {
  if (!schema) return undefined;
  const low =
    schema['exclusiveMinimum'] !== undefined
      ? `${words['>']} ${Number(schema['exclusiveMinimum'])}`
      : schema['minimum'] !== undefined
        ? `${words['>=']} ${Number(schema['minimum'])}`
        : undefined;
  const high =
    schema['exclusiveMaximum'] !== undefined
      ? `${words['<']} ${Number(schema['exclusiveMaximum'])}`
      : schema['maximum'] !== undefined
        ? `${words['<=']} ${Number(schema['maximum'])}`
        : undefined;
  return low && high ? `${low} and ${high}` : undefined;
}
