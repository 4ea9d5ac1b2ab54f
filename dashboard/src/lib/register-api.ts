/**
 * e-seçmen (issue 18): the citizen's register check and report (public, no token), and the
 * district's anomaly and lost-voter lists, status changes and objections (bearer token).
 */
import type {
  LostVoterCaseView,
  LostVoterKind,
  PetitionView,
  RegisterAnomalyKind,
  RegisterAnomalyView,
  RegisterCheckResult,
  RegisterDistrictCount,
  RegisterStatus,
} from '@gozcu/shared';
import { fetchJson, getJson, queryString, sendJson, type QueryValue } from './api';

const post = <T>(path: string, body: unknown, token: boolean) => sendJson<T>('POST', path, body, { token, cache: 'no-store' });

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
  districts: (province: number) =>
    fetchJson<{ items: { yskId: number; name: string }[] }>(`/api/register/districts${queryString({ province })}`, {}, { token: false }),
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
  cases: (q: { province?: number; district?: number; status?: RegisterStatus } = {}) =>
    getJson<{ items: LostVoterCaseView[] }>('/api/register/cases', q as Record<string, QueryValue>),
  counts: (q: { province?: number } = {}) => getJson<{ items: RegisterDistrictCount[] }>(`/api/register/counts${queryString(q)}`),
  setAnomalyStatus: (id: string, status: 'open' | 'checked') =>
    post<RegisterAnomalyView>(`/api/register/anomalies/${encodeURIComponent(id)}/status`, { status }, true),
  setCaseStatus: (id: string, status: 'open' | 'checked') => post<LostVoterCaseView>(`/api/register/cases/${encodeURIComponent(id)}/status`, { status }, true),
  objectAnomaly: (id: string) => post<PetitionView>(`/api/register/anomalies/${encodeURIComponent(id)}/objection`, {}, true),
  objectCase: (id: string) => post<PetitionView>(`/api/register/cases/${encodeURIComponent(id)}/objection`, {}, true),
};
