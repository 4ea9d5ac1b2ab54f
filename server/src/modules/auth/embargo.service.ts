import { ForbiddenException, Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { BoxSummary, Coverage, EmbargoState, Page, Principal, RoomDelta, RoomSnapshot } from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { AuditService, auditEntry } from '../audit/audit.service';
import { STORE, type SettingsRepository } from '../store/store.port';
import { Clock } from '../../infra/clock';
import { blindCoverage, blindDelta, blindSnapshot, blindSummary } from './embargo.shape';

const REFRESH_MS = 5000;

interface EmbargoSetting {
  until: string | null;
}

/**
 * YSK's embargo: before `until`, YSK's figures reach only callers with `ysk:read:embargoed`.
 * The time starts as EMBARGO_UNTIL and HQ changes it at run time (kept in the store, re-read
 * every few seconds so every API node agrees). Result views pass through `shape*` here.
 */
@Injectable()
export class EmbargoService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EmbargoService.name);
  private until: number | null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE) private readonly store: SettingsRepository,
    private readonly audit: AuditService,
    /** the clock (ms since epoch) */
    private readonly clock: Clock,
  ) {
    this.until = config.EMBARGO_UNTIL ? Date.parse(config.EMBARGO_UNTIL) : null;
  }

  private get key(): string {
    return `embargo:${this.config.YSK_ELECTION_ID}`;
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    // one read at a time: a store that stops answering gets one pending read, not one per tick
    let reading = false;
    this.timer = setInterval(() => {
      if (reading) return;
      reading = true;
      this.reload()
        .catch((e) => this.logger.warn(`cannot re-read the embargo: ${(e as Error).message}`))
        .finally(() => (reading = false));
    }, REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async reload(): Promise<void> {
    const held = await this.store.setting<EmbargoSetting>(this.key);
    if (held) this.until = held.until ? Date.parse(held.until) : null;
  }

  /** True while the embargo holds. */
  get active(): boolean {
    return this.until !== null && this.clock.now() < this.until;
  }

  /** True when this caller sees YSK's figures now. */
  yskVisible(principal: Pick<Principal, 'permissions'>): boolean {
    if (!principal.permissions.includes('ysk:read')) return principal.permissions.includes('ysk:read:embargoed');
    return !this.active || principal.permissions.includes('ysk:read:embargoed');
  }

  state(principal: Pick<Principal, 'permissions'>): EmbargoState {
    return {
      election: this.config.YSK_ELECTION_ID,
      until: this.until === null ? null : new Date(this.until).toISOString(),
      active: this.active,
      yskVisible: this.yskVisible(principal),
    };
  }

  /** Sets (or with null, lifts) the embargo time; audited with the time before and after. */
  async set(actor: Principal, until: string | null): Promise<EmbargoState> {
    const before = { until: this.until === null ? null : new Date(this.until).toISOString() };
    const after = { until: until === null ? null : new Date(until).toISOString() };
    // the time and its audit record in one transaction (issue 13, finding 15)
    await this.store.putSettingAudited(this.key, after, () => auditEntry(actor, 'embargo.set', this.key, before, after));
    this.until = after.until === null ? null : Date.parse(after.until);
    return this.state(actor);
  }

  /**
   * A list filter or sort that compares with YSK (status, age, difference, altered) would leak
   * YSK's feed through which boxes come back: refused while the embargo holds for the caller.
   */
  assertListable(principal: Principal, q: { status?: string; sort?: string }): void {
    if (this.yskVisible(principal)) return;
    // conflicting and unconfirmed are about the observers' entries alone
    const leaks = [
      q.status && q.status !== 'conflicting' && q.status !== 'unconfirmed' ? `status=${q.status}` : null,
      q.sort && q.sort !== 'key' ? `sort=${q.sort}` : null,
    ].filter(Boolean);
    if (leaks.length) {
      throw new ForbiddenException(
        `${leaks.join(' and ')} compare with YSK's figures, which you see only after the embargo (${this.state(principal).until ?? 'until HQ lifts it'})`,
      );
    }
  }

  coverage(principal: Principal, c: Coverage): Coverage & { embargo: EmbargoState } {
    return { ...(this.yskVisible(principal) ? c : blindCoverage(c)), embargo: this.state(principal) };
  }

  summary(principal: Principal, s: BoxSummary): BoxSummary {
    return this.yskVisible(principal) ? s : blindSummary(s);
  }

  page(principal: Principal, p: Page<BoxSummary>): Page<BoxSummary> & { embargo: EmbargoState } {
    return { ...(this.yskVisible(principal) ? p : { ...p, items: p.items.map(blindSummary) }), embargo: this.state(principal) };
  }

  /** For the live gateway: a room snapshot or delta as this caller may see it. */
  snapshot(principal: Principal, s: RoomSnapshot): RoomSnapshot {
    return this.yskVisible(principal) ? s : blindSnapshot(s);
  }

  delta(principal: Principal, d: RoomDelta): RoomDelta {
    return this.yskVisible(principal) ? d : blindDelta(d);
  }
}
