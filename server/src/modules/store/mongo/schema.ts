import mongoose, { Schema } from 'mongoose';
import type { BoxInfo, Entry, SheetVersion } from '@gozcu/shared';
import type { Incident } from '../store.port';

export interface BoxDoc extends Omit<BoxInfo, 'key'> {
  _id: string;
  latestSeq: number;
  firstPublishedAt: string | null;
}
export type VersionDoc = SheetVersion;
export interface EntryDoc extends Omit<Entry, 'id'> {
  _id: mongoose.Types.ObjectId;
}
export interface IncidentDoc extends Omit<Incident, 'id'> {
  _id: mongoose.Types.ObjectId;
}

export const sheetShape = { type: Schema.Types.Mixed, required: true };

export const schemas = {
  provinces: new Schema({ _id: Number, name: String }, { versionKey: false }),
  districts: new Schema({ _id: Number, province: { type: Number, index: true }, name: String }, { versionKey: false }),
  neighbourhoods: new Schema(
    { _id: Number, district: { type: Number, index: true }, province: Number, name: String, minBox: Number, maxBox: Number },
    { versionKey: false },
  ),
  boxes: new Schema<BoxDoc>(
    {
      _id: String,
      election: String,
      ballot: Number,
      province: Number,
      district: Number,
      boxNo: Number,
      yskBoxId: { type: Number, default: null },
      neighbourhood: { type: Number, default: null },
      rumuz: { type: String, default: undefined },
      kind: { type: String, default: undefined },
      latestSeq: { type: Number, default: 0 },
      // absent until the first version is stored (raised with $min, which sets a missing field)
      firstPublishedAt: { type: String },
    },
    { versionKey: false },
  ).index({ province: 1, district: 1, _id: 1 }),
  versions: new Schema<VersionDoc>(
    {
      key: String,
      seq: Number,
      hash: String,
      sheet: sheetShape,
      yskVersion: { type: Number, default: null },
      yskChangedAt: { type: String, default: null },
      // YSK's numeric change code (Mixed: documents written before hold text)
      changeReason: { type: Schema.Types.Mixed, default: null },
      fetchedAt: String,
    },
    { versionKey: false },
  )
    .index({ key: 1, seq: 1 }, { unique: true })
    .index({ key: 1, hash: 1 }, { unique: true }),
  entries: new Schema<EntryDoc>(
    {
      key: { type: String, index: true },
      hash: String,
      sheet: sheetShape,
      observer: String,
      source: String,
      idempotencyKey: { type: String, unique: true },
      createdAt: String,
      warnings: [String],
    },
    { versionKey: false },
  ),
  incidents: new Schema<IncidentDoc>(
    {
      kind: String,
      scope: String,
      startedAt: String,
      endedAt: { type: String, default: null },
      cause: String,
      details: Schema.Types.Mixed,
      raw: { type: String, default: null },
    },
    { versionKey: false, minimize: false },
  ),
  columnMaps: new Schema(
    { _id: String, election: String, ballot: Number, province: Number, columns: Schema.Types.Mixed, fetchedAt: String },
    { versionKey: false },
  ),
  escalations: new Schema({ key: String, province: Number, district: Number, reason: String, at: String }, { versionKey: false })
    .index({ key: 1, reason: 1 }, { unique: true })
    .index({ province: 1, district: 1, at: 1 }),
  users: new Schema(
    {
      _id: String,
      username: { type: String, unique: true },
      name: String,
      role: String,
      scope: Schema.Types.Mixed,
      passwordHash: String,
      disabled: Boolean,
      failedLogins: Number,
      lockedUntil: { type: String, default: null },
      createdAt: String,
      updatedAt: String,
    },
    { versionKey: false, minimize: false },
  ).index({ 'scope.province': 1, 'scope.district': 1 }),
  refreshTokens: new Schema(
    { _id: String, userId: { type: String, index: true }, createdAt: String, expiresAt: String, revokedAt: { type: String, default: null } },
    { versionKey: false },
  ),
  // append-only: the adapter never updates or deletes audit documents
  audit: new Schema(
    { at: { type: String, index: true }, actor: Schema.Types.Mixed, action: String, target: String, before: Schema.Types.Mixed, after: Schema.Types.Mixed },
    { versionKey: false, minimize: false },
  ),
  settings: new Schema({ _id: String, value: Schema.Types.Mixed }, { versionKey: false, minimize: false }),
  // the voter register: _id is the keyed hash of a TC Kimlik No, never the number
  voters: new Schema({ _id: String, province: Number, district: Number, boxNo: Number, importedAt: String }, { versionKey: false }),
  complaints: new Schema(
    {
      _id: String,
      trackingCode: { type: String, unique: true },
      status: String,
      election: String,
      ballot: { type: Number, default: null },
      key: { type: String, default: null, index: true },
      province: Number,
      district: Number,
      boxNo: Number,
      text: String,
      contact: { type: String, default: null },
      routedTo: [String],
      filedBy: { type: String, default: null },
      petitionId: { type: String, default: null },
      createdAt: String,
      updatedAt: String,
      history: Schema.Types.Mixed,
    },
    { versionKey: false, minimize: false },
  ).index({ province: 1, district: 1, createdAt: -1 }),
  attachments: new Schema(
    {
      _id: String,
      owner: String,
      ownerId: String,
      key: { type: String, default: null },
      kind: String,
      contentType: String,
      bytes: Number,
      sha256: String,
      width: { type: Number, default: null },
      height: { type: Number, default: null },
      shownBlob: String,
      shownContentType: String,
      uploadedAt: String,
      uploadedBy: { type: String, default: null },
    },
    { versionKey: false },
  )
    .index({ owner: 1, ownerId: 1, uploadedAt: 1 })
    .index({ owner: 1, key: 1, uploadedAt: 1 }),
  petitions: new Schema(
    {
      _id: String,
      status: String,
      election: String,
      key: { type: String, index: true },
      province: Number,
      district: Number,
      boxNo: Number,
      ballot: Number,
      complaintId: { type: String, default: null },
      text: Schema.Types.Mixed,
      deadline: String,
      createdAt: String,
      createdBy: String,
      updatedAt: String,
      filedAt: { type: String, default: null },
      filedBy: { type: String, default: null },
      reference: { type: String, default: null },
    },
    { versionKey: false, minimize: false },
  ).index({ province: 1, district: 1, deadline: 1 }),
};
