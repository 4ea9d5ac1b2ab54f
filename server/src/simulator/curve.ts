/**
 * When boxes publish, as a fraction of the night (0 = publication ban lifts, 1 = six hours
 * later), from a box's quantile. Fitted to the 2018 presidential district completion in
 * YSK-API.md: first boxes at once, 10 % by ~1/5 of the night, 50 % by half, 75 % by ~0.7,
 * 90 % near the end, 95 % next morning, the last ones days later.
 */
export const PUBLICATION_CURVE: ReadonlyArray<readonly [quantile: number, nightFraction: number]> = [
  [0, 0],
  [0.03, 0.04],
  [0.1, 0.2],
  [0.5, 0.48],
  [0.75, 0.69],
  [0.9, 0.95],
  [0.95, 1.6],
  [0.99, 4],
  [1, 32],
];

export function nightFractionAt(quantile: number): number {
  const q = Math.min(Math.max(quantile, 0), 1);
  for (let i = 1; i < PUBLICATION_CURVE.length; i++) {
    const [q1, f1] = PUBLICATION_CURVE[i]!;
    if (q <= q1) {
      const [q0, f0] = PUBLICATION_CURVE[i - 1]!;
      return f0 + ((q - q0) / (q1 - q0)) * (f1 - f0);
    }
  }
  return PUBLICATION_CURVE[PUBLICATION_CURVE.length - 1]![1];
}

export const NIGHT_HOURS = 6;
export const NIGHT_MS = NIGHT_HOURS * 3_600_000;
