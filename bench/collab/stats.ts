/** Small statistics helpers; percentiles by nearest rank on sorted samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const sortNumbers = (values: number[]) => Float64Array.from(values).sort();

export function median(values: number[]): number {
  const sorted = sortNumbers(values.filter((v) => !Number.isNaN(v)));
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
