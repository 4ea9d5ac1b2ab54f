import { backoffDelay } from './backoff';

describe('backoffDelay (full jitter)', () => {
  const policy = { baseMs: 1000, capMs: 30_000 };

  it.each([
    [0, 1000],
    [1, 2000],
    [3, 8000],
    [10, 30_000],
  ])('attempt %i stays within [0, %i]', (attempt, ceiling) => {
    expect(backoffDelay(attempt, () => 0, policy)).toBe(0);
    expect(backoffDelay(attempt, () => 0.999999, policy)).toBe(ceiling - 1);
    expect(backoffDelay(attempt, () => 0.5, policy)).toBe(ceiling / 2);
  });

  it('never waits less than Retry-After', () => {
    expect(backoffDelay(0, () => 0.5, policy, 20_000)).toBe(20_000);
    expect(backoffDelay(10, () => 0.9, policy, 1_000)).toBe(27_000);
  });

  it('spreads retries out (jitter), not in lock-step', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, random, policy)));
    expect(delays.size).toBeGreaterThan(40);
  });
});
