// Summaries of repeated measurements: the median (robust to one disturbed round on a shared machine) with the
// range, so a reader sees how much the runs agreed.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** undefined when any value is missing (a figure is reported only when every run measured it). */
export function spread(values: ReadonlyArray<number | undefined>): Spread | undefined {
  if (values.length === 0 || values.some((v) => v === undefined || Number.isNaN(v))) return undefined;
  const present = values as number[];
  return { median: median(present), min: Math.min(...present), max: Math.max(...present), n: present.length };
}

/** The p-th percentile (0–100) of a sample by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
