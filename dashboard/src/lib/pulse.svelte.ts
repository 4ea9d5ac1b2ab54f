import { untrack } from 'svelte';

/**
 * Attachment: pulses the element once whenever the watched value changes (never on first paint).
 * No forced layout (a burst changes every counter in one frame): a pulse still running starts
 * over; otherwise the class, taken off when the last pulse ended, goes on again.
 */
export function pulseOn(get: () => unknown) {
  return (el: HTMLElement) => {
    let first = true;
    let prev: unknown;
    const ended = (e: AnimationEvent) => {
      if (e.target === el && e.animationName === 'pulse-once') el.classList.remove('pulse');
    };
    el.addEventListener('animationend', ended);
    $effect(() => {
      const v = get();
      if (first || Object.is(v, prev)) {
        first = false;
        prev = v;
        return;
      }
      prev = v;
      untrack(() => {
        if (el.classList.contains('pulse')) {
          const running = el.getAnimations().find((a) => (a as CSSAnimation).animationName === 'pulse-once');
          if (running) {
            running.currentTime = 0;
            return;
          }
          // (the class is on and nothing runs: reduced motion, or the end was missed) a new start needs a style change between
          el.classList.remove('pulse');
          void el.offsetWidth;
        }
        el.classList.add('pulse');
      });
    });
    return () => el.removeEventListener('animationend', ended);
  };
}
