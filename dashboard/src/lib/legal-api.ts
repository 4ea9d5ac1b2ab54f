/**
 * Citizen look-up and complaints (public, no token), and the legal officers' complaints,
 * petitions and stale-box notices (bearer token, refreshed once on a 401). Issue 8.
 */
import {
  citizenBoxViewSchema,
  complaintCountsSchema,
  complaintFiledResponse,
  complaintTrackingSchema,
  complaintViewSchema,
  complaintsResponse,
  petitionViewSchema,
  petitionsResponse,
  staleNoticesResponse,
  type ComplaintStatus,
  type PetitionStatus,
  type PetitionText,
} from '@gozcu/shared';
import type { ZodType } from 'zod';
import { ApiError, authed, fetchJson, getJson, queryString, sendJson, type QueryValue } from './api';
import { saveBlob } from './backoffice-api';
import { errorOf, readBody } from './http';

/** Public requests: no token at all (the citizen page works without a login); the answer parsed with its route's schema. */
const publicFetch = <T>(path: string, schema: ZodType<T>, init: RequestInit = {}) => fetchJson<T>(path, init, { token: false, object: true, schema });

export interface ComplaintForm {
  province: number;
  district: number;
  boxNo: number;
  ballot?: number | null;
  text: string;
  contact?: string;
  files: File[];
}

export const MAX_COMPLAINT_FILES = 5;

export const citizenApi = {
  box: (province: number, district: number, box: number) => publicFetch(`/api/citizen/boxes${queryString({ province, district, box })}`, citizenBoxViewSchema),
  /** The number goes in the body, never in a URL. */
  lookup: (tc: string) =>
    publicFetch('/api/citizen/lookup', citizenBoxViewSchema, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tc }),
      cache: 'no-store',
    }),
  complain: (f: ComplaintForm) => {
    const fd = new FormData();
    fd.set('province', String(f.province));
    fd.set('district', String(f.district));
    fd.set('boxNo', String(f.boxNo));
    if (f.ballot != null) fd.set('ballot', String(f.ballot));
    fd.set('text', f.text);
    if (f.contact?.trim()) fd.set('contact', f.contact.trim());
    for (const file of f.files.slice(0, MAX_COMPLAINT_FILES)) fd.append('files', file, file.name);
    return publicFetch('/api/citizen/complaints', complaintFiledResponse, { method: 'POST', body: fd });
  },
  track: (code: string) => publicFetch(`/api/citizen/complaints/${encodeURIComponent(code)}`, complaintTrackingSchema),
};

export const legalApi = {
  complaints: (q: Record<string, QueryValue> = {}) => getJson('/api/complaints', q, undefined, complaintsResponse),
  counts: (q: { province?: number | null; district?: number | null }) => getJson('/api/complaints/counts', q, undefined, complaintCountsSchema),
  setComplaintStatus: (id: string, status: ComplaintStatus, note?: string) =>
    sendJson('POST', `/api/complaints/${encodeURIComponent(id)}/status`, note ? { status, note } : { status }, { schema: complaintViewSchema }),
  petitions: (q: Record<string, QueryValue> = {}) => getJson('/api/petitions', q, undefined, petitionsResponse),
  draftFromBox: (key: string) => sendJson('POST', '/api/petitions', { key }, { schema: petitionViewSchema }),
  draftFromComplaint: (complaintId: string) => sendJson('POST', '/api/petitions', { complaintId }, { schema: petitionViewSchema }),
  editPetition: (id: string, text: Partial<PetitionText>) => sendJson('PUT', `/api/petitions/${encodeURIComponent(id)}`, text, { schema: petitionViewSchema }),
  setPetitionStatus: (id: string, status: PetitionStatus, reference?: string) =>
    sendJson('POST', `/api/petitions/${encodeURIComponent(id)}/status`, reference ? { status, reference } : { status }, { schema: petitionViewSchema }),
  /** A status step with the board's reference and decision note (accepted / rejected). */
  setPetitionStatusWith: (id: string, status: PetitionStatus, reference?: string, note?: string) =>
    sendJson(
      'POST',
      `/api/petitions/${encodeURIComponent(id)}/status`,
      { status, ...(reference ? { reference } : {}), ...(note ? { note } : {}) },
      { schema: petitionViewSchema },
    ),
  staleNotices: () => getJson('/api/stale-notices', {}, undefined, staleNoticesResponse),
  /** A file the server builds (PDF, CSV), fetched with the token and saved through a blob link. */
  download: async (path: string, fallbackName: string): Promise<void> => {
    const res = await authed(path, { headers: { Accept: '*/*' } });
    if (!res.ok) throw errorOf(res, await readBody(res));
    const blob = await res.blob();
    const cd = res.headers.get('Content-Disposition') ?? '';
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
    let name = fallbackName;
    if (m?.[1]) {
      try {
        name = decodeURIComponent(m[1]);
      } catch {
        name = m[1];
      }
    }
    saveBlob(name, blob);
  },
};

export function hasPermission(user: { permissions?: string[] } | null | undefined, p: string): boolean {
  return !!user?.permissions?.includes(p);
}

/** Who sees the legal screen: complaints or petitions readers. */
export function canSeeLegal(user: { permissions?: string[] } | null | undefined): boolean {
  return hasPermission(user, 'complaints:read') || hasPermission(user, 'petitions:read');
}

/** An HTTP status as an i18n key for the citizen page (clear Turkish). */
export function errorKey(e: unknown): 'err.400' | 'err.404' | 'err.413' | 'err.415' | 'err.422' | 'err.429' | 'err.403' | 'err.network' | 'err.other' {
  if (!(e instanceof ApiError)) return 'err.network';
  switch (e.status) {
    case 400:
      return 'err.400';
    case 403:
      return 'err.403';
    case 404:
      return 'err.404';
    case 413:
      return 'err.413';
    case 415:
      return 'err.415';
    case 422:
      return 'err.422';
    case 429:
      return 'err.429';
    default:
      return 'err.other';
  }
}

export function errorDetail(e: unknown): string {
  return e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
}
