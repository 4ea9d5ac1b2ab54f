/**
 * e-seçmen (issue 18): the citizen's register check and report (public, no token), and the
 * district's anomaly and lost-voter lists, status changes and objections (bearer token).
 */
import type {
  LostVoterCaseView, LostVoterKind, PetitionView, RegisterAnomalyKind, RegisterAnomalyView, RegisterCheckResult, RegisterDistrictCount, RegisterStatus,
} from '@gozcu/shared';
import { ApiError, getJson, queryString, type QueryValue } from './api';
import { clearSession, readToken, refresh } from './auth';

async function call<T>(path: string, init: RequestInit, withToken: boolean): Promise<T> {
  const go = () => {
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    const token = withToken ? readToken() : null;
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(path, { ...init, headers });
  };
  let res = await go();
  if (withToken && res.status === 401) {
    const renewed = await refresh().catch(() => null);
    if (renewed) res = await go();
    if (!renewed || res.status === 401) clearSession();
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const m = body && typeof body === 'object' && 'message' in body ? (body as { message: unknown }).message : '';
    throw new ApiError(res.status, (Array.isArray(m) ? m.join('; ') : String(m ?? '')) || `HTTP ${res.status}`, body);
  }
  return body as T;
}
const post = <T>(path: string, body: unknown, withToken: boolean) =>
  call<T>(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store' }, withToken);

export interface RegisterReportForm {
  tc: string;
  kind: LostVoterKind;
  province: number;
  district: number;
  neighbourhood?: string;
  note?: string;
  contact?: string;
}

export const registerPublicApi = {
  /** The number goes in the body, never in a URL. */
  check: (tc: string) => post<RegisterCheckResult>('/api/register/check', { tc }, false),
  districts: (province: number) => call<{ items: { yskId: number; name: string }[] }>(`/api/register/districts${queryString({ province })}`, {}, false),
  report: (f: RegisterReportForm) =>
    post<{ trackingCode: string; kind: LostVoterKind; district: number; status: RegisterStatus }>(
      '/api/register/reports',
      Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')),
      false,
    ),
};

export const registerApi = {
  anomalies: (q: { province?: number; district?: number; kind?: RegisterAnomalyKind; status?: RegisterStatus } = {}) =>
    getJson<{ items: RegisterAnomalyView[] }>('/api/register/anomalies', q as Record<string, QueryValue>),
  cases: (q: { province?: number; district?: number; status?: RegisterStatus } = {}) => getJson<{ items: LostVoterCaseView[] }>('/api/register/cases', q as Record<string, QueryValue>),
  counts: (q: { province?: number } = {}) => getJson<{ items: RegisterDistrictCount[] }>(`/api/register/counts${queryString(q)}`),
  setAnomalyStatus: (id: string, status: 'open' | 'checked') => post<RegisterAnomalyView>(`/api/register/anomalies/${encodeURIComponent(id)}/status`, { status }, true),
  setCaseStatus: (id: string, status: 'open' | 'checked') => post<LostVoterCaseView>(`/api/register/cases/${encodeURIComponent(id)}/status`, { status }, true),
  objectAnomaly: (id: string) => post<PetitionView>(`/api/register/anomalies/${encodeURIComponent(id)}/objection`, {}, true),
  objectCase: (id: string) => post<PetitionView>(`/api/register/cases/${encodeURIComponent(id)}/objection`, {}, true),
};
