import { checkSheet } from '../domain/checks';
import type { Entry, SheetVersion } from '../domain/box';
import { canonicalSheet } from '../domain/hash';
import type { Sheet } from '../domain/sheet';
import type { BoxStatus } from '../domain/status';
import { sheetDifferences } from './compare';
import type { BoxReconciliation, ReconcileInput } from './types';
import { revisedBeforeSeen } from './version-baseline';

export function statusOf(hasYsk: boolean, hasOrg: boolean, equal: boolean): BoxStatus {
  if (hasYsk && hasOrg) return equal ? 'match' : 'mismatch';
  if (hasYsk) return 'ysk_only';
  if (hasOrg) return 'org_only';
  return 'awaiting';
}

/** Issues of both sides' sheets as `ysk:<code>` / `org:<code>`, errors first. */
export function sideWarnings(ysk: Sheet | null, org: Sheet | null): string[] {
  const out: string[] = [];
  for (const [side, sheet] of [['ysk', ysk], ['org', org]] as const) {
    if (!sheet) continue;
    const { errors, warnings } = checkSheet(sheet);
    for (const issue of [...errors, ...warnings]) out.push(`${side}:${issue.code}`);
  }
  return out;
}

function latestVersion(versions: readonly SheetVersion[]): SheetVersion | null {
  let latest: SheetVersion | null = null;
  for (const v of versions) if (!latest || v.seq > latest.seq) latest = v;
  return latest;
}

function firstVersion(versions: readonly SheetVersion[]): SheetVersion | null {
  let first: SheetVersion | null = null;
  for (const v of versions) if (!first || v.seq < first.seq) first = v;
  return first;
}

/** Later createdAt wins; on a tie the later one in the list. */
function isLater(a: Entry, b: Entry | undefined): boolean {
  return !b || Date.parse(a.createdAt) >= Date.parse(b.createdAt);
}

interface OrgSide {
  entry: Entry | null;
  conflicting: boolean;
}

/**
 * The organisation's sheet in force: an explicitly confirmed entry, else the latest
 * confirmation, else the latest entry. Conflicting when no entry is confirmed and the latest
 * entries of two or more observers disagree.
 */
export function resolveOrg(entries: readonly Entry[], confirmedEntryId?: string | null): OrgSide {
  if (confirmedEntryId) {
    const confirmed = entries.find((e) => e.id === confirmedEntryId);
    if (confirmed) return { entry: confirmed, conflicting: false };
  }
  let confirmation: Entry | undefined;
  let latest: Entry | undefined;
  const perObserver = new Map<string, Entry>();
  for (const entry of entries) {
    if (entry.source === 'confirmation') {
      if (isLater(entry, confirmation)) confirmation = entry;
      continue;
    }
    if (isLater(entry, latest)) latest = entry;
    if (isLater(entry, perObserver.get(entry.observer))) perObserver.set(entry.observer, entry);
  }
  if (confirmation) return { entry: confirmation, conflicting: false };
  const contents = new Set([...perObserver.values()].map((e) => canonicalSheet(e.sheet)));
  return { entry: latest ?? null, conflicting: contents.size > 1 };
}

/** Status, flags and differences of one box-result from all that is stored about it. */
export function reconcileBox(input: ReconcileInput): BoxReconciliation {
  const latest = latestVersion(input.versions);
  const first = firstVersion(input.versions);
  const { entry, conflicting } = resolveOrg(input.entries, input.confirmedEntryId);
  const ysk = latest?.sheet ?? null;
  const org = entry?.sheet ?? null;
  const { differences, totalAbsDifference } = ysk && org ? sheetDifferences(ysk, org) : { differences: {}, totalAbsDifference: 0 };
  const status = statusOf(ysk !== null, org !== null, totalAbsDifference === 0);
  const yskPublishedAt = first ? Date.parse(first.fetchedAt) : null;
  const yskAgeMs = yskPublishedAt === null ? null : Math.max(0, input.now - yskPublishedAt);
  const alteredBeforeSeen = revisedBeforeSeen(first, input.firstVersionBaseline);
  return {
    status,
    altered: (latest?.seq ?? 0) > 1 || alteredBeforeSeen,
    alteredBeforeSeen,
    conflicting,
    stale: status === 'ysk_only' && yskAgeMs !== null && yskAgeMs > input.staleAfterMs,
    ysk,
    org,
    orgEntryId: entry?.id ?? null,
    yskPublishedAt,
    yskAgeMs,
    enteredAt: entry ? Date.parse(entry.createdAt) : null,
    versions: latest?.seq ?? 0,
    differences,
    totalAbsDifference,
    warnings: sideWarnings(ysk, org),
  };
}
