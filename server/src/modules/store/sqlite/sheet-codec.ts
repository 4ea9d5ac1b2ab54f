import type Database from 'better-sqlite3';
import type { Sheet } from '@gozcu/shared';

const FIGURES = ['registered', 'voted', 'validUncontested', 'validAfterObjection', 'valid', 'invalid'] as const;
const isInt32 = (n: unknown): n is number => typeof n === 'number' && (n | 0) === n;

/**
 * A version's figures as stored (issue 16): little-endian int32s — the id of its vote names in
 * vote_names, the six totals, then the votes in the names' order — or JSON text for a sheet
 * that does not fit (and in files written before).
 */
export class SheetCodec {
  private readonly ids = new Map<string, number>();
  private readonly names = new Map<number, string[]>();
  /** names stored by the open transaction: known to everyone once it commits */
  private fresh: [string, number, string[]][] = [];
  /** the vote names of the last sheet encoded and their id: a feed's sheets mostly share them (forgotten with a rolled-back transaction) */
  private last: { names: string[]; id: number } | null = null;

  constructor(private readonly db: Database.Database) {}

  encode(sheet: Sheet): Buffer | string {
    const names = Object.keys(sheet.votes);
    // anything else as JSON: other fields, or a name an object literal would not keep as its own key
    if (Object.keys(sheet).length !== FIGURES.length + 1 || names.includes('__proto__')) return JSON.stringify(sheet);
    const out = Buffer.allocUnsafe(4 * (1 + FIGURES.length + names.length));
    for (let i = 0; i < FIGURES.length; i++) {
      const n = sheet[FIGURES[i]];
      if (!isInt32(n)) return JSON.stringify(sheet);
      out.writeInt32LE(n, 4 * (1 + i));
    }
    for (let i = 0; i < names.length; i++) {
      const n = sheet.votes[names[i]];
      if (!isInt32(n)) return JSON.stringify(sheet);
      out.writeInt32LE(n, 4 * (1 + FIGURES.length + i));
    }
    out.writeInt32LE(this.idOf(names), 0);
    return out;
  }

  decode(raw: Buffer | string): Sheet {
    if (typeof raw === 'string') return JSON.parse(raw) as Sheet;
    const names = this.namesOf(raw.readInt32LE(0));
    const votes: Record<string, number> = {};
    for (let i = 0; i < names.length; i++) votes[names[i]] = raw.readInt32LE(4 * (1 + FIGURES.length + i));
    const at = (i: number) => raw.readInt32LE(4 * (1 + i));
    return { registered: at(0), voted: at(1), validUncontested: at(2), validAfterObjection: at(3), valid: at(4), invalid: at(5), votes };
  }

  /** after the transaction that stored new names committed (or rolled back: forgotten); decode needs only a readonly connection */
  settle(committed: boolean): void {
    if (committed) for (const [key, id, names] of this.fresh) this.remember(key, id, names);
    else this.last = null;
    this.fresh = [];
  }

  private remember(key: string, id: number, names: string[]): void {
    this.ids.set(key, id);
    this.names.set(id, names);
  }

  private idOf(names: string[]): number {
    const last = this.last;
    if (last && sameNames(last.names, names)) return last.id;
    const id = this.lookUp(names);
    this.last = { names, id };
    return id;
  }

  private lookUp(names: string[]): number {
    const key = JSON.stringify(names);
    const known = this.ids.get(key) ?? this.fresh.find((f) => f[0] === key)?.[1];
    if (known !== undefined) return known;
    const held = this.db.prepare<[string], { id: number }>(`SELECT id FROM vote_names WHERE names = ?`).get(key);
    const id = held ? held.id : Number(this.db.prepare(`INSERT INTO vote_names (names) VALUES (?)`).run(key).lastInsertRowid);
    if (held) this.remember(key, id, names);
    else this.fresh.push([key, id, names]);
    return id;
  }

  private namesOf(id: number): string[] {
    const known = this.names.get(id) ?? this.fresh.find((f) => f[1] === id)?.[2];
    if (known) return known;
    const row = this.db.prepare<[number], { names: string }>(`SELECT names FROM vote_names WHERE id = ?`).get(id);
    if (!row) throw new Error(`vote names ${id} missing from the store`);
    const names = JSON.parse(row.names) as string[];
    this.remember(row.names, id, names);
    return names;
  }
}

function sameNames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
