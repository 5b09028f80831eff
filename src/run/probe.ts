/**
 * Runs one probe family on the context built for the model's task and turns its measurements
 * into checks against the thresholds its settings hold. A probe that throws a user mistake
 * (InputError) stops the gate; any other failure is this probe's error, which the verdict counts.
 */
import { describeError, InputError } from '../errors';
import { checksFor } from '../gate/verdict';
import type { ProbeFamily, ProbeSettings, TaskContexts } from '../probes/types';
import type { ProbeResult } from '../result';
import { round } from './round';

export async function runProbe<Settings extends ProbeSettings, Task extends keyof TaskContexts>(
  probe: ProbeFamily<Settings, Task>,
  settings: Settings,
  context: TaskContexts[Task],
): Promise<ProbeResult> {
  const started = performance.now();
  const queriesBefore = context.model.queries;
  const result: ProbeResult = {
    id: probe.id,
    description: probe.description,
    status: 'ok',
    attacks: [],
    checks: [],
    notes: [],
    queries: 0,
    seconds: 0,
  };
  try {
    const measured = await probe.run(context, settings);
    result.attacks = measured.attacks;
    result.notes = measured.notes;
    result.checks = checksFor(probe.id, measured.attacks, settings.thresholds, context.confidence);
  } catch (error) {
    if (error instanceof InputError) throw error;
    result.status = 'error';
    result.error = describeError(error);
  }
  result.queries = context.model.queries - queriesBefore;
  result.seconds = round((performance.now() - started) / 1000, 3);
  return result;
}
