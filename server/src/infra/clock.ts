import { Global, Injectable, Module } from '@nestjs/common';

/**
 * The one clock of the server: the wall clock, or a time held by a test (no sleeps). Services
 * read the time here, never `Date.now()` directly, so a test moves a deadline, a lock-out or an
 * escalation by setting the clock. Caches' lifetimes (the session check, the citizen page's
 * cache) and the feed's health windows stay on the wall clock: a held clock must not freeze them.
 */
@Injectable()
export class Clock {
  private fixed: number | null = null;

  /** ms since epoch */
  now(): number {
    return this.fixed ?? Date.now();
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
