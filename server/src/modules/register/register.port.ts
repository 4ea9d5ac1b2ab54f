import type { LostVoterCaseView, RegisterAnomalyKind, RegisterAnomalyView, RegisterStatus } from '@gozcu/shared';

export const REGISTER_STORE = Symbol('REGISTER_STORE');

/**
 * One voter of the register, minimised to what the checks need: the TC Kimlik No and the
 * normalised name only as keyed hashes (HMAC), the birth year, a keyed address key, the box.
 */
export interface RegisterVoterRow {
  hash: string;
  province: number;
  district: number;
  boxNo: number;
  nameKey: string;
  birthYear: number;
  addressKey: string;
}

/** A box as the lists name it: its neighbourhood and school (ballot-box building). */
export interface RegisterBoxRow {
  province: number;
  district: number;
  boxNo: number;
  neighbourhood: string | null;
  school: string | null;
}

/** An address in clear, once per address (no person attached): what an objection has to name. */
export interface RegisterAddressRow {
  addressKey: string;
  province: number;
  district: number;
  text: string;
}

/** A voter as a bulk merge hands it back: what the TC look-up's store needs. */
export interface RegisterMergedVoter {
  hash: string;
  province: number;
  district: number;
  boxNo: number;
}

export interface RegisterImportRecord {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  by: string | null;
  rows: number;
  stored: number;
  rejected: number;
  provinces: number[];
}

export interface RegisterVoterFound {
  province: number;
  district: number;
  boxNo: number;
  neighbourhood: string | null;
  school: string | null;
}

/** Per box: its voters, and those first seen in the given import. */
export interface RegisterBoxStat {
  district: number;
  boxNo: number;
  voters: number;
  fresh: number;
}

export interface RegisterAddressStat {
  district: number;
  addressKey: string;
  voters: number;
  boxes: number[];
}

export interface RegisterAgeStat {
  district: number;
  boxNo: number;
  birthYears: number[];
}

export interface RegisterDuplicateStat {
  nameKey: string;
  birthYear: number;
  /** the province's voters with this name key, whatever their birth year */
  holders: number;
  registrations: { district: number; boxNo: number }[];
}

export type RegisterAnomalyRecord = RegisterAnomalyView;
export type LostVoterCaseRecord = LostVoterCaseView & { hash: string | null };

export interface RegisterFilter {
  province?: number;
  district?: number;
  kind?: RegisterAnomalyKind;
  status?: RegisterStatus;
}

/** Counts per district and status. */
export interface RegisterStatusCount {
  province: number;
  district: number;
  status: RegisterStatus;
  n: number;
}

/**
 * The register's own small store (its own SQLite file or MongoDB collections), apart from the
 * main Store so a national import never contends with the election night's writes.
 * MongoDB without multi-document transactions: upserts by natural keys and unique indexes.
 */
export interface RegisterStore {
  init(): Promise<void>;
  close(): Promise<void>;
  /** A new import's id (strictly increasing). */
  beginImport(startedAt: string, by: string | null): Promise<number>;
  finishImport(id: number, patch: Pick<RegisterImportRecord, 'finishedAt' | 'rows' | 'stored' | 'rejected' | 'provinces'>): Promise<void>;
  imports(limit?: number): Promise<RegisterImportRecord[]>;
  /** Upserts by hash: a voter keeps the import it was first seen in; answers how many were written. */
  putVoters(rows: RegisterVoterRow[], importId: number): Promise<number>;
  putBoxes(rows: RegisterBoxRow[]): Promise<void>;
  /**
   * A bulk load, for an import of any size: rows (and new addresses) are staged as they arrive;
   * mergeStaged then leaves them as putVoters and putAddresses would (repeats of a hash: the last
   * wins; an address key: the first text stays) and hands the import's voters back in pages, in
   * hash order. SQLite stages in a file of its own and merges in key order (nothing visible
   * before the merge, nothing left by a stage never merged); MongoDB writes at once.
   */
  stageVoters(rows: RegisterVoterRow[], addresses: RegisterAddressRow[], importId: number): Promise<void>;
  mergeStaged(importId: number): AsyncIterable<RegisterMergedVoter[]>;
  /** Keeps the first text of each address key. */
  putAddresses(rows: RegisterAddressRow[]): Promise<void>;
  voterByHash(hash: string): Promise<RegisterVoterFound | null>;
  voterCount(province?: number): Promise<number>;
  address(addressKey: string): Promise<RegisterAddressRow | null>;
  // the checks, each bounded in memory by the store (aggregations, not scans into the process)
  boxStats(province: number, importId: number): Promise<RegisterBoxStat[]>;
  crowdedAddresses(province: number, moreThan: number): Promise<RegisterAddressStat[]>;
  /** Voters born before `minYear` or after `maxYear`, grouped per box. */
  implausibleAges(province: number, minYear: number, maxYear: number): Promise<RegisterAgeStat[]>;
  /** (name, birth year) pairs held by more than one voter, among names held by at most `maxHolders` voters of the province (bounded: a common name is skipped in the store). */
  duplicates(province: number, maxHolders?: number): Promise<RegisterDuplicateStat[]>;
  /** The province's voters per birth year (the chance of a shared birth year by coincidence). */
  birthYearCounts(province: number): Promise<{ birthYear: number; n: number }[]>;
  /** Inserts or refreshes the evidence of an anomaly by id; its status and petition stay. */
  upsertAnomaly(a: RegisterAnomalyRecord): Promise<void>;
  /** The same for many (one transaction in SQLite, one unordered bulk write in MongoDB). */
  upsertAnomalies(list: RegisterAnomalyRecord[]): Promise<void>;
  anomaly(id: string): Promise<RegisterAnomalyRecord | null>;
  anomalies(filter: RegisterFilter, limit?: number): Promise<RegisterAnomalyRecord[]>;
  /** Sets status (and petition) only while the status is `expected`; null otherwise. */
  setAnomalyStatus(id: string, expected: RegisterStatus, status: RegisterStatus, at: string, petitionId?: string): Promise<RegisterAnomalyRecord | null>;
  createCase(c: LostVoterCaseRecord): Promise<void>;
  case(id: string): Promise<LostVoterCaseRecord | null>;
  cases(filter: Omit<RegisterFilter, 'kind'>, limit?: number): Promise<LostVoterCaseRecord[]>;
  setCaseStatus(id: string, expected: RegisterStatus, status: RegisterStatus, at: string, petitionId?: string): Promise<LostVoterCaseRecord | null>;
  anomalyCounts(province?: number): Promise<RegisterStatusCount[]>;
  caseCounts(province?: number): Promise<RegisterStatusCount[]>;
}
