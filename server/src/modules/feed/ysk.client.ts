import {
  buildQuery,
  normaliseResultRows,
  parseColumnMap,
  parseYskPayload,
  YskColumnMapError,
  type Column,
  type NormaliseContext,
  type YskEndpoint,
  type YskObservation,
  type YskMetaNote,
  type YskParams,
  type YskRejectedRow,
  type YskRowTypes,
} from '@gozcu/shared';
import { parseRetryAfter, YskFetchError, type YskErrorKind } from './ysk.errors';
import type { YskRecorder } from './ysk.recorder';

/** One finished call, for metrics: latency and bytes per endpoint, and how it ended. */
export interface YskCallEvent {
  endpoint: YskEndpoint;
  outcome: 'ok' | 'not_modified' | YskErrorKind;
  status: number | null;
  latencyMs: number;
  bytes: number;
}

/** Rows of a good answer that failed their schema, and metadata coerced on the way. */
export interface YskRowsEvent {
  endpoint: YskEndpoint;
  url: string;
  rejected: YskRejectedRow[];
  notes: YskMetaNote[];
}

export interface YskClientObserver {
  onCall(event: YskCallEvent): void;
  /** called for an answer with rejected rows or coerced metadata (the answer is still data) */
  onRows?(event: YskRowsEvent): void;
}

export interface YskClientOptions {
  /** e.g. `https://…/api` or the simulator's `apiUrl`; calls go to `${baseUrl}/${endpoint}?…`. */
  baseUrl: string;
  timeoutMs: number;
  /** the HTTP client (infra/ysk.providers.ts gives the global fetch) */
  fetch: typeof globalThis.fetch;
  /** Epoch ms; used for fetchedAt, latency and Retry-After dates (default: Date.now). */
  now?: () => number;
  observer?: YskClientObserver;
  recorder?: YskRecorder;
  headers?: Record<string, string>;
}

export interface YskCallOptions {
  /** Send If-None-Match / If-Modified-Since from the last good answer (default true). */
  conditional?: boolean;
}

/**
 * A call's answer: fresh rows, or "unchanged since the last good answer" (HTTP 304). `rejected`
 * rows failed their schema (the others are kept); `notes` are metadata fields coerced on the way.
 */
export type YskResponse<Row> =
  | { notModified: false; rows: Row[]; rejected: YskRejectedRow[]; notes: YskMetaNote[]; fetchedAt: string; bytes: number }
  | { notModified: true; fetchedAt: string; bytes: 0 };

interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/**
 * The YSK results API client: one method per call, each with a timeout, conditional
 * requests, per-endpoint metrics, classified errors and optional recording. A payload that
 * is not JSON or not in the expected shape is a YskFetchError (`parse`/`schema`), never data.
 */
export class YskClient {
  private readonly fetchFn: typeof globalThis.fetch;
  private observer: YskClientObserver | undefined;
  private readonly now: () => number;
  private readonly baseUrl: string;
  private readonly validators = new Map<string, Validators>();

  constructor(private readonly opts: YskClientOptions) {
    this.fetchFn = opts.fetch;
    this.observer = opts.observer;
    this.now = opts.now ?? Date.now;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  /** Who hears of every call (the feed's health and metrics): replaces the observer given at construction. */
  observe(observer: YskClientObserver): void {
    this.observer = observer;
  }

  getIlList(params: YskParams<'getIlList'>, call?: YskCallOptions) {
    return this.call('getIlList', params, call);
  }
  getIlceList(params: YskParams<'getIlceList'>, call?: YskCallOptions) {
    return this.call('getIlceList', params, call);
  }
  getMuhtarlikList(params: YskParams<'getMuhtarlikList'>, call?: YskCallOptions) {
    return this.call('getMuhtarlikList', params, call);
  }
  getSandikSecimSonucBaslikList(params: YskParams<'getSandikSecimSonucBaslikList'>, call?: YskCallOptions) {
    return this.call('getSandikSecimSonucBaslikList', params, call);
  }
  getSecimSandikSonucList(params: YskParams<'getSecimSandikSonucList'>, call?: YskCallOptions) {
    return this.call('getSecimSandikSonucList', params, call);
  }
  getSecimSonucList(params: YskParams<'getSecimSonucList'>, call?: YskCallOptions) {
    return this.call('getSecimSonucList', params, call);
  }

  /** The column map as Column[]; always fetched fresh (a cached map has missed parties). */
  async getColumnMap(params: YskParams<'getSandikSecimSonucBaslikList'>): Promise<Column[]> {
    const res = await this.call('getSandikSecimSonucBaslikList', params, { conditional: false });
    if (res.notModified) throw new Error('unreachable: unconditional request answered 304');
    try {
      return parseColumnMap(res.rows);
    } catch (err) {
      if (err instanceof YskColumnMapError) throw this.schemaError('getSandikSecimSonucBaslikList', params, err.message, [err.message]);
      throw err;
    }
  }

  /**
   * Box rows of a scope, normalised: `null` when unchanged (304). Aggregate rows are skipped;
   * a row that cannot be read is left out; the call fails as `schema` only when no box row can.
   */
  async getBoxObservations(
    params: YskParams<'getSecimSandikSonucList'>,
    columns: readonly Column[],
    ctx: Omit<NormaliseContext, 'fetchedAt'>,
    call?: YskCallOptions,
  ): Promise<YskObservation[] | null> {
    const res = await this.call('getSecimSandikSonucList', params, call);
    if (res.notModified) return null;
    const out = normaliseResultRows(res.rows, columns, { ...ctx, fetchedAt: res.fetchedAt });
    if (out.observations.length === 0 && out.rejected.length > 0) {
      this.validators.delete(this.url('getSecimSandikSonucList', params));
      const issues = out.rejected.slice(0, 20).map((r) => r.message);
      throw this.schemaError('getSecimSandikSonucList', params, issues[0]!, issues);
    }
    return out.observations;
  }

  /** Forgets the conditional-request validators of one call (after its answer could not be used). */
  forget<E extends YskEndpoint>(endpoint: E, params: YskParams<E>): void {
    this.validators.delete(this.url(endpoint, params));
  }

  /** Forgets the conditional-request validators (all, or one call's). */
  resetValidators(): void {
    this.validators.clear();
  }

  private url<E extends YskEndpoint>(endpoint: E, params: YskParams<E>): string {
    return `${this.baseUrl}/${endpoint}?${buildQuery(endpoint, params)}`;
  }

  private schemaError(endpoint: YskEndpoint, params: YskParams<never>, message: string, issues: string[]): YskFetchError {
    return new YskFetchError('schema', endpoint, `${endpoint}: ${message}`, {
      url: this.url(endpoint, params),
      status: 200,
      retryAfterMs: null,
      body: null,
      latencyMs: 0,
      issues,
    });
  }

  async call<E extends YskEndpoint>(endpoint: E, params: YskParams<E>, callOpts: YskCallOptions = {}): Promise<YskResponse<YskRowTypes[E]>> {
    const url = this.url(endpoint, params);
    const query = url.slice(url.indexOf('?') + 1);
    const started = this.now();
    const fetchedAt = new Date(started).toISOString();
    const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers };
    const known = callOpts.conditional === false ? undefined : this.validators.get(url);
    if (known?.etag) headers['if-none-match'] = known.etag;
    if (known?.lastModified) headers['if-modified-since'] = known.lastModified;

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.opts.timeoutMs);
    let status: number | null = null;
    let body = '';
    let bytes = 0;
    const fail = (kind: YskErrorKind, message: string, extra: { retryAfterMs?: number | null; issues?: string[]; cause?: unknown } = {}) => {
      const latencyMs = this.now() - started;
      this.observer?.onCall({ endpoint, outcome: kind, status, latencyMs, bytes });
      return new YskFetchError(kind, endpoint, `${endpoint}: ${message}`, {
        url,
        status,
        retryAfterMs: extra.retryAfterMs ?? null,
        body: status === null ? null : body,
        latencyMs,
        issues: extra.issues,
        cause: extra.cause,
      });
    };
    let response: Response;
    try {
      try {
        response = await this.fetchFn(url, { headers, signal: controller.signal });
        status = response.status;
        const buffer = Buffer.from(await response.arrayBuffer());
        bytes = buffer.length;
        body = buffer.toString('utf8');
      } catch (err) {
        if (timedOut) throw fail('timeout', `no answer within ${this.opts.timeoutMs} ms`, { cause: err });
        throw fail('connect', `request failed: ${describe(err)}`, { cause: err });
      }
    } finally {
      clearTimeout(timer);
    }

    // every answer as the client saw it, 304s and errors included (YSK_RECORD_DIR)
    this.opts.recorder?.record({ at: fetchedAt, endpoint, query, status, headers: headerRecord(response.headers), body, latencyMs: this.now() - started });
    if (status === 304) {
      this.observer?.onCall({ endpoint, outcome: 'not_modified', status, latencyMs: this.now() - started, bytes });
      return { notModified: true, fetchedAt, bytes: 0 };
    }
    if (status === 429) throw fail('http_429', 'rate limited (429)', { retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.now()) });
    if (status >= 500) throw fail('http_5xx', `server error ${status}`, { retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.now()) });
    if (status >= 400) throw fail('http_4xx', `refused (${status})`, { retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.now()) });
    if (status < 200 || status >= 300) throw fail('http_4xx', `unexpected status ${status}`);

    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch (err) {
      throw fail('parse', `payload is not JSON (${bytes} bytes: ${JSON.stringify(body.slice(0, 60))}…)`, { cause: err });
    }
    const parsed = parseYskPayload(endpoint, payload);
    if (!parsed.ok) throw fail('schema', `payload does not match the ${endpoint} schema: ${parsed.issues.slice(0, 3).join('; ')}`, { issues: parsed.issues });

    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (etag || lastModified) this.validators.set(url, { etag, lastModified });
    this.observer?.onCall({ endpoint, outcome: 'ok', status, latencyMs: this.now() - started, bytes });
    if (parsed.rejected.length || parsed.notes.length) this.observer?.onRows?.({ endpoint, url, rejected: parsed.rejected, notes: parsed.notes });
    return { notModified: false, rows: parsed.rows, rejected: parsed.rejected, notes: parsed.notes, fetchedAt, bytes };
  }
}

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name.toLowerCase()] = value));
  return out;
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ') || String(err);
}
