import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The one clock of the server: the wall clock, or a time held by a test (no sleeps). Services
 * read the time here, never `Date.now()` directly, so a test moves a deadline, a lock-out or an
 * escalation by setting the clock, and a unit test hands a service a clock of its own.
 *
 * `now()` is the time of what the system decides and records (deadlines, escalations, audit
 * records): a test may hold it. `wall()` is the running time a held clock must not freeze:
 * caches' lifetimes (the session check, the citizen page's cache), the feed's health windows and
 * its poll state, the live fan-out's batching, the reconciliation's stale tick, durations.
 */
@Injectable()
export class Clock {
  private fixed: number | null = null;

  /** ms since epoch */
  now(): number {
    return this.fixed ?? Date.now();
  }

  /** ms since epoch on the wall clock, whatever time is held */
  wall(): number {
    return Date.now();
  }

  /** now, as an ISO 8601 string (what the store keeps) */
  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Holds the clock at this time (ms since epoch); null returns it to the wall clock. */
  set(ms: number | null): void {
    this.fixed = ms;
  }

  advance(ms: number): void {
    this.fixed = this.now() + ms;
  }
}

/** Provides the clock to every module. */
@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
