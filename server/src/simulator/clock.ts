/**
 * The simulator's clock. `manual`: time moves only when told (tests, `POST /_admin/clock`).
 * `realtime`: simulated time runs `speed` times faster than the wall clock (the run command
 * compresses the six-hour night into SIM_NIGHT_MINUTES). Both can be pushed forward.
 */
export interface SimClockOptions {
  start: number;
  mode: 'manual' | 'realtime';
  speed?: number;
  wallNow?: () => number;
}

export class SimClock {
  private readonly wallNow: () => number;
  private readonly wallStart: number;
  private offset = 0;
  constructor(private readonly opts: SimClockOptions) {
    this.wallNow = opts.wallNow ?? Date.now;
    this.wallStart = this.wallNow();
  }
  get mode(): 'manual' | 'realtime' {
    return this.opts.mode;
  }
  get speed(): number {
    return this.opts.mode === 'realtime' ? (this.opts.speed ?? 1) : 0;
  }
  now(): number {
    const running = this.opts.mode === 'realtime' ? (this.wallNow() - this.wallStart) * (this.opts.speed ?? 1) : 0;
    return Math.floor(this.opts.start + running + this.offset);
  }
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('advanceMs must be a non-negative number');
    this.offset += ms;
    return this.now();
  }
  /** Moves to a point in simulated time; never backwards. */
  set(at: number): number {
    const now = this.now();
    if (at < now) throw new Error(`the clock does not go back (now ${new Date(now).toISOString()})`);
    this.offset += at - now;
    return this.now();
  }
}
