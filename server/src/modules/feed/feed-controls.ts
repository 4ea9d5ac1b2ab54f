import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { BallotCode, FeedControlsView, Principal, Resweep } from '@gozcu/shared';
import { Clock } from '../../infra/clock';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { auditEntry } from '../audit/audit.service';
import { STORE, type SettingsRepository } from '../store/store.port';

/**
 * What an operator can change while the feed runs (permission `feed:admin`): pause and resume,
 * the poll interval, the rate cap, and resweeps of a province. Kept in the store — the source
 * of truth, which survives a Redis restart — and re-read by every node every second, so a
 * change made on an API node reaches the workers without a restart.
 */
export interface FeedControlsState {
  paused: boolean;
  pausedBy: string | null;
  pausedAt: string | null;
  reason: string | null;
  pollIntervalMs: number;
  maxRps: number;
  /** the newest resweeps (the last 20), each applied once by every worker */
  resweeps: Resweep[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export type ControlsListener = (next: FeedControlsState, previous: FeedControlsState) => void;

const REFRESH_MS = 1_000;

@Injectable()
export class FeedControls implements OnModuleDestroy {
  private readonly logger = new Logger(FeedControls.name);
  private state: FeedControlsState;
  private readonly listeners = new Set<ControlsListener>();
  private timer: NodeJS.Timeout | undefined;
  private loaded: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: SettingsRepository,
    private readonly clock: Clock,
  ) {
    this.state = this.defaults();
  }

  private get key(): string {
    return `feed.controls:${this.config.YSK_ELECTION_ID}`;
  }

  private defaults(): FeedControlsState {
    return {
      paused: false,
      pausedBy: null,
      pausedAt: null,
      reason: null,
      pollIntervalMs: this.config.YSK_POLL_INTERVAL_MS,
      maxRps: this.config.YSK_MAX_RPS,
      resweeps: [],
      updatedAt: null,
      updatedBy: null,
    };
  }

  get current(): FeedControlsState {
    return this.state;
  }

  /** Reads the stored controls once (later calls wait for the same read) and starts following them. */
  load(): Promise<void> {
    this.loaded ??= this.refresh().then(() => {
      this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
      this.timer.unref();
    });
    return this.loaded;
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  onChange(fn: ControlsListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async refresh(): Promise<void> {
    let stored: Partial<FeedControlsState> | null;
    try {
      stored = await this.store.setting<Partial<FeedControlsState>>(this.key);
    } catch (e) {
      this.logger.warn(`feed controls not read: ${(e as Error).message}`);
      return;
    }
    if (stored) this.apply({ ...this.defaults(), ...stored });
  }

  private apply(next: FeedControlsState): void {
    const previous = this.state;
    if (JSON.stringify(previous) === JSON.stringify(next)) return;
    this.state = next;
    for (const fn of this.listeners) {
      try {
        fn(next, previous);
      } catch (e) {
        this.logger.error(`feed controls listener: ${(e as Error).message}`);
      }
    }
  }

  private async update(
    actor: Principal | null,
    action: string,
    target: string,
    patch: (s: FeedControlsState) => Partial<FeedControlsState>,
  ): Promise<FeedControlsState> {
    await this.refresh();
    const before = this.state;
    const next: FeedControlsState = { ...before, ...patch(before), updatedAt: this.clock.iso(), updatedBy: actor?.username ?? null };
    // the controls and their audit record together, or neither
    await this.store.putSettingAudited(this.key, next, () => auditEntry(actor, action, target, publicView(before), publicView(next)));
    this.apply(next);
    return next;
  }

  pause(actor: Principal | null, reason: string | null): Promise<FeedControlsState> {
    return this.update(actor, 'feed.pause', `feed:${this.config.YSK_ELECTION_ID}`, (s) =>
      s.paused ? { reason: reason ?? s.reason } : { paused: true, pausedBy: actor?.username ?? null, pausedAt: this.clock.iso(), reason },
    );
  }

  resume(actor: Principal | null): Promise<FeedControlsState> {
    return this.update(actor, 'feed.resume', `feed:${this.config.YSK_ELECTION_ID}`, () => ({ paused: false, pausedBy: null, pausedAt: null, reason: null }));
  }

  settings(actor: Principal | null, patch: { pollIntervalMs?: number; maxRps?: number }): Promise<FeedControlsState> {
    return this.update(actor, 'feed.settings', `feed:${this.config.YSK_ELECTION_ID}`, () => ({
      ...(patch.pollIntervalMs !== undefined ? { pollIntervalMs: patch.pollIntervalMs } : {}),
      ...(patch.maxRps !== undefined ? { maxRps: patch.maxRps } : {}),
    }));
  }

  resweep(actor: Principal | null, province: number, ballot: BallotCode | null): Promise<FeedControlsState> {
    const entry: Resweep = { id: randomUUID(), province, ballot, at: this.clock.iso(), by: actor?.username ?? null };
    return this.update(actor, 'feed.resweep', `province:${province}`, (s) => ({ resweeps: [...s.resweeps, entry].slice(-20) }));
  }
}

/** The controls as the API and the audit log show them. */
export function publicView(s: FeedControlsState): FeedControlsView {
  return {
    paused: s.paused,
    pausedBy: s.pausedBy,
    pausedAt: s.pausedAt,
    reason: s.reason,
    pollIntervalMs: s.pollIntervalMs,
    maxRps: s.maxRps,
    lastResweep: s.resweeps.at(-1) ?? null,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
  };
}
