import type { AuditOf, VoterRecord, VotersRepository } from '../store.port';
import type { SqliteAudit } from './audit.repo';
import type { SqliteContext } from './context';

/** The citizen look-up's voter lines. */
export class SqliteVoters implements VotersRepository {
  constructor(
    private readonly c: SqliteContext,
    private readonly log: SqliteAudit,
  ) {}

  private get db() {
    return this.c.db;
  }

  async putVoters(voters: VoterRecord[]): Promise<number> {
    return this.db.transaction(() => this.putVotersSync(voters))();
  }

  private putVotersSync(voters: VoterRecord[]): number {
    const s = this.db.prepare(
      `INSERT INTO voters (hash, province, district, box_no, imported_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(hash) DO UPDATE SET province = excluded.province, district = excluded.district, box_no = excluded.box_no, imported_at = excluded.imported_at`,
    );
    return voters.reduce((n, v) => n + s.run(v.hash, v.province, v.district, v.boxNo, v.importedAt).changes, 0);
  }

  async voterByHash(hash: string): Promise<VoterRecord | null> {
    const row = this.db
      .prepare<[string], { hash: string; province: number; district: number; box_no: number; imported_at: string }>(`SELECT * FROM voters WHERE hash = ?`)
      .get(hash);
    return row ? { hash: row.hash, province: row.province, district: row.district, boxNo: row.box_no, importedAt: row.imported_at } : null;
  }

  async voterCount(): Promise<number> {
    return this.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM voters`).get()!.n;
  }

  async putVotersAudited(voters: VoterRecord[], audit: AuditOf<number>): Promise<number> {
    return this.log.audited(() => {
      const n = this.putVotersSync(voters);
      return { result: n, done: n };
    }, audit)!;
  }
}
