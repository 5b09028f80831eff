// Types of validators.generated.cjs (ajv standalone code; see schema-code.ts).
import type { ValidateFunction } from 'ajv';

export declare const full: ValidateFunction;
export declare const relaxed: ValidateFunction;
