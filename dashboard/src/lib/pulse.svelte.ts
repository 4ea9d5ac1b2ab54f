import { untrack } from 'svelte';

/** Attachment: pulses the element once whenever the watched value changes (never on first paint). */
export function pulseOn(get: () => unknown) {
  return (el: HTMLElement) => {
    let first = true;
    let prev: unknown;
    $effect(() => {
      const v = get();
      if (first || Object.is(v, prev)) {
        first = false;
        prev = v;
        return;
      }
      prev = v;
      untrack(() => {
        el.classList.remove('pulse');
        void el.offsetWidth;
        el.classList.add('pulse');
      });
    });
  };
}
