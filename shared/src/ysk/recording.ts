import { isYskEndpoint, parseQuery, buildQuery, type YskEndpoint } from './endpoints';

/**
 * One recorded YSK response, a line of a JSONL recording. `body` is the raw text as it came
 * (so truncated and malformed payloads replay as they were); `at` is ISO UTC.
 */
export interface YskRecord {
  at: string;
  endpoint: YskEndpoint;
  /** The query string without `?`. */
  query: string;
  status: number;
  body: string;
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
      typeof r.at !== 'string' || Number.isNaN(Date.parse(r.at)) || typeof r.endpoint !== 'string' || !isYskEndpoint(r.endpoint) ||
      typeof r.query !== 'string' || typeof r.status !== 'number' || typeof r.body !== 'string'
    ) {
      throw new Error(`recording line ${i + 1} is not {at, endpoint, query, status, body}`);
    }
    out.push({ at: r.at, endpoint: r.endpoint, query: r.query, status: r.status, body: r.body });
  });
  return out;
}
