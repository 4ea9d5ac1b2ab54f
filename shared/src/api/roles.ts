import type { PrincipalScope, ScopeLevel } from './auth';

/**
 * Every permission a role can hold. Routes name the one they need; the server's guard checks
 * it, and the scope of the caller narrows what comes back.
 */
export const PERMISSIONS = [
  /** coverage counters and vote totals of a region */
  'coverage:read',
  /** box lists and box detail */
  'boxes:read',
  /** observer entries of a box (POST /api/entries) */
  'entries:write',
  /** CSV import of entries */
  'entries:import',
  /** confirming one of a box's entries (district data officers) */
  'entries:confirm',
  /** YSK's figures once the embargo is over */
  'ysk:read',
  /** YSK's figures before the embargo ends (HQ roles only, by config) */
  'ysk:read:embargoed',
  /** feed health, incidents, the operator view */
  'feed:read',
  /** pausing and resuming the YSK poller */
  'feed:admin',
  /** creating, listing and importing users */
  'users:admin',
  /** creating and managing accounts below one's own level, inside one's own scope (chairs) */
  'users:delegate',
  /** reading the audit log */
  'audit:read',
  /** setting the YSK embargo time */
  'embargo:admin',
  'complaints:read',
  'complaints:write',
  'complaints:handle',
  'petitions:read',
  'petitions:write',
  /** the citizen look-up of one box */
  'citizen:lookup',
  /** importing the voter-register extract (TC Kimlik No → box, kept as keyed hashes) */
  'voters:import',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface RoleDefinition {
  id: string;
  name: { tr: string; en: string };
  level: ScopeLevel;
  permissions: readonly Permission[];
}

const READ: Permission[] = ['coverage:read', 'boxes:read', 'ysk:read'];
const LEGAL: Permission[] = [...READ, 'complaints:read', 'complaints:handle', 'petitions:read', 'petitions:write'];
const DATA: Permission[] = [...READ, 'entries:write', 'entries:import', 'entries:confirm'];
const OBSERVER: Permission[] = ['boxes:read', 'ysk:read', 'entries:write', 'complaints:write'];
const HQ_SEES_YSK: Permission = 'ysk:read:embargoed';

/**
 * The organisation's 24 user types (issue 7), as data: the guard and the views read this
 * table, no code branches on a role's id.
 */
export const ROLES: readonly RoleDefinition[] = [
  { id: 'hq_admin', name: { tr: 'Genel Merkez Yöneticisi', en: 'HQ administrator' }, level: 'country', permissions: PERMISSIONS },
  {
    id: 'hq_viewer',
    name: { tr: 'Genel Merkez Harekât Odası İzleyicisi', en: 'HQ war-room viewer' },
    level: 'country',
    permissions: [...READ, HQ_SEES_YSK, 'feed:read'],
  },
  { id: 'hq_legal', name: { tr: 'Genel Merkez Hukuk Sorumlusu', en: 'HQ legal' }, level: 'country', permissions: [...LEGAL, HQ_SEES_YSK, 'complaints:write'] },
  {
    id: 'feed_operator',
    name: { tr: 'YSK Veri Akışı Operatörü', en: 'Feed operator' },
    level: 'country',
    permissions: [...READ, HQ_SEES_YSK, 'feed:read', 'feed:admin'],
  },
  {
    id: 'it_admin',
    name: { tr: 'Bilgi İşlem Yöneticisi', en: 'IT administrator' },
    level: 'country',
    permissions: ['coverage:read', 'feed:read', 'users:admin', 'audit:read'],
  },

  {
    id: 'province_chair',
    name: { tr: 'İl Başkanı', en: 'Provincial chair' },
    level: 'province',
    permissions: [...READ, 'feed:read', 'complaints:read', 'petitions:read', 'users:delegate'],
  },
  {
    id: 'province_election_officer',
    name: { tr: 'İl Seçim İşleri Sorumlusu', en: 'Provincial election officer' },
    level: 'province',
    permissions: [...READ, 'feed:read', 'entries:confirm', 'complaints:read'],
  },
  { id: 'province_legal', name: { tr: 'İl Hukuk Sorumlusu', en: 'Provincial legal officer' }, level: 'province', permissions: LEGAL },
  { id: 'province_data', name: { tr: 'İl Veri Sorumlusu', en: 'Provincial data officer' }, level: 'province', permissions: DATA },
  { id: 'province_viewer', name: { tr: 'İl İzleyici', en: 'Provincial viewer' }, level: 'province', permissions: READ },

  {
    id: 'district_chair',
    name: { tr: 'İlçe Başkanı', en: 'District chair' },
    level: 'district',
    permissions: [...READ, 'complaints:read', 'petitions:read', 'users:delegate'],
  },
  {
    id: 'district_election_officer',
    name: { tr: 'İlçe Seçim İşleri Sorumlusu', en: 'District election officer' },
    level: 'district',
    permissions: [...READ, 'entries:confirm', 'complaints:read'],
  },
  { id: 'district_legal', name: { tr: 'İlçe Hukuk Sorumlusu', en: 'District legal officer' }, level: 'district', permissions: LEGAL },
  { id: 'district_data', name: { tr: 'İlçe Veri Sorumlusu', en: 'District data officer' }, level: 'district', permissions: DATA },
  { id: 'district_viewer', name: { tr: 'İlçe İzleyici', en: 'District viewer' }, level: 'district', permissions: READ },

  { id: 'neighbourhood_officer', name: { tr: 'Mahalle Sorumlusu', en: 'Neighbourhood officer' }, level: 'building', permissions: [...OBSERVER] },
  { id: 'building_officer', name: { tr: 'Okul/Bina Sorumlusu', en: 'Building officer' }, level: 'building', permissions: [...OBSERVER] },
  { id: 'box_officer', name: { tr: 'Sandık Sorumlusu (Müşahit)', en: 'Box officer (observer)' }, level: 'box', permissions: OBSERVER },
  { id: 'box_committee_member', name: { tr: 'Sandık Kurulu Üyesi', en: 'Box committee member' }, level: 'box', permissions: OBSERVER },
  { id: 'second_observer', name: { tr: 'İkinci Müşahit', en: 'Second observer' }, level: 'box', permissions: OBSERVER },
  { id: 'abroad_officer', name: { tr: 'Yurt Dışı Temsilcilik Sorumlusu', en: 'Abroad-mission officer' }, level: 'building', permissions: OBSERVER },
  { id: 'customs_box_officer', name: { tr: 'Gümrük Sandığı Sorumlusu', en: 'Customs-box officer' }, level: 'box', permissions: OBSERVER },
  { id: 'prison_box_officer', name: { tr: 'Ceza İnfaz Kurumu Sandık Sorumlusu', en: 'Prison-box officer' }, level: 'box', permissions: OBSERVER },

  { id: 'citizen', name: { tr: 'Vatandaş', en: 'Citizen' }, level: 'public', permissions: ['citizen:lookup', 'complaints:write'] },
];

const byId = new Map(ROLES.map((r) => [r.id, r]));

export function roleById(id: string): RoleDefinition | undefined {
  return byId.get(id);
}

export function hasPermission(principal: { permissions: readonly string[] }, permission: Permission): boolean {
  return principal.permissions.includes(permission);
}

/** What a role's scope must name: a province, a district of a province, box keys, or nothing. */
export function scopeProblem(level: ScopeLevel, scope: Partial<PrincipalScope>): string | null {
  switch (level) {
    case 'country':
    case 'public':
      return null;
    case 'province':
      return scope.province ? null : 'a provincial role needs a province';
    case 'district':
      return scope.province && scope.district ? null : 'a district role needs a province and a district';
    case 'building':
    case 'box':
      return scope.boxes?.length ? null : 'a box-level role needs at least one box';
  }
}

/** A user as the API shows it (never the password hash). */
export interface UserView {
  id: string;
  username: string;
  name: string;
  role: string;
  scope: PrincipalScope;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The signed-in user: `user` in the login answer and `GET /api/auth/me`. */
export interface SessionUser extends Omit<UserView, 'lockedUntil' | 'createdAt' | 'updatedAt' | 'disabled'> {
  permissions: string[];
  roleName: { tr: string; en: string };
}

export interface LoginResponse {
  accessToken: string;
  refreshToken: string;
  /** seconds until the access token expires */
  expiresIn: number;
  user: SessionUser;
}

/** `GET /api/embargo`, and `embargo` in result responses. */
export interface EmbargoState {
  election: string;
  /** when YSK lifts the embargo (ISO time); null: no embargo */
  until: string | null;
  /** true while now < until */
  active: boolean;
  /** true when this caller sees YSK's figures now */
  yskVisible: boolean;
}

/** One line of the append-only audit log (`GET /api/audit`). */
export interface AuditEntry {
  id: string;
  at: string;
  actor: { id: string; username: string; role: string } | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

/** Scope levels from the widest (country) to the narrowest (public): a smaller rank is above. */
export const LEVEL_RANK: Record<ScopeLevel, number> = { country: 0, province: 1, district: 2, building: 3, box: 4, public: 5 };
