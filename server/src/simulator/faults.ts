import { z } from 'zod';
import { YSK_ENDPOINT_NAMES, type YskEndpoint } from '@gozcu/shared';

/**
 * Faults on demand (config SIM_FAULTS or `POST /_admin/faults`). Each applies to the calls
 * it names (all by default), for the next `count` calls, or inside a window of simulated
 * time (`from`/`until` ISO, or `durationMs` from now), or until cleared.
 *
 * - latency     replies `factor` × the base latency later (×10–×100)
 * - timeout     never answers (hangs past any client timeout)
 * - http5xx     `status` (default 500) with an HTML error page
 * - http429     429 with Retry-After (`retryAfter` seconds; `retryAfterDate: true` sends an HTTP date)
 * - http503     503 with Retry-After, same options
 * - truncated   the JSON cut in half
 * - malformed   broken JSON (`variant: 'json'`) or an HTML page with 200 (`variant: 'html'`)
 * - drift       a field renamed (`rename: {from, to}`, default oy_KULLANAN_SECMEN_SAYISI →
 *               oy_KULLANAN_SAYISI) or sent as a string (`wrongType: 'secmen_SAYISI'`), in every
 *               row, only the first `rows` rows of the payload, or only the rows of the listed
 *               `boxes` ({ district: ilce_ID, box: sandik_NO }: a bad row stays bad whatever
 *               range or list it is fetched in)
 * - testData    result rows are fabricated test data (versiyon 0, stamped before polls closed)
 * - pause       no new publications in the window; what falls in it arrives right after
 */
export const FAULT_KINDS = ['latency', 'timeout', 'http5xx', 'http429', 'http503', 'truncated', 'malformed', 'drift', 'testData', 'pause'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO time');

export const faultSpecSchema = z.object({
  kind: z.enum(FAULT_KINDS),
  endpoints: z.array(z.enum(YSK_ENDPOINT_NAMES as [YskEndpoint, ...YskEndpoint[]])).optional(),
  count: z.number().int().positive().optional(),
  from: isoTime.optional(),
  until: isoTime.optional(),
  durationMs: z.number().positive().optional(),
  factor: z.number().min(1).max(1000).optional(),
  status: z.number().int().min(500).max(599).optional(),
  retryAfter: z.number().min(0).optional(),
  retryAfterDate: z.boolean().optional(),
  variant: z.enum(['json', 'html']).optional(),
  rename: z.object({ from: z.string().min(1), to: z.string().min(1) }).optional(),
  wrongType: z.string().min(1).optional(),
  /** drift: only the first this many rows of the payload (default every row) */
  rows: z.number().int().positive().optional(),
  /** drift: only the rows of these boxes (YSK district id and box number) */
  boxes: z
    .array(z.object({ district: z.number().int().positive(), box: z.number().int().positive() }))
    .min(1)
    .max(1000)
    .optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export const faultRequestSchema = z.union([z.object({ clear: z.literal(true) }), z.object({ faults: z.array(faultSpecSchema) }), faultSpecSchema]);

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number | null;
  fromMs: number | null;
  untilMs: number | null;
}

export class FaultBook {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec, now: number): ActiveFault {
    const fromMs = spec.from ? Date.parse(spec.from) : spec.durationMs !== undefined ? now : null;
    const untilMs = spec.until ? Date.parse(spec.until) : spec.durationMs !== undefined ? (fromMs ?? now) + spec.durationMs : null;
    const fault: ActiveFault = { ...spec, id: this.nextId++, remaining: spec.count ?? null, fromMs, untilMs };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(now: number): ActiveFault[] {
    return this.faults.filter((f) => f.untilMs === null || f.untilMs > now);
  }

  /** The faults that hit this call (each used up by one if counted): latency plus at most one other. */
  take(endpoint: YskEndpoint, now: number): { latency?: ActiveFault; fault?: ActiveFault } {
    const out: { latency?: ActiveFault; fault?: ActiveFault } = {};
    for (const f of this.faults) {
      if (f.kind === 'pause') continue;
      if (f.endpoints && !f.endpoints.includes(endpoint)) continue;
      if (f.fromMs !== null && now < f.fromMs) continue;
      if (f.untilMs !== null && now >= f.untilMs) continue;
      if (f.remaining !== null && f.remaining <= 0) continue;
      if (f.kind === 'latency') {
        if (out.latency) continue;
        out.latency = f;
      } else {
        if (out.fault) continue;
        out.fault = f;
      }
      if (f.remaining !== null) f.remaining--;
    }
    this.faults = this.faults.filter((f) => f.remaining === null || f.remaining > 0);
    return out;
  }
}

/** Applies a drift fault to decoded rows. */
export function drift(rows: unknown, fault: FaultSpec): unknown {
  if (!Array.isArray(rows)) return rows;
  const rename = fault.wrongType ? undefined : (fault.rename ?? { from: 'oy_KULLANAN_SECMEN_SAYISI', to: 'oy_KULLANAN_SAYISI' });
  const only = fault.boxes ? new Set(fault.boxes.map((b) => `${b.district}:${b.box}`)) : null;
  return rows.map((row: Record<string, unknown>, index) => {
    if (fault.rows !== undefined && index >= fault.rows) return row;
    if (only && !only.has(`${String(row['ilce_ID'])}:${String(row['sandik_NO'])}`)) return row;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (rename && k === rename.from) out[rename.to] = v;
      else if (fault.wrongType === k) out[k] = v === null ? 'null' : String(v);
      else out[k] = v;
    }
    if (rename && !(rename.from in row)) {
      // The call has no such field: rename its first field instead so the drift still shows.
      const first = Object.keys(row)[0];
      if (first) {
        out[`${first}_`] = out[first];
        delete out[first];
      }
    }
    return out;
  });
}
