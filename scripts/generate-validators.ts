// Writes src/policy/validators.generated.cjs, the policy schema's validators precompiled by ajv
// (see src/policy/schema-code.ts). Run after changing policies/policy.schema.json.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GENERATED_VALIDATORS, validatorSource } from '../src/policy/schema-code';

const file = path.resolve(import.meta.dirname, '..', GENERATED_VALIDATORS);
writeFileSync(file, validatorSource());
console.log(`${GENERATED_VALIDATORS} written`);
