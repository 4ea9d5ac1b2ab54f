import type { SheetVersion } from './box';
/**
 * The append-outcome rule of a box's version history, one place for every store adapter.
 * A fetched version of a box is, against what is stored:
 * - `first`: nothing is stored for the box yet;
 * - `unchanged`: its content equals the latest version (nothing is stored);
 * - `stale`: its content equals an older version (a regressing feed; nothing is stored);
 * - `revised`: new content, stored as the next version.
 */
export type AppendDecision = { kind: 'first'; seq: 1 } | { kind: 'revised'; seq: number } | { kind: 'unchanged' } | { kind: 'stale'; matchesSeq: number };

/**
 * Decides the outcome of appending content `hash` to a box whose latest stored version is
 * `latest` (null: none). `earlierSeqOf(hash)` answers the seq of a version before the latest with
 * that content, or undefined; it is asked only when the content differs from the latest, so an
 * adapter may look it up lazily (a walk back along the chain, an index read).
 */
export function decideAppend(latest: { seq: number; hash: string } | null, hash: string, earlierSeqOf: (hash: string) => number | undefined): AppendDecision {
  if (!latest) return { kind: 'first', seq: 1 };
  if (latest.hash === hash) return { kind: 'unchanged' };
  const seen = latest.seq > 1 ? earlierSeqOf(hash) : undefined;
  if (seen !== undefined) return { kind: 'stale', matchesSeq: seen };
  return { kind: 'revised', seq: latest.seq + 1 };
}

/** The version an append stores: a fetched version's content at the seq decideAppend gave it (nothing else it carries). */
export function versionAt(v: Omit<SheetVersion, 'seq'>, seq: number): SheetVersion {
  return {
    key: v.key,
    seq,
    hash: v.hash,
    sheet: v.sheet,
    yskVersion: v.yskVersion,
    yskChangedAt: v.yskChangedAt,
    changeReason: v.changeReason,
    fetchedAt: v.fetchedAt,
  };
}
