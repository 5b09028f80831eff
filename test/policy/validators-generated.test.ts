/**
 * src/policy/validators.generated.cjs is ajv's standalone code for the policy schema, committed so
 * that start-up need not compile the schema: it must be what the schema generates today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_VALIDATORS, validatorSource } from '../../src/policy/schema-code';

describe('precompiled policy validators', () => {
  it('equal a fresh generation from policies/policy.schema.json (else run npm run generate:validators)', () => {
    expect(readFileSync(GENERATED_VALIDATORS, 'utf8') === validatorSource()).toBe(true);
  });
});
