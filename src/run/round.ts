/** Rounds timings for the report: milliseconds to 0.1, seconds to 0.001. */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
