import { untrack } from 'svelte';
import { frameSchedule, type Schedule } from './seq';

/**
 * A value that follows `get` a few frames behind: what a live delta changes is painted panel by
 * panel, one expensive panel per frame (the counters at once, then the map, then the votes chart,
 * then the lists), not all in the frame that applied the delta. A change that comes while one is
 * pending only replaces what the pending frame will show (a stream of deltas never starves it).
 * The first value is there at once. Call it while a component initialises (it owns an effect).
 */
export function staged<T>(get: () => T, frames: number, schedule: Schedule = frameSchedule): { readonly value: T } {
  const first = untrack(get);
  let value = $state.raw(first);
  let next: T = first;
  let cancel: (() => void) | null = null;
  const step = (left: number) => {
    cancel = schedule(() => {
      if (left > 1) return step(left - 1);
      cancel = null;
      value = next;
    });
  };
  $effect(() => {
    next = get();
    if (
      !cancel &&
      !Object.is(
        next,
        untrack(() => value),
      )
    )
      step(frames);
  });
  $effect(() => () => {
    cancel?.();
    cancel = null;
  });
  return {
    get value() {
      return value;
    },
  };
}
