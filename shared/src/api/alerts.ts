import type { PrincipalScope } from './auth';

/*
 * Alerts (issue 15): the rules as data, who an alert is routed to, when it escalates, how a storm
 * becomes digests, and what a recipient under the YSK embargo may see. Pure: no I/O, no clock.
 */

export const ALERT_KINDS = ['stale', 'mismatch', 'unexplained_change', 'complaint', 'feed', 'petition_deadline'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SEVERITIES = ['red', 'amber', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Where an alert stands in the organisation: it starts at one level and escalates upwards. */
export const ALERT_LEVELS = ['district', 'province', 'country'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export const ALERT_CHANNELS = ['app', 'push', 'email', 'webhook'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export interface AlertRule {
  kind: AlertKind;
  severity: AlertSeverity;
  /** the level the alert starts at */
  level: AlertLevel;
  /** resolved by the box's (or feed's, petition's) state rather than only acknowledged */
  resolvable: boolean;
  title: { tr: string; en: string };
}

/**
 * The rules, as data. Their thresholds come from config: STALE_AFTER_MINUTES (stale), the
 * reconciliation's mismatch status (which honours entry confirmation), ALERT_DEADLINE_MINUTES
 * (petition deadlines), ALERT_ESCALATE_MINUTES, ALERT_DIGEST_MIN, ALERT_STORM_PROVINCES.
 */
export const ALERT_RULES: Record<AlertKind, AlertRule> = {
  stale: {
    kind: 'stale',
    severity: 'amber',
    level: 'district',
    resolvable: true,
    title: { tr: 'Sandık girilmedi: YSK yayımladı, müşahit tutanağı yok', en: 'Box stale: YSK published, no observer sheet' },
  },
  mismatch: {
    kind: 'mismatch',
    severity: 'red',
    level: 'district',
    resolvable: true,
    title: { tr: 'Uyuşmazlık: YSK ile tutanak farklı', en: 'Mismatch: YSK differs from the sheet' },
  },
  unexplained_change: {
    kind: 'unexplained_change',
    severity: 'red',
    level: 'district',
    resolvable: false,
    title: { tr: 'YSK yayımlanmış sonucu gerekçesiz değiştirdi', en: 'YSK changed a published result without a reason' },
  },
  complaint: {
    kind: 'complaint',
    severity: 'amber',
    level: 'district',
    resolvable: false,
    title: { tr: 'Yeni vatandaş şikâyeti', en: 'New citizen complaint' },
  },
  feed: { kind: 'feed', severity: 'red', level: 'country', resolvable: true, title: { tr: 'YSK veri akışı sağlıklı değil', en: 'YSK feed is not healthy' } },
  petition_deadline: {
    kind: 'petition_deadline',
    severity: 'red',
    level: 'district',
    resolvable: true,
    title: { tr: 'İtiraz süresi doluyor: dilekçe henüz verilmedi', en: 'Objection deadline near: petition not filed' },
  },
};

/** The roles an alert reaches at each level (district chair and legal, the province above them, HQ). */
export const ALERT_ROUTE_ROLES: Record<AlertLevel, readonly string[]> = {
  district: ['district_chair', 'district_legal'],
  province: ['province_chair', 'province_legal'],
  country: ['hq_admin', 'hq_viewer', 'hq_legal'],
};
/** Feed alerts also reach the feed operator. */
export const FEED_ALERT_ROLES: readonly string[] = ['feed_operator'];

export interface AlertAck {
  userId: string;
  username: string;
  name: string;
  at: string;
}

/** What YSK-derived figures an alert may carry (taken out for a recipient under the embargo). */
export interface AlertFigures {
  /** ysk − org per field, only where non-zero */
  differences?: Record<string, number>;
  totalAbsDifference?: number;
  /** YSK's version count / seq */
  versions?: number;
  /** ms since YSK first published the box */
  yskAgeMs?: number | null;
}

/** An alert as the API, the socket and the deliveries carry it. */
export interface AlertView {
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** the box key (box rules) */
  box: string | null;
  province: number | null;
  district: number | null;
  level: AlertLevel;
  status: 'open' | 'resolved';
  title: string;
  /** one line of Turkish detail (never a YSK figure) */
  detail: string;
  createdAt: string;
  updatedAt: string;
  escalatedAt: string | null;
  resolvedAt: string | null;
  ack: AlertAck | null;
  /** a digest stands for this many alerts of one scope (null for a single alert) */
  digestCount: number | null;
  /** the digest this alert was delivered in, if any */
  digestId: string | null;
  /** YSK-derived figures; null for a recipient who may not see YSK yet */
  figures: AlertFigures | null;
  /** for the caller: read */
  read?: boolean;
}

/** The stored alert: the view plus what the server keeps for itself. */
export interface AlertRecord extends Omit<AlertView, 'read'> {
  /** one alert per (rule, subject): `stale:<box key>`, `feed:<since>`, `digest:…` */
  dedupe: string;
  /** compare-and-set revision */
  rev: number;
  /** when it escalates next if nobody takes it (null at the top or once acknowledged) */
  escalateAt: string | null;
}

/** The socket event `alert`: a new alert, or a change to one the recipient holds. */
export interface AlertEvent {
  event: 'new' | 'ack' | 'escalated' | 'resolved';
  alert: AlertView;
}

/** Per-user channel preferences (`PUT /api/alerts/preferences`). */
export interface AlertPreferences {
  push: boolean;
  email: boolean;
  /** where e-mail goes (none: no e-mail) */
  emailAddress: string | null;
  /** lowest severity delivered by push and e-mail (the app shows everything) */
  minSeverity: AlertSeverity;
}

export const DEFAULT_ALERT_PREFERENCES: AlertPreferences = { push: true, email: true, emailAddress: null, minSeverity: 'amber' };

export function severityRank(s: AlertSeverity): number {
  return s === 'red' ? 2 : s === 'amber' ? 1 : 0;
}

export function levelRank(l: AlertLevel): number {
  return ALERT_LEVELS.indexOf(l);
}

/** One level up, or null at HQ. */
export function nextLevel(level: AlertLevel): AlertLevel | null {
  return level === 'district' ? 'province' : level === 'province' ? 'country' : null;
}

export interface Recipient {
  role: string;
  scope: PrincipalScope;
}

/**
 * True when the alert reaches this person now: their role is one the alert's level (or a lower
 * level it escalated through) names, and the alert's region lies inside their scope. Never out
 * of scope: a district role gets only its own district's alerts, a province role only its own
 * province's.
 */
export function isRoutedTo(alert: Pick<AlertView, 'kind' | 'level' | 'province' | 'district'>, who: Recipient): boolean {
  if (!inScope(alert, who.scope)) return false;
  if (alert.kind === 'feed' && FEED_ALERT_ROLES.includes(who.role)) return true;
  const start = levelRank(ALERT_RULES[alert.kind].level);
  for (const level of ALERT_LEVELS) {
    const r = levelRank(level);
    if (r < Math.min(start, levelRank(alert.level)) || r > levelRank(alert.level)) continue;
    if (ALERT_ROUTE_ROLES[level].includes(who.role)) return true;
  }
  return false;
}

/** The alert's region is inside the scope (a country-wide alert only for country scopes). */
export function inScope(alert: Pick<AlertView, 'province' | 'district'>, scope: PrincipalScope): boolean {
  switch (scope.level) {
    case 'country':
      return true;
    case 'province':
      return alert.province !== null && alert.province === scope.province;
    case 'district':
      return alert.province !== null && alert.district !== null && alert.province === scope.province && alert.district === scope.district;
    default:
      return false;
  }
}

/** The roles to look up for an alert at its level (the store is asked per role and region). */
export function routeRolesOf(alert: Pick<AlertView, 'kind' | 'level'>): { level: AlertLevel; role: string }[] {
  const out: { level: AlertLevel; role: string }[] = [];
  const start = levelRank(ALERT_RULES[alert.kind].level);
  for (const level of ALERT_LEVELS) {
    const r = levelRank(level);
    if (r < Math.min(start, levelRank(alert.level)) || r > levelRank(alert.level)) continue;
    for (const role of ALERT_ROUTE_ROLES[level]) out.push({ level, role });
  }
  if (alert.kind === 'feed') for (const role of FEED_ALERT_ROLES) out.push({ level: 'country', role });
  return out;
}

/** What a recipient gets: with YSK figures only when they may see YSK now (the embargo). */
export function alertFor(alert: AlertView, yskVisible: boolean): AlertView {
  return yskVisible ? alert : { ...alert, figures: null };
}

/** Due to go one level up: open, nobody took it, its time has come, and there is a level above. */
export function dueToEscalate(alert: Pick<AlertRecord, 'status' | 'ack' | 'escalateAt' | 'level'>, now: number): boolean {
  return alert.status === 'open' && alert.ack === null && alert.escalateAt !== null && Date.parse(alert.escalateAt) <= now && nextLevel(alert.level) !== null;
}

/** The scope a storm is grouped by: a district, a province, or the country. */
export type DigestScope = { level: 'district'; province: number; district: number } | { level: 'province'; province: number } | { level: 'country' };

export interface DeliveryPlan<A> {
  /** alerts delivered on their own */
  single: A[];
  /** storms: one digest per (kind, scope), standing for its members */
  digests: { kind: AlertKind; scope: DigestScope; members: A[] }[];
}

/**
 * Turns one batch of new alerts into deliveries: within a (kind, district), `digestMin` or more
 * alerts become one district digest instead of that many pushes; when a kind's batch touches
 * `stormProvinces` or more provinces, HQ also gets one country-wide digest of it.
 */
export function planDeliveries<A extends Pick<AlertView, 'kind' | 'province' | 'district'>>(
  batch: readonly A[],
  digestMin: number,
  stormProvinces: number,
): DeliveryPlan<A> {
  const plan: DeliveryPlan<A> = { single: [], digests: [] };
  const groups = new Map<string, A[]>();
  const provincesOfKind = new Map<AlertKind, Map<number, A[]>>();
  for (const a of batch) {
    if (a.province === null || a.district === null) {
      plan.single.push(a);
      continue;
    }
    const g = `${a.kind}|${a.province}|${a.district}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(a);
    let byProvince = provincesOfKind.get(a.kind);
    if (!byProvince) provincesOfKind.set(a.kind, (byProvince = new Map()));
    let pl = byProvince.get(a.province);
    if (!pl) byProvince.set(a.province, (pl = []));
    pl.push(a);
  }
  for (const members of groups.values()) {
    const { kind, province, district } = members[0];
    if (members.length >= digestMin) plan.digests.push({ kind, scope: { level: 'district', province: province!, district: district! }, members });
    else plan.single.push(...members);
  }
  for (const [kind, byProvince] of provincesOfKind) {
    if (byProvince.size < stormProvinces) continue;
    plan.digests.push({ kind, scope: { level: 'country' }, members: [...byProvince.values()].flat() });
  }
  return plan;
}

/** Turkish text of a digest. */
export function digestTitle(kind: AlertKind, count: number, scope: DigestScope): string {
  const where = scope.level === 'country' ? 'ülke genelinde' : scope.level === 'province' ? `il ${scope.province}` : `ilçe ${scope.district}`;
  return `${count} uyarı (${where}): ${ALERT_RULES[kind].title.tr}`;
}
