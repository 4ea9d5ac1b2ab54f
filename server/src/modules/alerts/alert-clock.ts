import { Injectable } from '@nestjs/common';

/** The alerts module's clock: the wall clock, or a manual time set by tests (no sleeps). */
@Injectable()
export class AlertClock {
  private fixed: number | null = null;

  now(): number {
    return this.fixed ?? Date.now();
  }

  /** Holds the clock at this time (ms since epoch); null returns it to the wall clock. */
  set(ms: number | null): void {
    this.fixed = ms;
  }

  advance(ms: number): void {
    this.fixed = this.now() + ms;
  }
}
