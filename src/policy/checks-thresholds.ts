/**
 * warn above fail, in any probe's thresholds (every metric here grows with leakage). Blamed on
 * the value written in the more derived file, naming where the other one is set.
 */
import type { CheckContext } from './check-context';
import { isPlainObject, valueAt } from './merge';
import { fieldName, type PolicyPath } from './source';

export function thresholdOrderChecks(ctx: CheckContext): void {
  const { merged } = ctx;
  const probes = valueAt(merged.data, ['probes']);
  if (!isPlainObject(probes)) return;
  for (const [id, probe] of Object.entries(probes)) {
    const thresholds = isPlainObject(probe) ? probe['thresholds'] : undefined;
    if (!isPlainObject(thresholds)) continue;
    for (const [key, t] of Object.entries(thresholds)) {
      if (!isPlainObject(t) || typeof t['warn'] !== 'number' || typeof t['fail'] !== 'number' || t['warn'] <= t['fail']) continue;
      const path: PolicyPath = ['probes', id, 'thresholds', key];
      const warnLayer = merged.layers.indexOf(merged.origin([...path, 'warn']));
      const failLayer = merged.layers.indexOf(merged.origin([...path, 'fail']));
      const blame = failLayer > warnLayer ? 'fail' : 'warn';
      const other = blame === 'fail' ? 'warn' : 'fail';
      const inherited = warnLayer !== failLayer ? ` (${other} is set in ${ctx.where([...path, other])})` : '';
      ctx.error(
        [...path, blame],
        'key',
        `warn (${t['warn']}) is above fail (${t['fail']}) for ${fieldName(path)}${inherited}; warn must not exceed fail, since a higher ${key} means more leakage`,
      );
    }
  }
}
