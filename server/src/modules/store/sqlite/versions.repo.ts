import type Database from 'better-sqlite3';
import { decideAppend, kindOfPlace, versionAt, type BoxInfo, type SheetVersion } from '@gozcu/shared';
import type { AppendOutcome, BoxFilter, BoxWithLatest, NewVersion, RebuildBox, VersionsRepository } from '../store.port';
import { rebuildBoxOf } from '../store.port';
import type { SqliteContext } from './context';
import { boxParams, reasonCode, scopeWhere, toVersion, withLatest, type BoxLogRow, type BoxRow, type RebuildBoxRow, type VersionRow } from './rows';

/**
 * How many boxes the append path may hold changed in memory before it folds them into `boxes`.
 * 1: every batch, in its own transaction — the file always current, as another connection on it
 * (an API-only node sharing DATA_DIR) needs. A store alone on its file may hold more (`foldAt`).
 */
const FOLD_AT = 1;

function prepare(d: Database.Database) {
  return {
    upsertBox: d.prepare(
      `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind)
       VALUES (@key, @election, @ballot, @province, @district, @boxNo, @yskBoxId, @neighbourhood, @kind)
       ON CONFLICT(key) DO UPDATE SET ysk_box_id = COALESCE(excluded.ysk_box_id, ysk_box_id),
         neighbourhood = COALESCE(excluded.neighbourhood, neighbourhood), kind = COALESCE(excluded.kind, kind)
       WHERE ysk_box_id IS NOT COALESCE(excluded.ysk_box_id, ysk_box_id) OR neighbourhood IS NOT COALESCE(excluded.neighbourhood, neighbourhood)
         OR kind IS NOT COALESCE(excluded.kind, kind)`,
    ),
    /** a box an entry names: its row when it has none (an entry carries no YSK facts to merge) */
    addBox: d.prepare(
      `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`,
    ),
    boxRow: d.prepare<[string], BoxRow>(`SELECT * FROM boxes WHERE key = ?`),
    /** the keys of a JSON array that are on the register of boxes */
    onRegister: d
      .prepare<[string], string>(
        `SELECT key FROM boxes WHERE key IN (SELECT value FROM json_each(?))
           AND ((latest_seq > 0 AND latest_vid IS NOT NULL) OR neighbourhood IS NOT NULL OR ysk_box_id IS NOT NULL)`,
      )
      .pluck(),
    versionById: d.prepare<[number], VersionRow>(`SELECT * FROM box_versions WHERE id = ?`),
    /** a link of a box's chain: for the stale check, which reads only hashes */
    hashLink: d.prepare<[number], { seq: number; hash: string; prev: number | null }>(`SELECT seq, hash, prev FROM box_versions WHERE id = ?`),
    insertVersion: d.prepare(
      `INSERT INTO box_versions (key, seq, prev, hash, sheet, ysk_version, ysk_changed_at, change_reason, fetched_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setLatest: d.prepare(
      `UPDATE boxes SET latest_seq = ?, latest_hash = ?, latest_vid = ?, first_published_at = COALESCE(first_published_at, ?) WHERE key = ?`,
    ),
    setFirst: d.prepare(
      `UPDATE boxes SET latest_seq = 1, latest_hash = ?, latest_vid = ?, first_published_at = COALESCE(first_published_at, ?),
         first_ysk_version = ?, first_change_reason = ? WHERE key = ?`,
    ),
    /** a whole boxes row from `pending` (the fold) */
    putBox: d.prepare(
      `INSERT INTO boxes (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind,
         latest_seq, latest_hash, latest_vid, first_published_at, first_ysk_version, first_change_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET ysk_box_id = excluded.ysk_box_id, neighbourhood = excluded.neighbourhood, kind = excluded.kind,
         latest_seq = excluded.latest_seq, latest_hash = excluded.latest_hash, latest_vid = excluded.latest_vid,
         first_published_at = excluded.first_published_at, first_ysk_version = excluded.first_ysk_version,
         first_change_reason = excluded.first_change_reason`,
    ),
    logBox: d.prepare(
      `INSERT INTO box_log (key, election, ballot, province, district, box_no, ysk_box_id, neighbourhood, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    boxLog: d.prepare<[], BoxLogRow>(`SELECT * FROM box_log ORDER BY id`),
    clearBoxLog: d.prepare(`DELETE FROM box_log`),
    folded: d.prepare<[], { value: number }>(`SELECT value FROM store_meta WHERE key = 'folded_vid'`),
    setFolded: d.prepare(`UPDATE store_meta SET value = ? WHERE key = 'folded_vid'`),
    versionsAfter: d.prepare<[number], Pick<VersionRow, 'id' | 'key' | 'seq' | 'hash' | 'ysk_version' | 'change_reason' | 'fetched_at'>>(
      `SELECT id, key, seq, hash, ysk_version, change_reason, fetched_at FROM box_versions WHERE id > ? ORDER BY id`,
    ),
    // the rebuild's read (RebuildBoxRow): the columns it uses, as arrays
    rebuildBoxes: d
      .prepare<[string, string, number]>(
        `SELECT b.key, b.kind, b.province, b.district, b.first_published_at, b.latest_seq, b.first_ysk_version, b.first_change_reason, v.seq, v.sheet, v.fetched_at
         FROM boxes b LEFT JOIN box_versions v ON v.id = b.latest_vid AND b.latest_seq > 0
         WHERE b.election = ? AND b.key > ? ORDER BY b.key LIMIT ?`,
      )
      .raw(),
  };
}

/**
 * The box-results: every version of every box, and the append path that keeps `boxes` current
 * through `pending` and folds (issue 16).
 */
export class SqliteVersions implements VersionsRepository {
  /**
   * The `boxes` rows the append path changed and has not folded yet, as they will be once folded
   * (issue 16). box/latestVersion/versions read through it; the queries that join `boxes` (scopes,
   * entries) fold first. One writer per file: another connection does not see these until a fold.
   */
  private readonly pending = new Map<string, BoxRow>();
  /** the id of the last version appended (folded_vid once pending is folded) */
  private lastVid = 0;
  private readonly stmt: ReturnType<typeof prepare>;

  constructor(private readonly c: SqliteContext) {
    this.stmt = prepare(c.db);
  }

  private get db() {
    return this.c.db;
  }

  /** Folds what the last process appended and did not fold (it was killed, or crashed): at open. */
  recover(): void {
    this.pending.clear();
    this.fold(true);
    this.lastVid = this.stmt.folded.get()!.value;
  }

  /** Registers a box as upsertBoxes does (kind null keeps the stored one); answers whether its row changed. */
  upsertBox(b: BoxInfo): number {
    return this.stmt.upsertBox.run(boxParams(b)).changes;
  }

  /** The row of a box an entry names, when it has none yet; a held row is left as it is. */
  addBox(b: BoxInfo): void {
    this.stmt.addBox.run(b.key, b.election, b.ballot, b.province, b.district, b.boxNo, b.yskBoxId, b.neighbourhood, b.kind ?? null);
  }

  /**
   * Replays what the append path wrote since the last fold (box_log, then the versions after
   * folded_vid, in order) into `boxes`, in one transaction; idempotent, so a fold a crash
   * interrupted is simply done again at the next open.
   */
  fold(recover = false): void {
    if (!recover) return this.foldPending();
    const s = this.stmt;
    this.db.transaction(() => {
      for (const b of s.boxLog.all()) {
        s.upsertBox.run({
          key: b.key,
          election: b.election,
          ballot: b.ballot,
          province: b.province,
          district: b.district,
          boxNo: b.box_no,
          yskBoxId: b.ysk_box_id,
          neighbourhood: b.neighbourhood,
          kind: b.kind,
        });
      }
      let folded = s.folded.get()!.value;
      for (const v of s.versionsAfter.all(folded)) {
        if (v.seq === 1) s.setFirst.run(v.hash, v.id, v.fetched_at, v.ysk_version, reasonCode(v.change_reason), v.key);
        else s.setLatest.run(v.seq, v.hash, v.id, v.fetched_at, v.key);
        folded = v.id;
      }
      s.setFolded.run(folded);
      s.clearBoxLog.run();
    })();
    this.pending.clear();
  }

  /**
   * The fold of a running store: the rows it holds, each written whole (sorted by key, so the key
   * index is walked in order), folded_vid moved past every version appended, box_log emptied.
   */
  private foldPending(): void {
    if (!this.pending.size) return;
    this.db.transaction(() => this.writeFold(this.pending, this.lastVid))();
    this.pending.clear();
  }

  /** Writes held rows whole, sorted by key (the key index walked in order), and marks versions to `lastVid` folded. */
  private writeFold(rows: Map<string, BoxRow>, lastVid: number): void {
    const s = this.stmt;
    for (const key of [...rows.keys()].sort()) {
      const r = rows.get(key)!;
      s.putBox.run(
        r.key,
        r.election,
        r.ballot,
        r.province,
        r.district,
        r.box_no,
        r.ysk_box_id,
        r.neighbourhood,
        r.kind,
        r.latest_seq,
        r.latest_hash,
        r.latest_vid,
        r.first_published_at,
        r.first_ysk_version,
        r.first_change_reason,
      );
    }
    s.setFolded.run(lastVid);
    s.clearBoxLog.run();
  }

  /** The `boxes` row of a key as it stands, the append path's unfolded changes included. */
  private boxRow(key: string): BoxRow | undefined {
    return this.pending.get(key) ?? this.stmt.boxRow.get(key);
  }

  /** Folds first when one of these boxes has changes not folded yet (a write to `boxes` follows). */
  foldIfPending(keys: Iterable<string>): void {
    if (!this.pending.size) return;
    for (const key of keys) if (this.pending.has(key)) return this.fold();
  }

  async appendVersions(versions: NewVersion[]): Promise<AppendOutcome[]> {
    const s = this.stmt;
    // rows changed by this batch: into `pending` only once the transaction has committed
    const touched = new Map<string, BoxRow>();
    // the box_log lines of this batch: written only when it is not folded in its own transaction
    // (a fold writes the boxes rows whole and empties box_log, so lines written before it are waste)
    const logged: BoxInfo[] = [];
    let lastVid = this.lastVid;
    let folded = false;
    const run = this.db.transaction((items: NewVersion[]) => {
      const out = items.map((v): AppendOutcome => {
        const held = touched.get(v.key) ?? this.boxRow(v.key);
        // content equal to an older version: walk the chain back from the one before the latest
        const decision = decideAppend(held?.latest_seq ? { seq: held.latest_seq, hash: held.latest_hash! } : null, v.hash, (hash) => {
          for (let id = s.hashLink.get(held!.latest_vid!)!.prev; id !== null;) {
            const link = s.hashLink.get(id)!;
            if (link.hash === hash) return link.seq;
            id = link.prev;
          }
          return undefined;
        });
        if (decision.kind === 'unchanged') return { kind: 'unchanged', key: v.key };
        const b = v.box;
        let row: BoxRow;
        if (!held || b.yskBoxId !== held.ysk_box_id || b.neighbourhood !== held.neighbourhood || (b.kind !== undefined && b.kind !== held.kind)) {
          // a new box, or new facts about one: logged, and merged as the upsert would (a null keeps what is held)
          logged.push(b);
          row = held
            ? { ...held, ysk_box_id: b.yskBoxId ?? held.ysk_box_id, neighbourhood: b.neighbourhood ?? held.neighbourhood, kind: b.kind ?? held.kind }
            : {
                key: b.key,
                election: b.election,
                ballot: b.ballot,
                province: b.province,
                district: b.district,
                box_no: b.boxNo,
                ysk_box_id: b.yskBoxId,
                neighbourhood: b.neighbourhood,
                kind: b.kind ?? null,
                latest_seq: 0,
                latest_hash: null,
                latest_vid: null,
                first_published_at: null,
                first_ysk_version: null,
                first_change_reason: null,
              };
          touched.set(v.key, row);
        } else row = held;
        if (decision.kind === 'stale') return { kind: 'stale', key: v.key, matchesSeq: decision.matchesSeq };
        const latestVid = row.latest_seq ? row.latest_vid : null;
        const seq = decision.seq;
        const vid = Number(
          s.insertVersion.run(v.key, seq, latestVid, v.hash, this.c.codec.encode(v.sheet), v.yskVersion, v.yskChangedAt, v.changeReason, v.fetchedAt)
            .lastInsertRowid,
        );
        lastVid = vid;
        const next: BoxRow = { ...row, latest_seq: seq, latest_hash: v.hash, latest_vid: vid, first_published_at: row.first_published_at ?? v.fetchedAt };
        if (seq === 1) {
          next.first_ysk_version = v.yskVersion;
          next.first_change_reason = v.changeReason;
        }
        touched.set(v.key, next);
        const version = versionAt(v, seq);
        if (seq === 1) return { kind: 'first', version };
        return { kind: 'revised', version, previous: toVersion(s.versionById.get(latestVid!)!, this.c.codec) };
      });
      // enough held: the boxes rows written in this same transaction (with foldAt 1, every batch: no lag at all)
      if (this.pending.size + touched.size >= (this.c.opts.foldAt ?? FOLD_AT)) {
        this.writeFold(this.pending.size ? new Map([...this.pending, ...touched]) : touched, lastVid);
        folded = true;
      } else {
        for (const b of logged) s.logBox.run(b.key, b.election, b.ballot, b.province, b.district, b.boxNo, b.yskBoxId, b.neighbourhood, b.kind ?? null);
      }
      return out;
    });
    let outcomes: AppendOutcome[];
    try {
      outcomes = run(versions);
    } catch (e) {
      this.c.codec.settle(false);
      throw e;
    }
    this.c.codec.settle(true);
    this.lastVid = lastVid;
    if (folded) this.pending.clear();
    else for (const [key, row] of touched) this.pending.set(key, row);
    return outcomes;
  }

  async latestVersion(key: string): Promise<SheetVersion | null> {
    const row = this.boxRow(key);
    if (!row || row.latest_seq === 0 || row.latest_vid === null) return null;
    return toVersion(this.stmt.versionById.get(row.latest_vid)!, this.c.codec);
  }

  async versions(key: string): Promise<SheetVersion[]> {
    const row = this.boxRow(key);
    const out: SheetVersion[] = [];
    for (let id = row?.latest_seq ? row.latest_vid : null; id !== null;) {
      const r = this.stmt.versionById.get(id)!;
      out.push(toVersion(r, this.c.codec));
      id = r.prev;
    }
    return out.reverse();
  }

  async box(key: string): Promise<BoxWithLatest | null> {
    const row = this.pending.get(key);
    if (row) return withLatest(row, row.latest_seq && row.latest_vid !== null ? this.stmt.versionById.get(row.latest_vid)! : null, this.c.codec);
    const [found] = await this.boxesWhere(`b.key = ?`, [key], 1);
    return found ?? null;
  }

  async onRegister(keys: readonly string[]): Promise<Set<string>> {
    this.foldIfPending(keys);
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += 10_000) for (const key of this.stmt.onRegister.all(JSON.stringify(keys.slice(i, i + 10_000)))) out.add(key);
    return out;
  }

  async boxes(filter: BoxFilter, page: { after?: string; limit?: number } = {}): Promise<BoxWithLatest[]> {
    const where = scopeWhere(filter);
    const after = page.after !== undefined ? ` AND b.key > ?` : '';
    const limit = page.limit ?? 1000;
    const folded = await this.boxesWhere(`${where.sql}${after}`, [...where.params, ...(page.after !== undefined ? [page.after] : [])], limit);
    if (!this.pending.size) return folded;
    // the first `limit` keys of the file's rows and the unfolded ones together (unfolded wins):
    // a read needs no write lock, so it works while another connection holds one
    const merged = new Map(folded.map((b) => [b.box.key, b]));
    for (const r of this.pending.values()) {
      if (page.after !== undefined && r.key <= page.after) continue;
      if ((['election', 'ballot', 'province', 'district'] as const).some((f) => filter[f] !== undefined && filter[f] !== r[f])) continue;
      merged.set(r.key, withLatest(r, r.latest_seq && r.latest_vid !== null ? this.stmt.versionById.get(r.latest_vid)! : null, this.c.codec));
    }
    return [...merged.values()].sort((a, b) => (a.box.key < b.box.key ? -1 : a.box.key > b.box.key ? 1 : 0)).slice(0, limit);
  }

  private async boxesWhere(where: string, params: unknown[], limit: number): Promise<BoxWithLatest[]> {
    const rows = this.db
      .prepare<unknown[], BoxRow & Partial<Omit<VersionRow, 'key' | 'seq'>> & { vseq: number | null }>(
        `SELECT b.*, v.seq AS vseq, v.hash, v.sheet, v.ysk_version, v.ysk_changed_at, v.change_reason, v.fetched_at
         FROM boxes b LEFT JOIN box_versions v ON v.id = b.latest_vid AND b.latest_seq > 0
         WHERE ${where} ORDER BY b.key LIMIT ?`,
      )
      .all(...params, limit);
    return rows.map((r) => withLatest(r, r.vseq ? { ...(r as unknown as VersionRow), seq: r.vseq } : null, this.c.codec));
  }

  async rebuildBoxes(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildBox[]> {
    const limit = page.limit ?? 1000;
    // the append path's unfolded rows: merged as `boxes` does (a store that just opened has none)
    if (this.pending.size) return (await this.boxes({ election }, page)).map(rebuildBoxOf);
    // every key is a non-empty text, so '' is before the first
    const rows = this.stmt.rebuildBoxes.all(election, page.after ?? '', limit) as RebuildBoxRow[];
    const out = new Array<RebuildBox>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [key, kind, province, district, firstPublishedAt, latestSeq, firstYskVersion, firstChangeReason, seq, sheet, fetchedAt] = rows[i]!;
      out[i] = {
        key,
        kind: kind ?? kindOfPlace({ province, district }),
        latest: seq ? { seq, sheet: this.c.codec.decode(sheet!), fetchedAt: fetchedAt! } : null,
        firstPublishedAt,
        first: latestSeq > 0 ? { yskVersion: firstYskVersion, changeReason: firstChangeReason } : null,
      };
    }
    return out;
  }
}
