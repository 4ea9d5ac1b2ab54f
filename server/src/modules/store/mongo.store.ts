import type { Store } from './store.port';
import { MongoAlerts } from './mongo/alerts.repo';
import { MongoAttachments } from './mongo/attachments.repo';
import { MongoAudit } from './mongo/audit.repo';
import { MongoBlobs } from './mongo/blobs.repo';
import { MongoChanges } from './mongo/changes.repo';
import { MongoComplaints } from './mongo/complaints.repo';
import { MongoContext } from './mongo/context';
import { MongoEntries } from './mongo/entries.repo';
import { MongoEscalations } from './mongo/escalations.repo';
import { MongoFeed } from './mongo/feed.repo';
import { MongoGeography } from './mongo/geography.repo';
import { MongoPetitions } from './mongo/petitions.repo';
import { MongoSettings } from './mongo/settings.repo';
import { MongoUsers } from './mongo/users.repo';
import { MongoVersions } from './mongo/versions.repo';
import { MongoVoters } from './mongo/voters.repo';

/** The repositories over one connection (a repository whose changes another's depend on is given it). */
function repositories(c: MongoContext) {
  const geography = new MongoGeography(c);
  const audit = new MongoAudit(c);
  const settings = new MongoSettings(c, audit);
  return {
    geography,
    versions: new MongoVersions(c, geography),
    entries: new MongoEntries(c, geography),
    feed: new MongoFeed(c),
    escalations: new MongoEscalations(c),
    users: new MongoUsers(c, audit),
    audit,
    settings,
    voters: new MongoVoters(c, audit),
    complaints: new MongoComplaints(c, audit),
    attachments: new MongoAttachments(c, audit),
    blobs: new MongoBlobs(c),
    petitions: new MongoPetitions(c, audit, settings),
    alerts: new MongoAlerts(c, audit),
    changes: new MongoChanges(),
  };
}

/**
 * The scale-out store: MongoDB through mongoose (mongo/context.ts), one adapter per repository of
 * the port (mongo/*.repo.ts); this class only connects and hands each call to its repository.
 * Uses no multi-document transaction (so it runs on FerretDB as on MongoDB, replica set or not):
 * unique indexes, ordered bulk inserts and idempotent upserts keep it consistent across nodes and
 * retries (see MongoVersions.appendVersions).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  private readonly c: MongoContext;
  private readonly r: ReturnType<typeof repositories>;

  constructor(url: string, dbName?: string) {
    this.c = new MongoContext(url, dbName);
    this.r = repositories(this.c);
  }

  async init(): Promise<void> {
    await this.c.open();
  }

  async close(): Promise<void> {
    await this.c.close();
  }

  async ping(): Promise<void> {
    await this.c.ping();
  }

  // GeographyRepository
  readonly upsertProvinces: MongoGeography['upsertProvinces'] = (...a) => this.r.geography.upsertProvinces(...a);
  readonly upsertDistricts: MongoGeography['upsertDistricts'] = (...a) => this.r.geography.upsertDistricts(...a);
  readonly upsertNeighbourhoods: MongoGeography['upsertNeighbourhoods'] = (...a) => this.r.geography.upsertNeighbourhoods(...a);
  readonly provinces: MongoGeography['provinces'] = (...a) => this.r.geography.provinces(...a);
  readonly districts: MongoGeography['districts'] = (...a) => this.r.geography.districts(...a);
  readonly neighbourhoods: MongoGeography['neighbourhoods'] = (...a) => this.r.geography.neighbourhoods(...a);
  readonly upsertBoxes: MongoGeography['upsertBoxes'] = (...a) => this.r.geography.upsertBoxes(...a);
  // VersionsRepository
  readonly appendVersions: MongoVersions['appendVersions'] = (...a) => this.r.versions.appendVersions(...a);
  readonly latestVersion: MongoVersions['latestVersion'] = (...a) => this.r.versions.latestVersion(...a);
  readonly versions: MongoVersions['versions'] = (...a) => this.r.versions.versions(...a);
  readonly box: MongoVersions['box'] = (...a) => this.r.versions.box(...a);
  readonly boxes: MongoVersions['boxes'] = (...a) => this.r.versions.boxes(...a);
  readonly onRegister: MongoVersions['onRegister'] = (...a) => this.r.versions.onRegister(...a);
  readonly rebuildBoxes: MongoVersions['rebuildBoxes'] = (...a) => this.r.versions.rebuildBoxes(...a);
  // EntriesRepository
  readonly appendEntry: MongoEntries['appendEntry'] = (...a) => this.r.entries.appendEntry(...a);
  readonly entries: MongoEntries['entries'] = (...a) => this.r.entries.entries(...a);
  readonly entriesOf: MongoEntries['entriesOf'] = (...a) => this.r.entries.entriesOf(...a);
  readonly rebuildEntries: MongoEntries['rebuildEntries'] = (...a) => this.r.entries.rebuildEntries(...a);
  readonly appendEntriesAudited: MongoEntries['appendEntriesAudited'] = (...a) => this.r.entries.appendEntriesAudited(...a);
  // FeedRepository
  readonly putColumnMap: MongoFeed['putColumnMap'] = (...a) => this.r.feed.putColumnMap(...a);
  readonly columnMap: MongoFeed['columnMap'] = (...a) => this.r.feed.columnMap(...a);
  readonly openIncident: MongoFeed['openIncident'] = (...a) => this.r.feed.openIncident(...a);
  readonly closeIncident: MongoFeed['closeIncident'] = (...a) => this.r.feed.closeIncident(...a);
  readonly incidents: MongoFeed['incidents'] = (...a) => this.r.feed.incidents(...a);
  // EscalationsRepository
  readonly escalate: MongoEscalations['escalate'] = (...a) => this.r.escalations.escalate(...a);
  readonly escalateMany: MongoEscalations['escalateMany'] = (...a) => this.r.escalations.escalateMany(...a);
  readonly escalations: MongoEscalations['escalations'] = (...a) => this.r.escalations.escalations(...a);
  // UsersRepository
  readonly createUser: MongoUsers['createUser'] = (...a) => this.r.users.createUser(...a);
  readonly userById: MongoUsers['userById'] = (...a) => this.r.users.userById(...a);
  readonly userByName: MongoUsers['userByName'] = (...a) => this.r.users.userByName(...a);
  readonly users: MongoUsers['users'] = (...a) => this.r.users.users(...a);
  readonly updateUser: MongoUsers['updateUser'] = (...a) => this.r.users.updateUser(...a);
  readonly countFailedLogin: MongoUsers['countFailedLogin'] = (...a) => this.r.users.countFailedLogin(...a);
  readonly putRefreshToken: MongoUsers['putRefreshToken'] = (...a) => this.r.users.putRefreshToken(...a);
  readonly refreshToken: MongoUsers['refreshToken'] = (...a) => this.r.users.refreshToken(...a);
  readonly revokeRefreshToken: MongoUsers['revokeRefreshToken'] = (...a) => this.r.users.revokeRefreshToken(...a);
  readonly revokeRefreshTokens: MongoUsers['revokeRefreshTokens'] = (...a) => this.r.users.revokeRefreshTokens(...a);
  readonly createUserAudited: MongoUsers['createUserAudited'] = (...a) => this.r.users.createUserAudited(...a);
  readonly updateUserAudited: MongoUsers['updateUserAudited'] = (...a) => this.r.users.updateUserAudited(...a);
  // AuditRepository
  readonly appendAudit: MongoAudit['appendAudit'] = (...a) => this.r.audit.appendAudit(...a);
  readonly audit: MongoAudit['audit'] = (...a) => this.r.audit.audit(...a);
  // SettingsRepository
  readonly setting = <T = unknown>(key: string): Promise<T | null> => this.r.settings.setting<T>(key);
  readonly putSetting: MongoSettings['putSetting'] = (...a) => this.r.settings.putSetting(...a);
  readonly putSettingAudited: MongoSettings['putSettingAudited'] = (...a) => this.r.settings.putSettingAudited(...a);
  // VotersRepository
  readonly putVoters: MongoVoters['putVoters'] = (...a) => this.r.voters.putVoters(...a);
  readonly voterByHash: MongoVoters['voterByHash'] = (...a) => this.r.voters.voterByHash(...a);
  readonly voterCount: MongoVoters['voterCount'] = (...a) => this.r.voters.voterCount(...a);
  readonly putVotersAudited: MongoVoters['putVotersAudited'] = (...a) => this.r.voters.putVotersAudited(...a);
  // ComplaintsRepository
  readonly createComplaint: MongoComplaints['createComplaint'] = (...a) => this.r.complaints.createComplaint(...a);
  readonly complaint: MongoComplaints['complaint'] = (...a) => this.r.complaints.complaint(...a);
  readonly complaintByCode: MongoComplaints['complaintByCode'] = (...a) => this.r.complaints.complaintByCode(...a);
  readonly updateComplaint: MongoComplaints['updateComplaint'] = (...a) => this.r.complaints.updateComplaint(...a);
  readonly complaints: MongoComplaints['complaints'] = (...a) => this.r.complaints.complaints(...a);
  readonly complaintCounts: MongoComplaints['complaintCounts'] = (...a) => this.r.complaints.complaintCounts(...a);
  readonly createComplaintAudited: MongoComplaints['createComplaintAudited'] = (...a) => this.r.complaints.createComplaintAudited(...a);
  readonly updateComplaintAudited: MongoComplaints['updateComplaintAudited'] = (...a) => this.r.complaints.updateComplaintAudited(...a);
  // AttachmentsRepository
  readonly putAttachment: MongoAttachments['putAttachment'] = (...a) => this.r.attachments.putAttachment(...a);
  readonly attachment: MongoAttachments['attachment'] = (...a) => this.r.attachments.attachment(...a);
  readonly attachments: MongoAttachments['attachments'] = (...a) => this.r.attachments.attachments(...a);
  readonly putAttachmentAudited: MongoAttachments['putAttachmentAudited'] = (...a) => this.r.attachments.putAttachmentAudited(...a);
  // BlobsRepository
  readonly putBlob: MongoBlobs['putBlob'] = (...a) => this.r.blobs.putBlob(...a);
  readonly blob: MongoBlobs['blob'] = (...a) => this.r.blobs.blob(...a);
  // PetitionsRepository
  readonly createPetition: MongoPetitions['createPetition'] = (...a) => this.r.petitions.createPetition(...a);
  readonly petition: MongoPetitions['petition'] = (...a) => this.r.petitions.petition(...a);
  readonly updatePetition: MongoPetitions['updatePetition'] = (...a) => this.r.petitions.updatePetition(...a);
  readonly petitions: MongoPetitions['petitions'] = (...a) => this.r.petitions.petitions(...a);
  readonly createPetitionAudited: MongoPetitions['createPetitionAudited'] = (...a) => this.r.petitions.createPetitionAudited(...a);
  readonly updatePetitionAudited: MongoPetitions['updatePetitionAudited'] = (...a) => this.r.petitions.updatePetitionAudited(...a);
  readonly moveDraftDeadlinesAudited: MongoPetitions['moveDraftDeadlinesAudited'] = (...a) => this.r.petitions.moveDraftDeadlinesAudited(...a);
  // AlertsRepository
  readonly createAlert: MongoAlerts['createAlert'] = (...a) => this.r.alerts.createAlert(...a);
  readonly alert: MongoAlerts['alert'] = (...a) => this.r.alerts.alert(...a);
  readonly updateAlert: MongoAlerts['updateAlert'] = (...a) => this.r.alerts.updateAlert(...a);
  readonly alerts: MongoAlerts['alerts'] = (...a) => this.r.alerts.alerts(...a);
  readonly heldAlertDedupes: MongoAlerts['heldAlertDedupes'] = (...a) => this.r.alerts.heldAlertDedupes(...a);
  readonly markAlertsRead: MongoAlerts['markAlertsRead'] = (...a) => this.r.alerts.markAlertsRead(...a);
  readonly readAlertIds: MongoAlerts['readAlertIds'] = (...a) => this.r.alerts.readAlertIds(...a);
  readonly putPushSubscription: MongoAlerts['putPushSubscription'] = (...a) => this.r.alerts.putPushSubscription(...a);
  readonly pushSubscriptions: MongoAlerts['pushSubscriptions'] = (...a) => this.r.alerts.pushSubscriptions(...a);
  readonly deletePushSubscription: MongoAlerts['deletePushSubscription'] = (...a) => this.r.alerts.deletePushSubscription(...a);
  readonly putPushSubscriptionAudited: MongoAlerts['putPushSubscriptionAudited'] = (...a) => this.r.alerts.putPushSubscriptionAudited(...a);
  readonly deletePushSubscriptionAudited: MongoAlerts['deletePushSubscriptionAudited'] = (...a) => this.r.alerts.deletePushSubscriptionAudited(...a);
  readonly createAlertAudited: MongoAlerts['createAlertAudited'] = (...a) => this.r.alerts.createAlertAudited(...a);
  readonly updateAlertAudited: MongoAlerts['updateAlertAudited'] = (...a) => this.r.alerts.updateAlertAudited(...a);
  // ChangesRepository
  readonly watermark: MongoChanges['watermark'] = (...a) => this.r.changes.watermark(...a);
  readonly changedSince: MongoChanges['changedSince'] = (...a) => this.r.changes.changedSince(...a);
}
