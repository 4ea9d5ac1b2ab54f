import type { Store } from './store.port';
import { SqliteAlerts } from './sqlite/alerts.repo';
import { SqliteAttachments } from './sqlite/attachments.repo';
import { SqliteAudit } from './sqlite/audit.repo';
import { SqliteBlobs } from './sqlite/blobs.repo';
import { SqliteChanges } from './sqlite/changes.repo';
import { SqliteComplaints } from './sqlite/complaints.repo';
import { SqliteContext, type SqliteOptions } from './sqlite/context';
import { SqliteEntries } from './sqlite/entries.repo';
import { SqliteEscalations } from './sqlite/escalations.repo';
import { SqliteFeed } from './sqlite/feed.repo';
import { SqliteGeography } from './sqlite/geography.repo';
import { SqlitePetitions } from './sqlite/petitions.repo';
import { SqliteSettings } from './sqlite/settings.repo';
import { SqliteUsers } from './sqlite/users.repo';
import { SqliteVersions } from './sqlite/versions.repo';
import { SqliteVoters } from './sqlite/voters.repo';

export { SheetCodec } from './sqlite/sheet-codec';

/** The repositories of one open file, each over the shared context (a repository whose changes another's join is given it). */
function repositories(c: SqliteContext) {
  const versions = new SqliteVersions(c);
  const audit = new SqliteAudit(c);
  const settings = new SqliteSettings(c, audit);
  const attachments = new SqliteAttachments(c, audit);
  return {
    geography: new SqliteGeography(c, versions),
    versions,
    entries: new SqliteEntries(c, versions, audit),
    feed: new SqliteFeed(c),
    escalations: new SqliteEscalations(c),
    users: new SqliteUsers(c, audit),
    audit,
    settings,
    voters: new SqliteVoters(c, audit),
    complaints: new SqliteComplaints(c, audit, attachments),
    attachments,
    blobs: new SqliteBlobs(c),
    petitions: new SqlitePetitions(c, audit, settings),
    alerts: new SqliteAlerts(c, audit),
    changes: new SqliteChanges(c),
  };
}

/**
 * The embedded store: one SQLite file in WAL mode (sqlite/context.ts), one adapter per repository
 * of the port (sqlite/*.repo.ts); this class only opens and closes the file and hands each call to
 * its repository.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly c: SqliteContext;
  private r!: ReturnType<typeof repositories>;

  /**
   * `file` is the SQLite file; blobs (uploaded files) live in `files/` beside it. A write waits at
   * most `busyTimeoutMs` for a write lock another connection holds, then fails with SQLITE_BUSY
   * (the API answers 503). `foldAt`: how many boxes the append path holds changed before it folds
   * them into `boxes` (FOLD_AT; tests set it low).
   */
  constructor(file: string, opts: SqliteOptions = {}) {
    this.c = new SqliteContext(file, opts);
  }

  /** The connection (tests read the file through it). */
  private get db() {
    return this.c.db;
  }

  async init(): Promise<void> {
    this.c.open();
    this.r = repositories(this.c);
    this.r.versions.recover();
  }

  async close(): Promise<void> {
    if (this.c.isOpen) {
      try {
        this.r.versions.fold();
      } finally {
        this.c.close();
      }
    }
  }

  async ping(): Promise<void> {
    this.c.ping();
  }

  // GeographyRepository
  readonly upsertProvinces: SqliteGeography['upsertProvinces'] = (...a) => this.r.geography.upsertProvinces(...a);
  readonly upsertDistricts: SqliteGeography['upsertDistricts'] = (...a) => this.r.geography.upsertDistricts(...a);
  readonly upsertNeighbourhoods: SqliteGeography['upsertNeighbourhoods'] = (...a) => this.r.geography.upsertNeighbourhoods(...a);
  readonly provinces: SqliteGeography['provinces'] = (...a) => this.r.geography.provinces(...a);
  readonly districts: SqliteGeography['districts'] = (...a) => this.r.geography.districts(...a);
  readonly neighbourhoods: SqliteGeography['neighbourhoods'] = (...a) => this.r.geography.neighbourhoods(...a);
  readonly upsertBoxes: SqliteGeography['upsertBoxes'] = (...a) => this.r.geography.upsertBoxes(...a);
  // VersionsRepository
  readonly appendVersions: SqliteVersions['appendVersions'] = (...a) => this.r.versions.appendVersions(...a);
  readonly latestVersion: SqliteVersions['latestVersion'] = (...a) => this.r.versions.latestVersion(...a);
  readonly versions: SqliteVersions['versions'] = (...a) => this.r.versions.versions(...a);
  readonly box: SqliteVersions['box'] = (...a) => this.r.versions.box(...a);
  readonly boxes: SqliteVersions['boxes'] = (...a) => this.r.versions.boxes(...a);
  readonly onRegister: SqliteVersions['onRegister'] = (...a) => this.r.versions.onRegister(...a);
  readonly rebuildBoxes: SqliteVersions['rebuildBoxes'] = (...a) => this.r.versions.rebuildBoxes(...a);
  // EntriesRepository
  readonly appendEntry: SqliteEntries['appendEntry'] = (...a) => this.r.entries.appendEntry(...a);
  readonly entries: SqliteEntries['entries'] = (...a) => this.r.entries.entries(...a);
  readonly entriesOf: SqliteEntries['entriesOf'] = (...a) => this.r.entries.entriesOf(...a);
  readonly rebuildEntries: SqliteEntries['rebuildEntries'] = (...a) => this.r.entries.rebuildEntries(...a);
  readonly appendEntriesAudited: SqliteEntries['appendEntriesAudited'] = (...a) => this.r.entries.appendEntriesAudited(...a);
  // FeedRepository
  readonly putColumnMap: SqliteFeed['putColumnMap'] = (...a) => this.r.feed.putColumnMap(...a);
  readonly columnMap: SqliteFeed['columnMap'] = (...a) => this.r.feed.columnMap(...a);
  readonly openIncident: SqliteFeed['openIncident'] = (...a) => this.r.feed.openIncident(...a);
  readonly closeIncident: SqliteFeed['closeIncident'] = (...a) => this.r.feed.closeIncident(...a);
  readonly incidents: SqliteFeed['incidents'] = (...a) => this.r.feed.incidents(...a);
  // EscalationsRepository
  readonly escalate: SqliteEscalations['escalate'] = (...a) => this.r.escalations.escalate(...a);
  readonly escalateMany: SqliteEscalations['escalateMany'] = (...a) => this.r.escalations.escalateMany(...a);
  readonly escalations: SqliteEscalations['escalations'] = (...a) => this.r.escalations.escalations(...a);
  // UsersRepository
  readonly createUser: SqliteUsers['createUser'] = (...a) => this.r.users.createUser(...a);
  readonly userById: SqliteUsers['userById'] = (...a) => this.r.users.userById(...a);
  readonly userByName: SqliteUsers['userByName'] = (...a) => this.r.users.userByName(...a);
  readonly users: SqliteUsers['users'] = (...a) => this.r.users.users(...a);
  readonly updateUser: SqliteUsers['updateUser'] = (...a) => this.r.users.updateUser(...a);
  readonly countFailedLogin: SqliteUsers['countFailedLogin'] = (...a) => this.r.users.countFailedLogin(...a);
  readonly putRefreshToken: SqliteUsers['putRefreshToken'] = (...a) => this.r.users.putRefreshToken(...a);
  readonly refreshToken: SqliteUsers['refreshToken'] = (...a) => this.r.users.refreshToken(...a);
  readonly revokeRefreshToken: SqliteUsers['revokeRefreshToken'] = (...a) => this.r.users.revokeRefreshToken(...a);
  readonly revokeRefreshTokens: SqliteUsers['revokeRefreshTokens'] = (...a) => this.r.users.revokeRefreshTokens(...a);
  readonly createUserAudited: SqliteUsers['createUserAudited'] = (...a) => this.r.users.createUserAudited(...a);
  readonly updateUserAudited: SqliteUsers['updateUserAudited'] = (...a) => this.r.users.updateUserAudited(...a);
  // AuditRepository
  readonly appendAudit: SqliteAudit['appendAudit'] = (...a) => this.r.audit.appendAudit(...a);
  readonly audit: SqliteAudit['audit'] = (...a) => this.r.audit.audit(...a);
  // SettingsRepository
  readonly setting = <T = unknown>(key: string): Promise<T | null> => this.r.settings.setting<T>(key);
  readonly putSetting: SqliteSettings['putSetting'] = (...a) => this.r.settings.putSetting(...a);
  readonly putSettingAudited: SqliteSettings['putSettingAudited'] = (...a) => this.r.settings.putSettingAudited(...a);
  // VotersRepository
  readonly putVoters: SqliteVoters['putVoters'] = (...a) => this.r.voters.putVoters(...a);
  readonly voterByHash: SqliteVoters['voterByHash'] = (...a) => this.r.voters.voterByHash(...a);
  readonly voterCount: SqliteVoters['voterCount'] = (...a) => this.r.voters.voterCount(...a);
  readonly putVotersAudited: SqliteVoters['putVotersAudited'] = (...a) => this.r.voters.putVotersAudited(...a);
  // ComplaintsRepository
  readonly createComplaint: SqliteComplaints['createComplaint'] = (...a) => this.r.complaints.createComplaint(...a);
  readonly complaint: SqliteComplaints['complaint'] = (...a) => this.r.complaints.complaint(...a);
  readonly complaintByCode: SqliteComplaints['complaintByCode'] = (...a) => this.r.complaints.complaintByCode(...a);
  readonly updateComplaint: SqliteComplaints['updateComplaint'] = (...a) => this.r.complaints.updateComplaint(...a);
  readonly complaints: SqliteComplaints['complaints'] = (...a) => this.r.complaints.complaints(...a);
  readonly complaintCounts: SqliteComplaints['complaintCounts'] = (...a) => this.r.complaints.complaintCounts(...a);
  readonly createComplaintAudited: SqliteComplaints['createComplaintAudited'] = (...a) => this.r.complaints.createComplaintAudited(...a);
  readonly updateComplaintAudited: SqliteComplaints['updateComplaintAudited'] = (...a) => this.r.complaints.updateComplaintAudited(...a);
  // AttachmentsRepository
  readonly putAttachment: SqliteAttachments['putAttachment'] = (...a) => this.r.attachments.putAttachment(...a);
  readonly attachment: SqliteAttachments['attachment'] = (...a) => this.r.attachments.attachment(...a);
  readonly attachments: SqliteAttachments['attachments'] = (...a) => this.r.attachments.attachments(...a);
  readonly putAttachmentAudited: SqliteAttachments['putAttachmentAudited'] = (...a) => this.r.attachments.putAttachmentAudited(...a);
  // BlobsRepository
  readonly putBlob: SqliteBlobs['putBlob'] = (...a) => this.r.blobs.putBlob(...a);
  readonly blob: SqliteBlobs['blob'] = (...a) => this.r.blobs.blob(...a);
  // PetitionsRepository
  readonly createPetition: SqlitePetitions['createPetition'] = (...a) => this.r.petitions.createPetition(...a);
  readonly petition: SqlitePetitions['petition'] = (...a) => this.r.petitions.petition(...a);
  readonly updatePetition: SqlitePetitions['updatePetition'] = (...a) => this.r.petitions.updatePetition(...a);
  readonly petitions: SqlitePetitions['petitions'] = (...a) => this.r.petitions.petitions(...a);
  readonly createPetitionAudited: SqlitePetitions['createPetitionAudited'] = (...a) => this.r.petitions.createPetitionAudited(...a);
  readonly updatePetitionAudited: SqlitePetitions['updatePetitionAudited'] = (...a) => this.r.petitions.updatePetitionAudited(...a);
  readonly moveDraftDeadlinesAudited: SqlitePetitions['moveDraftDeadlinesAudited'] = (...a) => this.r.petitions.moveDraftDeadlinesAudited(...a);
  // AlertsRepository
  readonly createAlert: SqliteAlerts['createAlert'] = (...a) => this.r.alerts.createAlert(...a);
  readonly alert: SqliteAlerts['alert'] = (...a) => this.r.alerts.alert(...a);
  readonly updateAlert: SqliteAlerts['updateAlert'] = (...a) => this.r.alerts.updateAlert(...a);
  readonly alerts: SqliteAlerts['alerts'] = (...a) => this.r.alerts.alerts(...a);
  readonly heldAlertDedupes: SqliteAlerts['heldAlertDedupes'] = (...a) => this.r.alerts.heldAlertDedupes(...a);
  readonly markAlertsRead: SqliteAlerts['markAlertsRead'] = (...a) => this.r.alerts.markAlertsRead(...a);
  readonly readAlertIds: SqliteAlerts['readAlertIds'] = (...a) => this.r.alerts.readAlertIds(...a);
  readonly putPushSubscription: SqliteAlerts['putPushSubscription'] = (...a) => this.r.alerts.putPushSubscription(...a);
  readonly pushSubscriptions: SqliteAlerts['pushSubscriptions'] = (...a) => this.r.alerts.pushSubscriptions(...a);
  readonly deletePushSubscription: SqliteAlerts['deletePushSubscription'] = (...a) => this.r.alerts.deletePushSubscription(...a);
  readonly putPushSubscriptionAudited: SqliteAlerts['putPushSubscriptionAudited'] = (...a) => this.r.alerts.putPushSubscriptionAudited(...a);
  readonly deletePushSubscriptionAudited: SqliteAlerts['deletePushSubscriptionAudited'] = (...a) => this.r.alerts.deletePushSubscriptionAudited(...a);
  readonly createAlertAudited: SqliteAlerts['createAlertAudited'] = (...a) => this.r.alerts.createAlertAudited(...a);
  readonly updateAlertAudited: SqliteAlerts['updateAlertAudited'] = (...a) => this.r.alerts.updateAlertAudited(...a);
  // ChangesRepository
  readonly watermark: SqliteChanges['watermark'] = (...a) => this.r.changes.watermark(...a);
  readonly changedSince: SqliteChanges['changedSince'] = (...a) => this.r.changes.changedSince(...a);
}
