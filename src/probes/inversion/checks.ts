/**
 * Class reconstruction: the smoothness prior needs an image shape; `samples` only matters to
 * NES (a warning, as with top-k). The image shape's size is checked against the model when the
 * probe runs, since only the model knows its feature count.
 */
import type { CheckContext } from '../../policy/check-context';
import type { PlainObject } from '../../policy/merge';
import type { PolicyPath } from '../../policy/source';

export function inversionChecks(ctx: CheckContext, inversion: PlainObject): void {
  const base: PolicyPath = ['probes', 'inversion'];
  const smoothness = inversion['smoothness'];
  if (typeof smoothness === 'number' && smoothness > 0 && inversion['image'] === undefined) {
    ctx.error(
      [...base, 'smoothness'],
      'key',
      'smoothness (a total-variation prior over neighbouring pixels) needs the image shape; add e.g. image: { height: 8, width: 8 }, or remove smoothness for tabular inputs',
    );
  }
  if (inversion['samples'] !== undefined && inversion['gradient'] === 'central') {
    ctx.warning(
      [...base, 'samples'],
      'key',
      'samples is ignored because gradient is central (central differences query 2 points per feature); set gradient: nes or auto to use random directions, or remove samples',
    );
  }
}
