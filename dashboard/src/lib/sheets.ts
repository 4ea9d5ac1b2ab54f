import { SHEET_FIGURES, type Sheet, type SheetFigure } from '@gozcu/shared';

export interface CompareRow {
  /** a sheet figure, or a party/candidate name */
  id: string;
  kind: 'figure' | 'party';
  ysk: number | null;
  org: number | null;
  /** ysk − org when both are present */
  diff: number | null;
  differs: boolean;
}

function partyNames(...sheets: Array<Sheet | null | undefined>): string[] {
  const seen = new Map<string, number>();
  for (const s of sheets) for (const [name, v] of Object.entries(s?.votes ?? {})) seen.set(name, Math.max(seen.get(name) ?? 0, v));
  return [...seen.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'tr')).map(([n]) => n);
}

/** YSK | Örgüt side by side: one row per figure, then per party (most votes first). */
export function compareSheets(ysk: Sheet | null | undefined, org: Sheet | null | undefined): CompareRow[] {
  const row = (id: string, kind: CompareRow['kind'], a: number | undefined, b: number | undefined): CompareRow => {
    const y = typeof a === 'number' ? a : null;
    const o = typeof b === 'number' ? b : null;
    const diff = y != null && o != null ? y - o : null;
    return { id, kind, ysk: y, org: o, diff, differs: ysk != null && org != null && y !== o };
  };
  const rows: CompareRow[] = SHEET_FIGURES.map((f) => row(f, 'figure', ysk?.[f], org?.[f]));
  for (const p of partyNames(ysk, org)) rows.push(row(p, 'party', ysk?.votes?.[p], org?.votes?.[p]));
  return rows;
}

export interface FieldChange {
  id: string;
  kind: 'figure' | 'party';
  from: number | null;
  to: number | null;
}

/** What changed from one sheet version to the next. */
export function sheetChanges(prev: Sheet | null | undefined, next: Sheet | null | undefined): FieldChange[] {
  if (!next) return [];
  const out: FieldChange[] = [];
  for (const f of SHEET_FIGURES) {
    const a = prev?.[f] ?? null;
    const b = next[f] ?? null;
    if (prev && a !== b) out.push({ id: f, kind: 'figure', from: a, to: b });
  }
  if (prev) {
    for (const p of partyNames(prev, next)) {
      const a = prev.votes?.[p] ?? null;
      const b = next.votes?.[p] ?? null;
      if (a !== b) out.push({ id: p, kind: 'party', from: a, to: b });
    }
  }
  return out;
}

export type SheetWarning =
  | { code: 'partySum'; sum: number; valid: number }
  | { code: 'validInvalid'; sum: number; voted: number }
  | { code: 'votedOverRegistered'; voted: number; registered: number };

/** DESIGN.md's sheet warnings, computed on either side's sheet. */
export function checkSheet(s: Sheet | null | undefined): SheetWarning[] {
  if (!s) return [];
  const out: SheetWarning[] = [];
  const sum = Object.values(s.votes ?? {}).reduce((a, b) => a + b, 0);
  if (Object.keys(s.votes ?? {}).length && sum !== s.valid) out.push({ code: 'partySum', sum, valid: s.valid });
  if (s.valid + s.invalid !== s.voted) out.push({ code: 'validInvalid', sum: s.valid + s.invalid, voted: s.voted });
  if (s.voted > s.registered) out.push({ code: 'votedOverRegistered', voted: s.voted, registered: s.registered });
  return out;
}

export function isSheetFigure(id: string): id is SheetFigure {
  return (SHEET_FIGURES as readonly string[]).includes(id);
}

export interface PartyVotesRow {
  party: string;
  ysk: number;
  org: number;
  diff: number;
}

/** Votes per party, YSK vs Örgüt, most YSK votes first, capped at `limit` rows. */
export function partyVotes(votes: { ysk?: Record<string, number>; org?: Record<string, number> } | null | undefined, limit = 12): PartyVotesRow[] {
  const ysk = votes?.ysk ?? {};
  const org = votes?.org ?? {};
  const names = new Set([...Object.keys(ysk), ...Object.keys(org)]);
  return [...names]
    .map((party) => ({ party, ysk: ysk[party] ?? 0, org: org[party] ?? 0, diff: (ysk[party] ?? 0) - (org[party] ?? 0) }))
    .sort((a, b) => b.ysk - a.ysk || b.org - a.org || a.party.localeCompare(b.party, 'tr'))
    .slice(0, limit);
}
