/** Computes each dataset's model outputs once and shares them between probes. */
import type { ObservedModel } from '../model/surface';
import type { Observation } from '../model/types';
import type { LabelledData, Signals } from '../probes/types';

export class SignalCache implements Signals {
  private readonly cache = new Map<LabelledData, Promise<Observation>>();

  constructor(private readonly model: ObservedModel) {}

  observe(data: LabelledData): Promise<Observation> {
    let pending = this.cache.get(data);
    if (!pending) {
      pending = this.model.query(data.x, data.rows, { data });
      this.cache.set(data, pending);
    }
    return pending;
  }
}
