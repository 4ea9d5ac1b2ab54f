/** The back office's calls (issue 12): accounts, the audit log, the embargo, names, deadlines, files. */
import type { z } from 'zod';
import {
  auditResponse,
  createUserResponse,
  deadlineSetResponse,
  districtsResponse,
  electionResponse,
  embargoStateSchema,
  importUsersResponse,
  peopleNamesResponse,
  petitionDeadlinesResponse,
  sheetPhotosResponse,
  usersResponse,
  userViewSchema,
} from '@gozcu/shared';
import { authed, fetchJson, getJson, queryString, sendJson as send, type QueryValue } from './api';
import { ApiError, readBody } from './http';

/** The report of a user CSV import: a row each (a generated password shown once), and the counts. */
export type ImportReport = z.infer<typeof importUsersResponse>;
export interface NewUser {
  username: string;
  name?: string;
  role: string;
  password?: string;
  scope: { province?: number; district?: number; boxes?: string[] };
}

/** Accounts: `/api/users` for admins, `/api/team` (same shapes) for chairs. */
export function usersApi(base: '/api/users' | '/api/team') {
  return {
    list: (q: Record<string, QueryValue> = {}) => getJson(base, q, undefined, usersResponse),
    create: (u: NewUser) => send('POST', base, u, { schema: createUserResponse }),
    update: (id: string, patch: Record<string, unknown>) => send('PATCH', `${base}/${encodeURIComponent(id)}`, patch, { schema: userViewSchema }),
    importCsv: (csv: string) => send('POST', `${base}/import`, csv, { contentType: 'text/csv', schema: importUsersResponse }),
  };
}

export const backofficeApi = {
  audit: (q: Record<string, QueryValue>) => getJson('/api/audit', q, undefined, auditResponse),
  setEmbargo: (until: string | null) => send('PUT', '/api/embargo', { until }, { schema: embargoStateSchema }),
  election: () => getJson('/api/election', {}, undefined, electionResponse),
  names: (usernames: string[]) => getJson('/api/people/names', { u: usernames.join(',') }, undefined, peopleNamesResponse),
  deadlines: (q: Record<string, QueryValue> = {}) => getJson('/api/petition-deadlines', q, undefined, petitionDeadlinesResponse),
  setDeadline: (district: number, province: number, deadline: string) =>
    send('PUT', `/api/petitions/deadlines/${district}`, { province, deadline }, { schema: deadlineSetResponse }),
  sheetPhotos: (key: string) => getJson(`/api/boxes/${encodeURIComponent(key)}/sheet-photos`, {}, undefined, sheetPhotosResponse),
  citizenDistricts: (province: number) => fetchJson(`/api/citizen/districts${queryString({ province })}`, {}, { token: false, schema: districtsResponse }),
};

/** A file behind the token (evidence, a sheet photo) as a blob URL the page can show; revoke it when done. */
export async function blobUrl(path: string): Promise<{ url: string; type: string }> {
  const res = await authed(path, { headers: { Accept: '*/*' } });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`, await readBody(res));
  const blob = await res.blob();
  return { url: URL.createObjectURL(blob), type: blob.type };
}

/** Rows as CSV (RFC 4180, UTF-8 with BOM so spreadsheets read Turkish letters), saved as a file. */
export function toCsv(header: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const cell = (v: string | number | boolean | null | undefined) => {
    const s = v == null ? '' : String(v);
    return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return '\ufeff' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function saveText(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  saveBlob(name, new Blob([text], { type }));
}

/** Saves a blob as a file through a download link. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A random password for a reset (shown once to the admin, who hands it over). */
export function randomPassword(length = 14): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}
