/**
 * `privacy-gate run --shard i/n`: the run's model queries for one slice, written to a signals
 * file. Every shard loads the policy and the whole data (so the seeded sampling picks the same
 * records whatever n is) and runs every probe, but answers only its part of the queries for
 * real: its blocks of rows of the candidate's queries, the reference models it owns, and, in
 * shard 1 only, the families whose queries cannot be split (`split: 'whole'`). The shard decides
 * nothing: metrics, checks and verdict are the merge's.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describeError, EXIT, InputError, RuntimeFailure } from '../errors';
import type { ProbeContext } from '../probes/types';
import { runGate, type RunOptions } from '../run/gate';
import { SignalCache } from '../run/signals';
import { SIGNALS_EXTENSION, SIGNALS_FORMAT, SIGNALS_FORMAT_VERSION, writeSignals } from './format';
import { RecordingModels } from './record';
import type { ShardSpec } from './spec';

export interface ShardResult {
  file: string;
  /** Recorded answers and the rows they hold. */
  answers: number;
  rows: number;
}

export function signalsFileName(shard: ShardSpec): string {
  return `privacy-gate-signals-${shard.index}-of-${shard.count}${SIGNALS_EXTENSION}`;
}

export async function runShard(
  policyFile: string,
  shard: ShardSpec,
  outDir: string,
  options: Omit<RunOptions, 'split'> = {},
): Promise<ShardResult> {
  const models = new RecordingModels(shard);
  const report = await runGate(policyFile, {
    ...options,
    split: {
      models,
      measureOnly: true,
      beforeProbes: (_report, task) => {
        if (task === 'sequence') {
          throw new InputError('sharded runs cover classification and regression models; run a sequence model policy in one job', {
            file: policyFile,
            field: 'model.task',
          });
        }
      },
      contextFor: (family, context) => {
        if (family.split === 'records') {
          models.mode = 'records';
          return context;
        }
        if (shard.index !== 1) return undefined;
        // Its own cache: the shared one holds stand-ins for other shards' rows, and a search must read only real answers.
        models.mode = 'whole';
        const features = context as ProbeContext;
        return { ...features, signals: new SignalCache(features.model) } as typeof context;
      },
    },
  });
  // A real model's error is the shard's, whatever a probe made of it; other errors are the run's own (policy, data).
  if (models.failure) throw models.failure instanceof Error ? models.failure : new RuntimeFailure(describeError(models.failure));
  if (report.error) {
    throw report.error.exitCode === EXIT.invalidInput ? new InputError(report.error.message) : new RuntimeFailure(report.error.message);
  }
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, signalsFileName(shard));
  writeSignals(
    file,
    {
      format: SIGNALS_FORMAT,
      formatVersion: SIGNALS_FORMAT_VERSION,
      tool: report.tool,
      shard,
      policyFile: report.policy.file,
      inputs: report.inputs,
      seed: report.seed,
      blockRows: models.blockRows,
      models: models.recordedModels(),
    },
    models.answers,
  );
  return { file, answers: models.answers.length, rows: models.answers.reduce((n, a) => n + a.end - a.start, 0) };
}
