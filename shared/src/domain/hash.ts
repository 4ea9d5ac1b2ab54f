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

export interface VersionHashInput {
  sheet: Sheet;
  yskVersion: number | null;
  yskChangedAt: string | null;
  changeReason: number | null;
}

/**
 * The content hashes, made with the given hex SHA-256 of a text's UTF-8 bytes: the shared ones
 * below use a pure-JS SHA-256 (the dashboard has no node:crypto); the server makes the same hex
 * with node:crypto's, several times faster on an import of thousands of rows.
 */
export function contentHashes(hexSha256: (text: string) => string) {
  return {
    /** Content hash of a sheet (hex SHA-256 of its canonical serialisation). */
    sheetHash: (sheet: Sheet): string => hexSha256(`sheet/v1\n${canonicalSheet(sheet)}`),
    /** Content hash of one YSK version: the sheet plus YSK's own change tracking. */
    versionHash: (input: VersionHashInput): string => {
      const tracking = JSON.stringify([input.yskVersion, input.yskChangedAt, input.changeReason]);
      return hexSha256(`version/v1\n${canonicalSheet(input.sheet)}\n${tracking}`);
    },
  };
}

export const { sheetHash, versionHash } = contentHashes((text) => bytesToHex(sha256(utf8ToBytes(text))));
