/** What a task's path (features.ts, sequence.ts) hands the gate: the probes' context, and what to record after them. */
import type { TaskContexts } from '../probes/types';

export interface TaskTools {
  /** A path as the report writes it (relative to the working folder, forward slashes). */
  relative: (p: string) => string;
  /** Milliseconds since the previous lap. */
  lap: () => number;
}

/** The model opened and the data loaded for one task; `finish` records the model's facts and query count. */
export type TaskRun = {
  [T in keyof TaskContexts]: { task: T; context: TaskContexts[T]; finish(): void };
}[keyof TaskContexts];
