import { feedFailureClassSchema, type YskEndpoint } from '@gozcu/shared';

/** How a YSK call fails: the contract's failure classes (`GET /api/feed/health` counts them). */
export const YSK_ERROR_KINDS = feedFailureClassSchema.options;
export type YskErrorKind = (typeof YSK_ERROR_KINDS)[number];

/** A failed YSK call, classified; `body` is the raw payload, kept for the incident record. */
export class YskFetchError extends Error {
  override readonly name = 'YskFetchError';
  constructor(
    readonly kind: YskErrorKind,
    readonly endpoint: YskEndpoint,
    message: string,
    readonly details: {
      url: string;
      status: number | null;
      /** From Retry-After (seconds or an HTTP date), when the answer carried one. */
      retryAfterMs: number | null;
      body: string | null;
      latencyMs: number;
      /** Schema issues, for `schema`. */
      issues?: string[];
      cause?: unknown;
    },
  ) {
    super(message);
  }
  get status(): number | null {
    return this.details.status;
  }
  get retryAfterMs(): number | null {
    return this.details.retryAfterMs;
  }
  get body(): string | null {
    return this.details.body;
  }
  /** Worth retrying later (everything but a 4xx other than 429). */
  get retryable(): boolean {
    return this.kind !== 'http_4xx';
  }
}

/** Retry-After as ms from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
