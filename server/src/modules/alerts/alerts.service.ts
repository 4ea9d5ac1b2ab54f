import { ConflictException, Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ALERT_RULES,
  DEFAULT_ALERT_PREFERENCES,
  alertFor,
  digestTitle,
  inScope,
  isRoutedTo,
  nextLevel,
  planDeliveries,
  roleById,
  routeRolesOf,
  severityRank,
  type AlertEvent,
  type AlertFigures,
  type AlertKind,
  type AlertLevel,
  type AlertPreferences,
  type AlertRecord,
  type AlertSeverity,
  type AlertView,
  type DigestScope,
  type FeedHealthEvent,
  type Principal,
} from '@gozcu/shared';
import { APP_CONFIG, type AppConfig } from '../../infra/config';
import { ChangeBus, type ChangeEvents } from '../../infra/events';
import { AuditService, auditEntry } from '../audit/audit.service';
import { EmbargoService } from '../auth/embargo.service';
import { ReconcileService } from '../reconcile/reconcile.service';
import {
  STORE,
  type AlertFilter,
  type UserRecord,
  type AlertsRepository,
  type EscalationsRepository,
  type PetitionsRepository,
  type SettingsRepository,
  type UsersRepository,
  type VersionsRepository,
} from '../store/store.port';
import { Clock } from '../../infra/clock';
import { AlertsGateway } from './alerts.gateway';
import { AlertDeliveries, type WebhookBody } from './deliveries';

/** A new alert the rules produced, before it is stored. */
interface Candidate {
  kind: AlertKind;
  dedupe: string;
  box: string | null;
  province: number | null;
  district: number | null;
  detail: string;
  severity?: AlertSeverity;
  figures: AlertFigures | null;
}

const prefsKey = (userId: string) => `alerts.prefs:${userId}`;

/**
 * Alerts (issue 15). Listens to the change bus (box changes, feed health, complaints) and sweeps
 * on a timer (escalation, petition deadlines); stores one alert per box per rule, routes it by
 * scope and role, delivers it (socket, Web Push, e-mail, webhooks) and audits every step.
 * Other services never call it.
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertsService.name);
  private chain: Promise<void> = Promise.resolve();
  private offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private caughtUp = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORE)
    private readonly store: AlertsRepository & EscalationsRepository & PetitionsRepository & SettingsRepository & UsersRepository & VersionsRepository,
    private readonly bus: ChangeBus,
    private readonly reconcile: ReconcileService,
    private readonly audit: AuditService,
    private readonly embargo: EmbargoService,
    private readonly deliveries: AlertDeliveries,
    private readonly gateway: AlertsGateway,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.offs.push(
      this.bus.on('boxes.changed', (e) => this.enqueue(() => this.onBoxes(e))),
      this.bus.on('feed.health', (e) => this.enqueue(() => this.onFeed(e))),
      this.bus.on('complaint.filed', (e) => this.enqueue(() => this.onComplaint(e))),
    );
    this.timer = setInterval(() => this.enqueue(() => this.sweep()), this.config.ALERT_SWEEP_SECONDS * 1000);
    this.timer.unref();
    this.enqueue(() => this.sweep());
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    for (const off of this.offs) off();
  }

  /** Events are handled one after another, in the order they came. */
  private enqueue(task: () => Promise<unknown>): void {
    this.chain = this.chain.then(task).then(
      () => undefined,
      (e: Error) => this.logger.error(`alerts: ${e.stack ?? e.message}`),
    );
  }

  /** Resolves once every event received so far has been handled (tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private get escalateMs(): number {
    return this.config.ALERT_ESCALATE_MINUTES * 60_000;
  }

  // ---------------------------------------------------------------- rules

  private figuresOf(key: string): AlertFigures | null {
    const s = this.reconcile.state.summary(key);
    if (!s) return null;
    return { differences: s.differences, totalAbsDifference: s.totalAbsDifference, versions: s.versions, yskAgeMs: s.yskAgeMs };
  }

  private async onBoxes(e: ChangeEvents['boxes.changed']): Promise<void> {
    const candidates: Candidate[] = [];
    const resolve: { kind: AlertKind; key: string; why: string }[] = [];
    for (const c of e.changes) {
      const { key, ref } = c;
      const where = { box: key, province: ref.province, district: ref.district };
      if (c.after.stale && !c.before?.stale) {
        candidates.push({
          kind: 'stale',
          dedupe: `stale:${key}`,
          ...where,
          detail: `Sandık ${ref.boxNo}: YSK sonucu ${this.config.STALE_AFTER_MINUTES} dakikadan uzun süredir var, müşahit tutanağı girilmedi`,
          figures: this.figuresOf(key),
        });
      } else if (!c.after.stale && c.before?.stale)
        resolve.push({ kind: 'stale', key, why: c.after.status === 'awaiting' ? 'YSK sonucu geri çekildi' : 'tutanak girildi' });
      // the reconciliation's mismatch status (after entry confirmation, when it applies)
      if (c.after.status === 'mismatch' && c.before?.status !== 'mismatch') {
        candidates.push({
          kind: 'mismatch',
          dedupe: `mismatch:${key}`,
          ...where,
          detail: `Sandık ${ref.boxNo}: YSK sonucu ile müşahit tutanağı uyuşmuyor`,
          figures: this.figuresOf(key),
        });
      } else if (c.after.status !== 'mismatch' && c.before?.status === 'mismatch')
        resolve.push({ kind: 'mismatch', key, why: c.after.status === 'match' ? 'sonuçlar artık uyuşuyor' : 'durum değişti' });
      if (c.before && c.before.versions >= 1 && c.after.versions > c.before.versions) {
        const latest = await this.store.latestVersion(key);
        if (latest && !latest.changeReason) {
          candidates.push({
            kind: 'unexplained_change',
            dedupe: `unexplained_change:${key}`,
            ...where,
            detail: `Sandık ${ref.boxNo}: YSK yayımlanmış sonucu gerekçe göstermeden değiştirdi (sürüm ${latest.seq})`,
            figures: this.figuresOf(key),
          });
        }
      }
    }
    for (const r of resolve) await this.resolveBy({ kind: r.kind, box: r.key }, r.why);
    await this.raise(candidates);
  }

  private async onFeed(e: FeedHealthEvent & { replica?: boolean }): Promise<void> {
    if (e.replica) return;
    if (e.state === 'healthy') {
      await this.resolveBy({ kind: 'feed' }, 'YSK veri akışı yeniden sağlıklı');
      return;
    }
    if (e.previous !== 'healthy') return;
    const state = { slow: 'yavaş', failing: 'hata veriyor', paused: 'durdu' }[e.state];
    await this.raise([
      {
        kind: 'feed',
        dedupe: `feed:${e.at}`,
        box: null,
        province: null,
        district: null,
        severity: e.state === 'slow' ? 'amber' : 'red',
        detail: `YSK veri akışı ${state}: ${e.cause}`,
        figures: null,
      },
    ]);
  }

  private async onComplaint(e: ChangeEvents['complaint.filed']): Promise<void> {
    await this.raise([
      {
        kind: 'complaint',
        dedupe: `complaint:${e.id}`,
        box: e.key,
        province: e.province,
        district: e.district,
        detail: `Sandık ${e.boxNo} için vatandaş şikâyeti geldi`,
        figures: null,
      },
    ]);
  }

  /** Escalations due, petition deadlines near, and (once) stale boxes escalated while no alert existed. */
  async sweep(now = this.clock.now()): Promise<void> {
    const at = new Date(now).toISOString();
    for (const a of await this.store.alerts({ dueBefore: at }, 1000)) await this.escalate(a, now);

    const horizon = now + this.config.ALERT_DEADLINE_MINUTES * 60_000;
    const near: Candidate[] = [];
    for (const p of await this.store.petitions({ statuses: ['draft'] }, 5000)) {
      const deadline = Date.parse(p.deadline);
      if (deadline > horizon || p.election !== this.config.YSK_ELECTION_ID) continue;
      const minutes = Math.max(0, Math.round((deadline - now) / 60_000));
      near.push({
        kind: 'petition_deadline',
        dedupe: `petition_deadline:${p.id}`,
        box: p.key,
        province: p.province,
        district: p.district,
        detail: `Sandık ${p.boxNo}: itiraz süresinin dolmasına ${minutes} dakika kaldı, dilekçe verilmedi`,
        figures: null,
      });
    }
    await this.raise(near, now);
    for (const a of await this.store.alerts({ kind: 'petition_deadline', status: 'open' }, 1000)) {
      const petitionId = a.dedupe.slice('petition_deadline:'.length);
      const p = await this.store.petition(petitionId);
      if (!p || p.status !== 'draft') await this.resolve(a, p ? `dilekçe ${p.status}` : 'dilekçe yok', now);
    }

    // boxes that turned stale while the server was down have an escalation record but no event
    if (!this.caughtUp && this.reconcile.isReady) {
      this.caughtUp = true;
      const missed: Candidate[] = [];
      // a box whose stale alert is held and not resolved needs nothing (raise would leave it as it
      // is): only the others are looked at, so a restart after the night writes nothing
      const held = new Set(await this.store.heldAlertDedupes('stale'));
      for (const esc of await this.store.escalations({}, 100_000)) {
        if (held.has(`stale:${esc.key}`)) continue;
        const s = this.reconcile.state.summary(esc.key);
        if (!s?.stale) continue;
        missed.push({
          kind: 'stale',
          dedupe: `stale:${esc.key}`,
          box: esc.key,
          province: esc.province,
          district: esc.district,
          detail: `Sandık ${s.boxNo}: YSK sonucu ${this.config.STALE_AFTER_MINUTES} dakikadan uzun süredir var, müşahit tutanağı girilmedi`,
          figures: this.figuresOf(esc.key),
        });
      }
      await this.raise(missed, now);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private record(c: Candidate, now: number): AlertRecord {
    const rule = ALERT_RULES[c.kind];
    const at = new Date(now).toISOString();
    return {
      id: randomUUID(),
      dedupe: c.dedupe,
      rev: 0,
      kind: c.kind,
      severity: c.severity ?? rule.severity,
      box: c.box,
      province: c.province,
      district: c.district,
      level: rule.level,
      status: 'open',
      title: rule.title.tr,
      detail: c.detail,
      createdAt: at,
      updatedAt: at,
      escalatedAt: null,
      resolvedAt: null,
      ack: null,
      digestCount: null,
      digestId: null,
      figures: c.figures,
      escalateAt: nextLevel(rule.level) ? new Date(now + this.escalateMs).toISOString() : null,
    };
  }

  /** Stores new alerts (one per box per rule; a resolved one comes back), then delivers them, a storm as digests. */
  private async raise(candidates: Candidate[], now = this.clock.now()): Promise<AlertRecord[]> {
    const fresh: AlertRecord[] = [];
    for (const c of candidates) {
      const rec = this.record(c, now);
      // each step of an alert and its audit record in one transaction (issue 13, finding 15)
      const { alert, created } = await this.store.createAlertAudited(rec, (a) =>
        auditEntry(null, 'alert.create', `alert:${a.id}`, null, {
          kind: a.kind,
          box: a.box,
          province: a.province,
          district: a.district,
          level: a.level,
          severity: a.severity,
        }),
      );
      if (created) {
        fresh.push(alert);
      } else if (alert.status === 'resolved') {
        const reopened = await this.store.updateAlertAudited(
          alert.id,
          alert.rev,
          {
            status: 'open',
            resolvedAt: null,
            ack: null,
            level: rec.level,
            escalateAt: rec.escalateAt,
            escalatedAt: null,
            detail: rec.detail,
            figures: rec.figures,
            updatedAt: rec.updatedAt,
            digestId: null,
          },
          ({ after }) => auditEntry(null, 'alert.reopen', `alert:${alert.id}`, { status: 'resolved' }, { status: 'open', level: after.level }),
        );
        if (reopened) fresh.push(reopened);
      }
    }
    if (!fresh.length) return fresh;
    const plan = planDeliveries(fresh, this.config.ALERT_DIGEST_MIN, this.config.ALERT_STORM_PROVINCES);
    for (const a of plan.single) await this.deliver(a, 'new');
    for (const d of plan.digests) {
      const digest = await this.digest(d.kind, d.scope, d.members, now);
      await this.deliver(digest, 'new');
    }
    return fresh;
  }

  /** One alert standing for a storm in one scope; district digests carry their members' escalation. */
  private async digest(kind: AlertKind, scope: DigestScope, members: AlertRecord[], now: number): Promise<AlertRecord> {
    const rule = ALERT_RULES[kind];
    const level: AlertLevel = scope.level;
    const at = new Date(now).toISOString();
    const rec: AlertRecord = {
      ...this.record(
        {
          kind,
          dedupe: `digest:${kind}:${scope.level}:${'province' in scope ? scope.province : ''}:${'district' in scope ? scope.district : ''}:${at}:${randomUUID()}`,
          box: null,
          province: 'province' in scope ? scope.province : null,
          district: 'district' in scope ? scope.district : null,
          detail: `${members.length} sandık: ${rule.title.tr}`,
          figures: null,
        },
        now,
      ),
      level,
      title: digestTitle(kind, members.length, scope),
      digestCount: members.length,
    };
    rec.escalateAt = nextLevel(level) ? new Date(now + this.escalateMs).toISOString() : null;
    // the digest, its district members pointed at it, and its audit record in one transaction (issue 13, finding 15)
    const { alert } = await this.store.createAlertAudited(
      rec,
      (a) => auditEntry(null, 'alert.digest', `alert:${a.id}`, null, { kind, scope, count: members.length, members: members.slice(0, 50).map((m) => m.id) }),
      { members: scope.level === 'district' ? members.map((m) => ({ id: m.id, rev: m.rev, patch: { digestId: rec.id, escalateAt: null } })) : [] },
    );
    return alert;
  }

  private async escalate(a: AlertRecord, now: number): Promise<void> {
    const next = nextLevel(a.level);
    if (!next) return;
    const at = new Date(now).toISOString();
    const updated = await this.store.updateAlertAudited(
      a.id,
      a.rev,
      { level: next, escalatedAt: at, escalateAt: nextLevel(next) ? new Date(now + this.escalateMs).toISOString() : null, updatedAt: at },
      () => auditEntry(null, 'alert.escalate', `alert:${a.id}`, { level: a.level }, { level: next }),
    );
    if (!updated) return; // another node escalated it, or someone took it meanwhile
    await this.deliver(updated, 'escalated', a.level);
  }

  private async resolveBy(filter: Pick<AlertFilter, 'kind' | 'box'>, why: string): Promise<void> {
    for (const a of await this.store.alerts({ ...filter, status: 'open' }, 1000)) await this.resolve(a, why);
  }

  private async resolve(a: AlertRecord, why: string, now = this.clock.now()): Promise<void> {
    const at = new Date(now).toISOString();
    const updated = await this.store.updateAlertAudited(a.id, a.rev, { status: 'resolved', resolvedAt: at, escalateAt: null, updatedAt: at }, () =>
      auditEntry(null, 'alert.resolve', `alert:${a.id}`, { status: 'open' }, { status: 'resolved', why }),
    );
    if (!updated) return;
    await this.deliver(updated, 'resolved');
    if (updated.digestId) {
      const open = await this.store.alerts({ digestId: updated.digestId, status: 'open' }, 1);
      const digest = open.length ? null : await this.store.alert(updated.digestId);
      if (digest && digest.status === 'open') await this.resolve(digest, 'özetteki bütün uyarılar çözüldü', now);
    }
  }

  /** "Ben ilgileniyorum": the caller takes the alert; escalation stops; everyone routed sees who and when. */
  async ack(user: Principal & { name?: string }, id: string): Promise<AlertView> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const a = await this.store.alert(id);
      if (!a || !isRoutedTo(a, user)) throw new NotFoundException(`no alert ${id} is routed to you`);
      if (a.ack) {
        if (a.ack.userId === user.userId) return this.viewFor(a, user);
        throw new ConflictException(`${a.ack.name || a.ack.username} took this alert at ${a.ack.at}`);
      }
      const at = this.clock.iso();
      const held = await this.store.userById(user.userId);
      const ack = { userId: user.userId, username: user.username, name: held?.name ?? user.username, at };
      // the ack, the digest's open members taken with it, and its audit record in one transaction (issue 13, finding 15)
      const members = a.digestCount ? (await this.store.alerts({ digestId: a.id, status: 'open' }, 100_000)).filter((m) => !m.ack) : [];
      const updated = await this.store.updateAlertAudited(
        a.id,
        a.rev,
        { ack, escalateAt: null, updatedAt: at },
        () => auditEntry(user, 'alert.ack', `alert:${a.id}`, { ack: null }, { ack, level: a.level }),
        { members: members.map((m) => ({ id: m.id, rev: m.rev, patch: { ack, escalateAt: null, updatedAt: at } })) },
      );
      if (!updated) continue;
      await this.deliver(updated, 'ack');
      return this.viewFor(updated, user);
    }
    throw new ConflictException('the alert kept changing; try again');
  }

  // ---------------------------------------------------------------- delivery

  /** Everyone the alert reaches now (active accounts whose role and scope it is routed to). */
  async recipients(a: Pick<AlertRecord, 'kind' | 'level' | 'province' | 'district'>): Promise<UserRecord[]> {
    const out = new Map<string, UserRecord>();
    for (const { level, role } of routeRolesOf(a)) {
      const filter =
        level === 'district'
          ? { role, province: a.province ?? -1, district: a.district ?? -1 }
          : level === 'province'
            ? { role, province: a.province ?? -1 }
            : { role };
      for (let after: string | undefined; ;) {
        const page = await this.store.users(filter, { after, limit: 500 });
        for (const u of page) if (!u.disabled && isRoutedTo(a, u)) out.set(u.id, u);
        if (page.length < 500) break;
        after = page[page.length - 1].username;
      }
    }
    return [...out.values()];
  }

  private yskVisibleFor(u: Pick<UserRecord, 'role'>): boolean {
    return this.embargo.yskVisible({ permissions: [...(roleById(u.role)?.permissions ?? [])] });
  }

  private view(a: AlertRecord): AlertView {
    const { dedupe: _d, rev: _r, escalateAt: _e, ...view } = a;
    return view;
  }

  private viewFor(a: AlertRecord, u: Pick<Principal, 'permissions'>, read?: boolean): AlertView {
    const v = alertFor(this.view(a), this.embargo.yskVisible(u));
    return read === undefined ? v : { ...v, read };
  }

  /**
   * Socket to everyone routed; for a new alert (and, on escalation, for those it newly reaches)
   * also Web Push and e-mail by their preferences, and webhooks for a new alert. Members of a
   * digest are not delivered one by one: the digest is.
   */
  private async deliver(a: AlertRecord, event: AlertEvent['event'], fromLevel?: AlertLevel): Promise<void> {
    const users = await this.recipients(a);
    const base = this.view(a);
    const app: string[] = [];
    const pushed: string[] = [];
    const mailed: string[] = [];
    for (const u of users) {
      const visible = this.yskVisibleFor(u);
      const shaped = alertFor(base, visible);
      this.gateway.toUser(u.id, { event, alert: shaped });
      app.push(u.username);
      const fresh = event === 'new' || (event === 'escalated' && !isRoutedTo({ ...a, level: fromLevel ?? a.level }, u));
      if (!fresh) continue;
      const prefs = await this.preferences(u.id);
      if (severityRank(a.severity) < severityRank(prefs.minSeverity)) continue;
      const text = this.text(shaped, event);
      if (prefs.push) {
        const subs = await this.store.pushSubscriptions([u.id]);
        if (subs.length) {
          await this.deliveries.push(a.id, `${event}${a.rev}`, { userId: u.id, username: u.username }, subs, {
            id: a.id,
            kind: a.kind,
            severity: a.severity,
            title: shaped.title,
            body: text.short,
            url: this.link(a),
            tag: `gozcu-${a.id}`,
            event,
          });
          pushed.push(u.username);
        }
      }
      if (prefs.email && prefs.emailAddress && this.deliveries.emailEnabled) {
        await this.deliveries.email(a.id, `${event}${a.rev}`, { userId: u.id, username: u.username }, prefs.emailAddress, text.subject, text.body);
        mailed.push(u.username);
      }
    }
    if (event === 'new' && !a.digestId) await this.deliveries.webhook(this.webhookBody(a), a.rev);
    await this.audit.record(null, `alert.${event === 'new' ? 'notify' : event}.delivery`, `alert:${a.id}`, null, {
      app,
      push: pushed,
      email: mailed,
      webhook: event === 'new' ? this.config.ALERT_WEBHOOK_URL.length : 0,
    });
  }

  link(a: Pick<AlertRecord, 'box' | 'district'>): string {
    const base = this.deliveries.publicUrl;
    if (a.box) return `${base}/#/sandik/${encodeURIComponent(a.box)}`;
    if (a.district) return `${base}/#/ilce/${a.district}`;
    return `${base}/#/`;
  }

  webhookBody(a: AlertRecord): WebhookBody {
    return {
      id: a.id,
      kind: a.kind,
      severity: a.severity,
      ...(a.box ? { box: a.box } : {}),
      ...(a.province !== null ? { province: a.province } : {}),
      ...(a.district !== null ? { district: a.district } : {}),
      title: a.title,
      createdAt: a.createdAt,
      url: this.link(a),
    };
  }

  /** Turkish text for push and e-mail; YSK figures only when the recipient may see them. */
  private text(v: AlertView, event: AlertEvent['event']): { short: string; subject: string; body: string } {
    const lead = event === 'escalated' ? `Üst kademeye aktarıldı (${v.level === 'country' ? 'Genel Merkez' : 'il'}): ` : '';
    const fig = v.figures?.totalAbsDifference ? ` Toplam fark: ${v.figures.totalAbsDifference} oy.` : '';
    const severity = v.severity === 'red' ? 'KIRMIZI ALARM' : v.severity === 'amber' ? 'Uyarı' : 'Bilgi';
    const where = [v.province !== null ? `İl ${v.province}` : null, v.district !== null ? `İlçe ${v.district}` : null, v.box ? `Sandık ${v.box}` : null]
      .filter(Boolean)
      .join(' · ');
    const short = `${lead}${v.detail}${fig}`;
    const body = [
      `${severity}: ${v.title}`,
      '',
      short,
      where ? `Yer: ${where}` : '',
      `Zaman: ${new Date(v.createdAt).toLocaleString('tr-TR', { timeZone: 'Europe/Istanbul' })}`,
      '',
      `Uyarıyı açmak ve üstlenmek için ("Ben ilgileniyorum"): ${this.link(v)}`,
      '',
      '— Gözcü seçim gecesi izleme sistemi',
    ]
      .filter((l, i, all) => l !== '' || all[i - 1] !== '')
      .join('\n');
    return { short, subject: `[Gözcü] ${severity}: ${v.title}`, body };
  }

  // ---------------------------------------------------------------- API

  /** The caller's alerts, newest first: those routed to them, shaped by the embargo. */
  async list(user: Principal, q: { unread?: boolean; limit?: number; digest?: string }): Promise<{ items: AlertView[]; unread: number }> {
    const filter: AlertFilter = { digestId: q.digest ?? null };
    switch (user.scope.level) {
      case 'country':
        // HQ roles hold country-level alerts (the feed, escalations to HQ, country-wide digests)
        filter.levels = ['country'];
        break;
      case 'province':
        filter.province = user.scope.province;
        filter.levels = ['province', 'country'];
        break;
      case 'district':
        filter.province = user.scope.province;
        filter.district = user.scope.district;
        break;
      default:
        return { items: [], unread: 0 };
    }
    const limit = q.limit ?? 100;
    const found = (await this.store.alerts(filter, 1000)).filter((a) => isRoutedTo(a, user) && inScope(a, user.scope));
    const read = new Set(
      await this.store.readAlertIds(
        user.userId,
        found.map((a) => a.id),
      ),
    );
    const all = found.map((a) => this.viewFor(a, user, read.has(a.id)));
    const unread = all.filter((a) => !a.read).length;
    const items = (q.unread === undefined ? all : all.filter((a) => !a.read === q.unread)).slice(0, limit);
    return { items, unread };
  }

  async markRead(user: Principal, ids: string[]): Promise<{ unread: number }> {
    const mine: string[] = [];
    for (const id of ids) {
      const a = await this.store.alert(id);
      if (a && isRoutedTo(a, user)) mine.push(id);
    }
    await this.store.markAlertsRead(user.userId, mine, this.clock.iso());
    return { unread: (await this.list(user, { unread: true, limit: 1 })).unread };
  }

  async preferences(userId: string): Promise<AlertPreferences> {
    return { ...DEFAULT_ALERT_PREFERENCES, ...((await this.store.setting<Partial<AlertPreferences>>(prefsKey(userId))) ?? {}) };
  }

  async setPreferences(user: Principal, patch: Partial<AlertPreferences>): Promise<AlertPreferences> {
    const before = await this.preferences(user.userId);
    const after = { ...before, ...patch };
    // the preferences and their audit record in one transaction (issue 13, finding 15)
    await this.store.putSettingAudited(prefsKey(user.userId), after, () => auditEntry(user, 'alert.preferences', `user:${user.userId}`, before, after));
    return after;
  }

  async subscribe(user: Principal, sub: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<void> {
    // the subscription and its audit record in one transaction (issue 13, finding 15)
    await this.store.putPushSubscriptionAudited({ ...sub, userId: user.userId, createdAt: this.clock.iso() }, () =>
      auditEntry(user, 'alert.push.subscribe', `user:${user.userId}`, null, { origin: new URL(sub.endpoint).origin }),
    );
  }

  /** false when the caller holds no subscription at the endpoint (nothing deleted, nothing recorded). */
  async unsubscribe(user: Principal, endpoint: string): Promise<boolean> {
    return this.store.deletePushSubscriptionAudited(endpoint, user.userId, () =>
      auditEntry(user, 'alert.push.unsubscribe', `user:${user.userId}`, { origin: new URL(endpoint).origin }, null),
    );
  }
}
