/**
 * e-seçmen (issue 18): the citizen's register check and report (public, no token), and the
 * district's anomaly and lost-voter lists, status changes and objections (bearer token).
 */
import {
  lostVoterCaseViewSchema,
  petitionViewSchema,
  registerAnomaliesResponse,
  registerAnomalyViewSchema,
  registerCasesResponse,
  registerCheckResultSchema,
  registerCountsResponse,
  registerDistrictsResponse,
  registerReportResponse,
  type LostVoterKind,
  type RegisterAnomalyKind,
  type RegisterStatus,
} from '@gozcu/shared';
import type { ZodType } from 'zod';
import { fetchJson, getJson, queryString, sendJson, type QueryValue } from './api';

/** A POST whose answer is parsed with its route's response schema. */
const post = <T>(path: string, body: unknown, token: boolean, schema: ZodType<T>) => sendJson('POST', path, body, { token, cache: 'no-store', schema });

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
  check: (tc: string) => post('/api/register/check', { tc }, false, registerCheckResultSchema),
  districts: (province: number) => fetchJson(`/api/register/districts${queryString({ province })}`, {}, { token: false, schema: registerDistrictsResponse }),
  report: (f: RegisterReportForm) =>
    post('/api/register/reports', Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined && v !== '')), false, registerReportResponse),
};

export const registerApi = {
  anomalies: (q: { province?: number; district?: number; kind?: RegisterAnomalyKind; status?: RegisterStatus } = {}) =>
    getJson('/api/register/anomalies', q as Record<string, QueryValue>, undefined, registerAnomaliesResponse),
  cases: (q: { province?: number; district?: number; status?: RegisterStatus } = {}) =>
    getJson('/api/register/cases', q as Record<string, QueryValue>, undefined, registerCasesResponse),
  counts: (q: { province?: number } = {}) => getJson('/api/register/counts', q, undefined, registerCountsResponse),
  setAnomalyStatus: (id: string, status: 'open' | 'checked') =>
    post(`/api/register/anomalies/${encodeURIComponent(id)}/status`, { status }, true, registerAnomalyViewSchema),
  setCaseStatus: (id: string, status: 'open' | 'checked') =>
    post(`/api/register/cases/${encodeURIComponent(id)}/status`, { status }, true, lostVoterCaseViewSchema),
  objectAnomaly: (id: string) => post(`/api/register/anomalies/${encodeURIComponent(id)}/objection`, {}, true, petitionViewSchema),
  objectCase: (id: string) => post(`/api/register/cases/${encodeURIComponent(id)}/objection`, {}, true, petitionViewSchema),
};
