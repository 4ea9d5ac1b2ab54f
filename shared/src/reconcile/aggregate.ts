import type { BoxCounters } from '../api/contracts';
import { emptyCounters } from './types';

/** Running totals of one (region, ballot type): counters, YSK header sums, vote sums per party index. */
export class Aggregate {
  readonly counters: BoxCounters = emptyCounters();
  registered = 0;
  voted = 0;
  valid = 0;
  invalid = 0;
  readonly yskVotes: number[] = [];
  readonly orgVotes: number[] = [];
  /** box-result indices, for the list heads */
  readonly stale = new Set<number>();
  readonly altered = new Set<number>();
  readonly mismatch = new Set<number>();
}

export function addVotes(sums: number[], party: number, votes: number): void {
  if (party >= sums.length) while (sums.length <= party) sums.push(0);
  sums[party]! += votes;
}
