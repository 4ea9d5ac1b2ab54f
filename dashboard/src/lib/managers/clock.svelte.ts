/** Wall clock, ticking once a second (aligned to the second). */
export class Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setTimeout> | null = null;

  start(): () => void {
    const tick = () => {
      this.now = Date.now();
      this.#timer = setTimeout(tick, 1000 - (this.now % 1000) + 5);
    };
    tick();
    return () => this.stop();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
