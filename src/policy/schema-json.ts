/**
 * The policy JSON Schema as shipped in policies/policy.schema.json, and its relaxed form for
 * presets and base policies. Plain data: both the validators' generator (schema-code.ts) and the
 * error translation (schema.ts) read it.
 */
import schemaJson from '../../policies/policy.schema.json';

/** The policy JSON Schema (draft-07), as shipped in policies/policy.schema.json. */
export const policySchema: Readonly<Record<string, unknown>> = schemaJson as Record<string, unknown>;

/**
 * The same schema with every `required`, `minProperties` and required-only `anyOf` removed: what a
 * preset or a base policy is checked against (it may be partial; the merged policy is complete).
 */
export function relaxedSchema(schema: unknown = policySchema): unknown {
  if (Array.isArray(schema)) return schema.map((s) => relaxedSchema(s));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'required' || key === 'minProperties') continue;
    if (key === 'anyOf' && Array.isArray(value) && value.every(isRequiredOnly)) continue;
    out[key] = relaxedSchema(value);
  }
  return out;
}

/** An `anyOf` branch that only requires keys ("warn or fail"). */
export function isRequiredOnly(schema: unknown): boolean {
  return (
    schema !== null &&
    typeof schema === 'object' &&
    Object.keys(schema).length === 1 &&
    Array.isArray((schema as { required?: unknown }).required)
  );
}
