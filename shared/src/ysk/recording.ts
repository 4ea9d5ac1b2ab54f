import { isYskEndpoint, parseQuery, buildQuery, type YskEndpoint } from './endpoints';

/**
 * One recorded YSK response, a line of a JSONL recording (`YSK_RECORD_DIR`). `body` is the raw
 * text as it came (so truncated and malformed payloads replay as they were; empty for a 304);
 * `at` is ISO UTC, when the request was sent; `headers` the response headers (lower-case names).
 */
export interface YskRecord {
  at: string;
  endpoint: YskEndpoint;
  /** The query string without `?`. */
  query: string;
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** ms from request to the whole body */
  latencyMs?: number;
}

/** Endpoint + query in YSK's parameter order: equal calls give equal keys. */
export function recordKey(endpoint: YskEndpoint, query: string): string {
  const { params } = parseQuery(endpoint, query);
  return `${endpoint}?${buildQuery(endpoint, params as never)}`;
}

/** Reads a JSONL recording; a bad line throws with its line number. */
export function parseRecording(text: string): YskRecord[] {
  const out: YskRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`recording line ${i + 1} is not JSON`);
    }
    const r = value as Partial<YskRecord>;
    if (
      typeof r.at !== 'string' ||
      Number.isNaN(Date.parse(r.at)) ||
      typeof r.endpoint !== 'string' ||
      !isYskEndpoint(r.endpoint) ||
      typeof r.query !== 'string' ||
      typeof r.status !== 'number' ||
      typeof r.body !== 'string'
    ) {
      throw new Error(`recording line ${i + 1} is not {at, endpoint, query, status, body}`);
    }
    const record: YskRecord = { at: r.at, endpoint: r.endpoint, query: r.query, status: r.status, body: r.body };
    if (r.headers && typeof r.headers === 'object' && !Array.isArray(r.headers)) {
      record.headers = Object.fromEntries(Object.entries(r.headers).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    }
    if (typeof r.latencyMs === 'number') record.latencyMs = r.latencyMs;
    out.push(record);
  });
  return out;
}
