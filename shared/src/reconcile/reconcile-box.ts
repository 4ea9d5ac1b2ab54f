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
  for (const [side, sheet] of [
    ['ysk', ysk],
    ['org', org],
  ] as const) {
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

interface OrgSide {
  entry: Entry | null;
  conflicting: boolean;
  /** entries exist, none agreed by `confirmations` observers nor confirmed */
  unconfirmed: boolean;
}

/**
 * The organisation's sheet in force (the N-entry rule, ENTRY_CONFIRMATIONS = `confirmations`):
 * an explicitly confirmed entry, else the latest confirmation, else the figures that at least
 * `confirmations` different observers hold identically — each observer's latest entry counts
 * once, so one person entering twice is still one — the latest-agreed one when several do.
 * Until then there is none (`unconfirmed`). Conflicting when no entry is confirmed and the
 * latest entries of two or more observers disagree. With `confirmations` 1 the latest entry
 * is in force.
 */
export function resolveOrg(entries: readonly Entry[], confirmedEntryId?: string | null, confirmations = 1): OrgSide {
  if (confirmedEntryId) {
    const confirmed = entries.find((e) => e.id === confirmedEntryId);
    if (confirmed) return { entry: confirmed, conflicting: false, unconfirmed: false };
  }
  // later createdAt wins; on a tie the later one in the list (entries come in arrival order)
  let confirmation: { entry: Entry; at: number } | undefined;
  const perObserver = new Map<string, { entry: Entry; at: number; index: number }>();
  entries.forEach((entry, index) => {
    const at = Date.parse(entry.createdAt);
    if (entry.source === 'confirmation') {
      if (!confirmation || at >= confirmation.at) confirmation = { entry, at };
      return;
    }
    const held = perObserver.get(entry.observer);
    if (!held || at >= held.at) perObserver.set(entry.observer, { entry, at, index });
  });
  if (confirmation) return { entry: confirmation.entry, conflicting: false, unconfirmed: false };
  const groups = new Map<string, { count: number; latest: { entry: Entry; at: number; index: number } }>();
  for (const held of perObserver.values()) {
    const content = canonicalSheet(held.entry.sheet);
    const group = groups.get(content);
    if (!group) groups.set(content, { count: 1, latest: held });
    else {
      group.count++;
      if (later(held, group.latest)) group.latest = held;
    }
  }
  let agreed: { entry: Entry; at: number; index: number } | null = null;
  for (const group of groups.values()) if (group.count >= Math.max(1, confirmations) && (!agreed || later(group.latest, agreed))) agreed = group.latest;
  return { entry: agreed?.entry ?? null, conflicting: groups.size > 1, unconfirmed: !agreed && perObserver.size > 0 };
}

function later(a: { at: number; index: number }, b: { at: number; index: number }): boolean {
  return a.at > b.at || (a.at === b.at && a.index > b.index);
}

/** Status, flags and differences of one box-result from all that is stored about it. */
export function reconcileBox(input: ReconcileInput): BoxReconciliation {
  const latest = latestVersion(input.versions);
  const first = firstVersion(input.versions);
  const { entry, conflicting, unconfirmed } = resolveOrg(input.entries, input.confirmedEntryId, input.confirmations);
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
    unconfirmed,
    // a box with entries awaiting confirmation is not "YSK in, party not yet"
    stale: status === 'ysk_only' && !unconfirmed && yskAgeMs !== null && yskAgeMs > input.staleAfterMs,
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
