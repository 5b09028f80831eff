/**
 * Each probe runs on the model tasks its family names (src/probes/<family>/family.ts); a probe
 * configured for another task is an error that says what the probe needs and which probes do
 * run on this task.
 */
import type { CheckContext } from './check-context';
import type { PolicyFamily } from './family';
import { isPlainObject, valueAt } from './merge';

/** The families configured under `probes:` whose task fits; the others get an error here. */
export function taskChecks(ctx: CheckContext, families: readonly PolicyFamily[]): PolicyFamily[] {
  const task = String(ctx.task);
  const fitting: PolicyFamily[] = [];
  for (const family of families) {
    if (!isPlainObject(valueAt(ctx.data, ['probes', family.id]))) continue;
    if (family.tasks.some((t) => t === task)) fitting.push(family);
    else ctx.error(['probes', family.id], 'key', mismatch(ctx, family, task, families));
  }
  return fitting;
}

function mismatch(ctx: CheckContext, family: PolicyFamily, task: string, families: readonly PolicyFamily[]): string {
  const running = families.filter((f) => f.tasks.some((t) => t === task)).map((f) => f.id);
  const only = `only the ${running.join(' and ')} probe${running.length > 1 ? 's' : ''} run${running.length > 1 ? '' : 's'}`;
  if (task === 'sequence') {
    return `the ${family.id} probe needs a ${family.tasks.join(' or ')} model, but model.task is sequence; ${only} on a sequence model`;
  }
  if (!family.tasks.includes('classification') && !family.tasks.includes('regression')) {
    return `the ${family.id} probe needs ${family.needs}; model.task is ${task}`;
  }
  return `the ${family.id} probe needs ${family.needs}, but model.task is ${task} (set in ${ctx.where(['model', 'task'])}); on a ${task} model ${only}`;
}
