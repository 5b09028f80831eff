/** The shape of a gate run's result: what the verdict, reporters and publishers read. */
import type { GateRules, ThresholdSource } from './policy/types';

export type Verdict = 'pass' | 'warn' | 'fail' | 'error';

/** A metric's estimate and its two-sided interval at the gate's confidence level. */
export interface MetricValue {
  value: number | null;
  ci: [number, number];
  /** Extra facts a reader needs to interpret the value (e.g. the FPR a TPR was read at). */
  [extra: string]: unknown;
}

export interface Check {
  probe: string;
  attack: string;
  metric: string;
  value: number | null;
  ci: [number, number];
  thresholds: { warn?: number; fail?: number };
  /**
   * inconclusive: the value is not over `fail` but its interval reaches over it; insufficient: the
   * data is too small to resolve the check whatever the model does (see `needs`). src/gate/verdict.ts.
   */
  status: 'pass' | 'warn' | 'fail' | 'inconclusive' | 'insufficient' | 'error';
  /** Where the threshold is written, for annotations and SARIF. */
  source: ThresholdSource;
  /** Insufficient checks: the records each set needs, what it has, and why. */
  needs?: { members: number; nonMembers: number; have: { members: number; nonMembers: number }; reason: string };
}

export interface ProbeResult {
  id: string;
  description: string;
  status: 'ok' | 'error';
  error?: string;
  attacks: Array<{ attack: string; description: string; metrics: Record<string, MetricValue>; details?: Record<string, unknown> }>;
  checks: Check[];
  notes: string[];
  queries: number;
  seconds: number;
}

export interface FileDigest {
  path: string;
  sha256: string;
}

/** The audit record written as privacy-report.json (schema: report.schema.json). */
export interface GateReport {
  version: 1;
  verdict: Verdict;
  exitCode: number;
  tool: { name: string; version: string };
  policy: { name: string; file: string };
  inputs: {
    policy: FileDigest[];
    model?: FileDigest;
    data: Array<FileDigest & { role: string; rows: number; rowsInFile: number }>;
  };
  seed: number | null;
  surface: { scores: string; topK?: number; decimals?: number; precision?: 'float32' } | null;
  model?: {
    input: string;
    output: string;
    featureCount: number;
    classes: string[];
    scoreKind: string;
    scoreKindReason: string;
  };
  /** A sequence model (model.task: sequence) instead of `model`. */
  sequenceModel?: {
    input: string;
    attentionMask?: string;
    output: string;
    /** Tokens per query; null when the model takes any length. */
    context: number | null;
    fixedContext: boolean;
    vocabSize: number;
    /** Where the vocabulary came from (policy or file), and its size; absent for pre-tokenised data only. */
    vocabulary?: { source: string; tokens: number; padId?: number };
    scoreKind: string;
    scoreKindReason: string;
  };
  confidence: number | null;
  /** How the run counted inconclusive and insufficient checks (policy `gate`); absent: the defaults. */
  gate?: GateRules;
  probes: ProbeResult[];
  queries: number;
  timings: Record<string, number>;
  /** Policy settings the gate ignored, as "file:line:column: message". */
  warnings: string[];
  /** Present when the gate could not reach a verdict on leakage (exit 2 or 3). */
  error?: { message: string; exitCode: number; file?: string; line?: number; column?: number; field?: string };
}
