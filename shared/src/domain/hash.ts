import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { SHEET_FIGURES, type Sheet } from './sheet';

/** Party/candidate names in a locale-independent order (UTF-16 code units). */
export function sortedVoteNames(votes: Readonly<Record<string, number>>): string[] {
  return Object.keys(votes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The canonical serialisation of a sheet: header figures in SHEET_FIGURES order, then the
 * votes as [name, count] pairs sorted by name. Equal content gives an equal string whatever
 * the key order of the object it came from.
 */
export function canonicalSheet(sheet: Sheet): string {
  const header = SHEET_FIGURES.map((figure) => sheet[figure]);
  const votes = sortedVoteNames(sheet.votes).map((name) => [name, sheet.votes[name]]);
  return JSON.stringify([header, votes]);
}

function hexSha256(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** Content hash of a sheet (hex SHA-256 of its canonical serialisation). */
export function sheetHash(sheet: Sheet): string {
  return hexSha256(`sheet/v1\n${canonicalSheet(sheet)}`);
}

export interface VersionHashInput {
  sheet: Sheet;
  yskVersion: number | null;
  yskChangedAt: string | null;
  changeReason: number | null;
}

/** Content hash of one YSK version: the sheet plus YSK's own change tracking. */
export function versionHash(input: VersionHashInput): string {
  const tracking = JSON.stringify([input.yskVersion, input.yskChangedAt, input.changeReason]);
  return hexSha256(`version/v1\n${canonicalSheet(input.sheet)}\n${tracking}`);
}
