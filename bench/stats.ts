export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly detail: string;
  /** The target this figure is measured against, for the report (never asserted in tests). */
  readonly target?: { readonly max?: number; readonly min?: number };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The middle half of the values, `[q1, q3]` (nearest rank): how far a median's runs spread. */
export function quartiles(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return [at(0.25), at(0.75)];
}
